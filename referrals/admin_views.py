"""The providers' inbox and the navigators' queue in the Wagtail admin.

Every screen starts from `selectors` scoped by `permissions.destinations_visible`: a
destination another organisation handles is "not found" (404), in the list, detail, every
action and the CSV alike. Opening a referral's details is audited; opening it as its handler
marks it Seen.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin.menu import MenuItem

from activities.selectors import activity_list_current

from . import invites, notify, paging, retention, selectors, services
from .admin_forms import (
    CloseForm,
    CountsPeriodForm,
    DeclineForm,
    ForwardForm,
    InviteReferrerForm,
    OutcomeForm,
)
from .enums import ActorKind, DeclineReason, FirstVisit, Route, State
from .links import referral_status_url
from .permissions import (
    REFERRERS,
    city_admin,
    is_navigator,
    may_answer,
    may_export_or_erase,
    works_on_referrals,
)
from .services import Actor, TransitionError

PAGE_SIZE = 50
BIGGEST_ID = 2**63 - 1


class ReferralsMenuItem(MenuItem):
    def is_shown(self, request):
        return works_on_referrals(request.user)


class NavigatorsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_navigator(request.user)


class DataRequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_export_or_erase(request.user)


def _require_worker(request) -> None:
    if not works_on_referrals(request.user):
        raise PermissionDenied


def _filters(request) -> dict:
    state = request.GET.get("state", "")
    return {
        "state": state if state in State.values else "",
        "open_only": request.GET.get("open", "1") == "1" and not state,
        "reference": request.GET.get("q", "")[:20],
    }


def _page(request, found, *, counted, newest_first: bool) -> paging.Page:
    return paging.keyset_page(
        found,
        counted=counted,
        newest_first=newest_first,
        after=request.GET.get("after", "")[:40],
        before=request.GET.get("before", "")[:40],
        size=PAGE_SIZE,
    )


@require_GET
def inbox(request):
    _require_worker(request)
    filters = _filters(request)
    page = _page(
        request,
        selectors.destinations_inbox(user=request.user, **filters),
        counted=selectors.destinations_inbox_filtered(user=request.user, **filters),
        newest_first=True,
    )
    return TemplateResponse(
        request,
        "referrals/admin/inbox.html",
        {
            "page_title": "Referrals",
            "header_title": "Referrals",
            "header_icon": "mail",
            "page": page,
            "destinations": page.rows,
            "count_limit": paging.COUNT_LIMIT,
            "filters": filters,
            "states": State.choices,
            "navigator": is_navigator(request.user),
        },
    )


@require_GET
def inbox_csv(request):
    """The inbox as CSV: references, dates, groups and states, never personal details."""
    _require_worker(request)
    found = selectors.destinations_inbox(user=request.user, **_filters(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="referrals.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "received", "organisation", "activity", "state", "reason"])
    for d in found.iterator():
        writer.writerow(
            [
                d.referral.reference,
                d.created_at.date().isoformat(),
                d.provider_title if d.provider_id else "Navigators",
                d.activity_title or "",
                d.state,
                d.decline_reason,
            ]
        )
    return response


@require_GET
def queue(request):
    if not is_navigator(request.user):
        raise PermissionDenied
    page = _page(
        request,
        selectors.destinations_navigators_queue(user=request.user),
        counted=selectors.destinations_navigators_queue_filtered(user=request.user),
        newest_first=False,
    )
    return TemplateResponse(
        request,
        "referrals/admin/queue.html",
        {
            "page_title": "Navigators' queue",
            "header_title": "Navigators' queue",
            "header_icon": "group",
            "page": page,
            "destinations": page.rows,
            "count_limit": paging.COUNT_LIMIT,
        },
    )


def _destination(request, pk: int):
    if pk > BIGGEST_ID:  # a typed address beyond any id: not found, not a database error
        raise Http404("No such referral.")
    destination = selectors.destination_detail(user=request.user, pk=pk)
    if destination is None:
        raise Http404("No such referral.")
    return destination


def _actor(request, destination) -> Actor:
    kind = ActorKind.NAVIGATOR if destination.for_navigators else ActorKind.PROVIDER
    return Actor(kind, request.user)


def _onward_activities(destination):
    current = activity_list_current().public().filter(provider__isnull=False)
    if destination.activity_id:
        current = current.exclude(pk=destination.activity_id)
    return current.select_related("provider").order_by("title")


def _suggested_first(activities, suggestions):
    first = [a.pk for a in suggestions]
    return activities.annotate(
        suggested=Case(When(pk__in=first, then=Value(0)), default=Value(1))
    ).order_by("suggested", "title")


@require_GET
def detail(request, pk: int):
    _require_worker(request)
    destination = _destination(request, pk)
    referral = destination.referral
    answering = may_answer(request.user, destination)
    if answering:
        services.destination_seen(destination=destination, actor=_actor(request, destination))
        destination.refresh_from_db()
    services.referral_viewed(referral=referral, user=request.user, where="admin detail")
    onward = _onward_activities(destination)
    suggestions = selectors.forward_suggestions(destination=destination) if answering else []
    history = selectors.referral_history(referral=referral)
    if not is_navigator(request.user):
        # A provider sees its own part of the story, not other organisations' answers.
        history = [e for e in history if e.destination_id in (None, destination.pk)]
    details = referral.details or {}
    # Why it came here: the reason and note of the destination that passed it on.
    came_from = destination.came_from.select_related("provider").first()
    return TemplateResponse(
        request,
        "referrals/admin/detail.html",
        {
            "page_title": f"Referral {referral.reference}",
            "header_title": f"Referral {referral.reference}",
            "header_icon": "mail",
            "destination": destination,
            "referral": referral,
            "details": details,
            "first_visit": [FirstVisit(v).label for v in details.get("first_visit", [])],
            "history": history,
            "answering": answering,
            "navigator": is_navigator(request.user),
            "data_officer": may_export_or_erase(request.user),
            "renews_links": _may_renew_links(request.user),
            "decline_form": DeclineForm(activities=_suggested_first(onward, suggestions)),
            "forward_form": ForwardForm(activities=onward),
            "outcome_form": OutcomeForm(),
            "close_form": CloseForm(),
            "suggestions": suggestions,
            "came_from": came_from,
        },
    )


def _act(request, pk: int, change) -> HttpResponse:
    """Run one change on a destination the user may answer; errors come back as messages."""
    destination = _destination(request, pk)
    if not may_answer(request.user, destination):
        raise PermissionDenied
    try:
        done = change(destination, _actor(request, destination))
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)
    return redirect("referrals_admin:detail", pk=destination.pk)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_POST
def accept(request, pk: int):
    def change(destination, actor):
        services.destination_accept(destination=destination, actor=actor)
        return "Accepted. Please get in touch with the person as they asked."

    return _act(request, pk, change)


@require_POST
def decline(request, pk: int):
    def change(destination, actor):
        form = DeclineForm(request.POST, activities=_onward_activities(destination))
        if not form.is_valid():
            raise TransitionError(_form_errors(form))
        data = form.cleaned_data
        forward = data["onward"] == "forward"
        services.destination_decline(
            destination=destination,
            actor=actor,
            reason=data["reason"],
            note=data["note"],
            forward_to=[data["activity"]] if forward else [],
            to_navigators=not forward,
            consent_confirmed=data["consent_confirmed"],
        )
        return "Declined and passed on." if forward else "Declined and handed to the navigators."

    return _act(request, pk, change)


@require_POST
def outcome(request, pk: int):
    def change(destination, actor):
        form = OutcomeForm(request.POST)
        if not form.is_valid():
            raise TransitionError("Choose an outcome.")
        services.destination_outcome(
            destination=destination, actor=actor, outcome=form.cleaned_data["outcome"]
        )
        return "Outcome recorded."

    return _act(request, pk, change)


@require_POST
def forward(request, pk: int):
    def change(destination, actor):
        form = ForwardForm(request.POST, activities=_onward_activities(destination))
        if not form.is_valid():
            raise TransitionError(_form_errors(form))
        services.navigators_forward(
            destination=destination,
            actor=actor,
            activities=list(form.cleaned_data["activities"]),
            consent_confirmed=form.cleaned_data["consent_confirmed"],
        )
        return "Forwarded."

    return _act(request, pk, change)


@require_POST
def close(request, pk: int):
    def change(destination, actor):
        form = CloseForm(request.POST)
        if not form.is_valid():
            raise TransitionError("Choose why you are closing it.")
        services.navigators_close(destination=destination, actor=actor, **form.cleaned_data)
        return "Closed."

    return _act(request, pk, change)


@require_POST
def re_refer(request, pk: int):
    """A navigator re-refers the person (needs changed): a new referral linked to this one."""
    destination = _destination(request, pk)
    if not is_navigator(request.user):
        raise PermissionDenied
    form = ForwardForm(request.POST, activities=_onward_activities(destination))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("referrals_admin:detail", pk=destination.pk)
    try:
        new = services.referral_re_refer(
            referral=destination.referral,
            actor=Actor(ActorKind.NAVIGATOR, request.user),
            activities=list(form.cleaned_data["activities"]),
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("referrals_admin:detail", pk=destination.pk)
    messages.success(request, f"Re-referred as {new.reference}.")
    return redirect("referrals_admin:detail", pk=new.destinations.order_by("pk").first().pk)


def _data_request_referral(request, reference: str):
    if not may_export_or_erase(request.user):
        raise PermissionDenied
    referral = selectors.referral_by_reference(reference=reference.strip().upper()[:12])
    if referral is None:
        raise Http404("No referral with that reference.")
    return referral


@require_GET
def counts(request):
    """The city's anonymous counts (city admins): by organisation and route, acceptance,
    decline reasons (the "unsuitable referral" rate), time to first answer, forwarded and
    re-referred. Nothing personal, so erasure does not change them."""
    if not may_export_or_erase(request.user):
        raise PermissionDenied
    period = CountsPeriodForm(request.GET or None)
    days = period.days()
    since = timezone.now() - dt.timedelta(days=days) if days else None
    providers, total = selectors.referral_counts_by_provider(since=since)
    city = selectors.referral_counts(since=since, median=False)  # the total row has it
    reasons = city["decline_reasons"]
    declined = sum(reasons.values())
    return TemplateResponse(
        request,
        "referrals/admin/counts.html",
        {
            "page_title": "Referral counts",
            "header_title": "Referral counts",
            "header_icon": "table",
            "period": period,
            "since": since,
            "providers": providers,
            "rows": [*providers, total],
            "total": total,
            "city": city,
            "city_routes": [
                (label, city["by_route"].get(value, 0)) for value, label in Route.choices
            ],
            "routes": Route.choices,
            "reasons": [
                (
                    label,
                    reasons.get(value, 0),
                    reasons.get(value, 0) / declined if declined else None,
                )
                for value, label in DeclineReason.choices
            ],
            "declined": declined,
            "with_navigators": city["by_state"].get(State.WITH_NAVIGATORS, 0),
        },
    )


def _may_renew_links(user) -> bool:
    """Navigators and city admins revoke a person's status link and issue a fresh one."""
    return is_navigator(user) or may_export_or_erase(user)


@require_POST
def status_link_renew(request, reference: str):
    """Revoke the person's status link and show the fresh one (to read out or post to them;
    emailed too if they gave an email). The new link is in this page only, never an address."""
    if not _may_renew_links(request.user):
        raise PermissionDenied
    referral = selectors.referral_by_reference(reference=reference.strip().upper()[:12])
    if referral is None:
        raise Http404("No referral with that reference.")
    kind = ActorKind.NAVIGATOR if is_navigator(request.user) else ActorKind.ADMIN
    referral = services.status_link_renew(referral=referral, actor=Actor(kind, request.user))
    response = TemplateResponse(
        request,
        "referrals/admin/status_link.html",
        {
            "page_title": f"New status link for {referral.reference}",
            "header_title": f"New status link for {referral.reference}",
            "header_icon": "link",
            "referral": referral,
            "link": referral_status_url(referral, absolute=True),
            "emailed": bool(notify.person_email(referral)),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def data_request(request):
    """City admins: find a referral by its reference to export or erase the person's data."""
    if not may_export_or_erase(request.user):
        raise PermissionDenied
    reference = request.GET.get("reference", "").strip().upper()[:12]
    referral = selectors.referral_by_reference(reference=reference) if reference else None
    return TemplateResponse(
        request,
        "referrals/admin/data_request.html",
        {
            "page_title": "Personal data requests",
            "header_title": "Personal data requests",
            "header_icon": "user",
            "reference": reference,
            "referral": referral,
            "renews_links": True,
        },
    )


@require_GET
def export(request, reference: str):
    """Everything held about the person (a subject access request), as JSON."""
    referral = _data_request_referral(request, reference)
    data = retention.referral_export(referral=referral, user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{data["reference"]}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def erase(request, reference: str):
    referral = _data_request_referral(request, reference)
    retention.referral_erase(referral=referral, actor=Actor(ActorKind.ADMIN, request.user))
    messages.success(request, "The person's details are erased. The anonymous counts remain.")
    return redirect(f"{reverse('referrals_admin:data_request')}?reference={referral.reference}")


class ReferrersMenuItem(MenuItem):
    def is_shown(self, request):
        return city_admin(request.user)


def _require_city_admin(request) -> None:
    if not city_admin(request.user):
        raise PermissionDenied


@require_GET
def referrers(request):
    """City admins: the referrers, newest invitation first."""
    _require_city_admin(request)
    found = (
        get_user_model()
        .objects.filter(groups__name=REFERRERS)
        .select_related("referrer_profile", "referrer_profile__invited_by")
        .order_by("-date_joined", "-pk")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "referrals/admin/referrers.html",
        {
            "page_title": "Referrers",
            "header_title": "Referrers",
            "header_icon": "user",
            "page_obj": page,
            "referrers": page.object_list,
        },
    )


@require_http_methods(["GET", "POST"])
def referrer_invite(request):
    _require_city_admin(request)
    form = InviteReferrerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = invites.invite(**form.cleaned_data, by=request.user)
        messages.success(request, f"Invitation sent to {user.email}.")
        return redirect("referrals_admin:referrers")
    return TemplateResponse(
        request,
        "referrals/admin/referrer_invite.html",
        {
            "page_title": "Invite a referrer",
            "header_title": "Invite a referrer",
            "header_icon": "user",
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _referrer(pk: int):
    if pk > BIGGEST_ID:
        raise Http404("No such referrer.")
    user = get_user_model().objects.filter(pk=pk, groups__name=REFERRERS).first()
    if user is None:
        raise Http404("No such referrer.")
    return user


@require_POST
def referrer_resend(request, pk: int):
    _require_city_admin(request)
    user = _referrer(pk)
    if user.has_usable_password():
        messages.error(request, f"{user.email} has already joined: there is nothing to re-send.")
    else:
        invites.resend(user=user, by=request.user)
        messages.success(request, f"A new invitation has gone to {user.email}.")
    return redirect("referrals_admin:referrers")


@require_POST
def referrer_remove(request, pk: int):
    _require_city_admin(request)
    user = _referrer(pk)
    invites.remove(user=user, by=request.user)
    messages.success(request, f"{user.email} is no longer a referrer.")
    return redirect("referrals_admin:referrers")
