"""The public referral journey, without JavaScript: fit check, question pages, check your
answers, confirmation; the person's status page (and withdrawing); a referrer's own list.

Answers live in the session, encrypted with the referral key, until the person sends them:
the session table never holds them readable, and nothing is saved as a referral before
"Send". No personal detail is ever put in a URL.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from directory import ratelimits

from . import crypto, invites, selectors, services
from .enums import ActorKind, ConsentBy, Route
from .forms import STEP_BY_SLUG, SendForm, answer_rows, details_from, steps_for, token_make
from .links import referral_status_url, status_token_read
from .permissions import is_referrer, referrals_made_by

DRAFT = "nwd_referral_draft"
SENT = "nwd_referral_sent"
MAX_ACTIVITIES = 10
HOUR = 3600


def _draft(request) -> dict | None:
    token = request.session.get(DRAFT)
    if not token:
        return None
    try:
        return crypto.decrypt_json(token)
    except Exception:  # noqa: BLE001 - an old or foreign session value: start again
        return None


def _save_draft(request, draft: dict) -> None:
    request.session[DRAFT] = crypto.encrypt_json(draft)


def _route_for(user) -> Route:
    return Route.REFERRER if is_referrer(user) else Route.SELF


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            # Page ids fit a 64-bit column; anything longer is simply not an activity.
            if part.isdigit() and len(part) < 19 and int(part) not in ids:
                ids.append(int(part))
    return ids[:MAX_ACTIVITIES]


def _render(request, template: str, context: dict, status: int = 200):
    response = render(request, f"referrals/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    # Origin only: "no-referrer" makes browsers post forms with "Origin: null" (a CSRF failure).
    response["Referrer-Policy"] = "strict-origin"
    return response


@require_http_methods(["GET", "POST"])
def start(request):
    """The fit check for one or more activities (?activity=12&activity=34, or ids=12,34)."""
    route = _route_for(request.user)
    source = request.POST if request.method == "POST" else request.GET
    ids = _ids(source.getlist("activity") + source.getlist("ids"))
    checks = selectors.activities_fit(ids=ids, route=route)
    if not checks:
        raise Http404("No activity to refer to.")
    fitting = [check for check in checks if check.fit.fits]
    if request.method == "POST" and fitting:
        _save_draft(
            request,
            {
                "route": route,
                "activities": [check.activity.pk for check in fitting],
                "navigators": False,
                "answers": {},
                "token": token_make(),
            },
        )
        return redirect("referral_question", slug=steps_for(route)[0].slug)
    return _render(request, "fit.html", {"checks": checks, "fitting": fitting, "route": route})


@require_http_methods(["GET", "POST"])
def navigators(request):
    """ "Not sure which group? Ask our navigators": a referral to the city's navigators."""
    route = _route_for(request.user)
    if request.method == "POST":
        _save_draft(
            request,
            {
                "route": route,
                "activities": [],
                "navigators": True,
                "answers": {},
                "token": token_make(),
            },
        )
        return redirect("referral_question", slug=steps_for(route)[0].slug)
    return _render(request, "navigators.html", {"route": route})


def _targets(draft: dict) -> dict:
    activities = selectors.activities_current(ids=draft["activities"])
    return {"activities": activities, "navigators": draft["navigators"]}


def _expired(request):
    return _render(request, "expired.html", {}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def question(request, slug: str):
    draft = _draft(request)
    if draft is None:
        return _expired(request)
    steps = steps_for(draft["route"])
    step = STEP_BY_SLUG.get(slug)
    if step is None or step not in steps:
        raise Http404("No such question.")
    index = steps.index(step)
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        form = step.form(request.POST)
        if form.is_valid():
            draft["answers"].update(form.cleaned_data)
            _save_draft(request, draft)
            if changing or index + 1 == len(steps):
                return redirect("referral_check")
            return redirect("referral_question", slug=steps[index + 1].slug)
        status = 400
    else:
        form = step.form(initial=draft["answers"])
        status = 200
    back = (
        reverse("referral_check")
        if changing
        else reverse("referral_question", args=[steps[index - 1].slug])
        if index
        else None
    )
    context = {
        "step": step,
        "form": form,
        "number": index + 1,
        "count": len(steps),
        "back": back,
        "changing": changing,
        "route": draft["route"],
        "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
        "retention_days": settings.REFERRAL_RETENTION_DAYS,
        **_targets(draft),
    }
    return _render(request, "question.html", context, status=status)


def _incomplete(draft: dict) -> str | None:
    """The first question whose stored answers are missing or no longer valid."""
    for step in steps_for(draft["route"]):
        form = step.form(data=_as_data(draft["answers"], step))
        if not form.is_valid():
            return step.slug
    return None


def _as_data(answers: dict, step) -> MultiValueDict:
    data = MultiValueDict()
    for name in step.form.base_fields:
        value = answers.get(name)
        if isinstance(value, list):
            data.setlist(name, value)
        elif isinstance(value, bool):
            data[name] = "on" if value else ""
        elif value is not None:
            data[name] = value
    return data


def _submit(request, draft: dict, targets: dict):
    by_referrer = draft["route"] == Route.REFERRER
    return services.referral_submit(
        route=Route.REFERRER if by_referrer else Route.SELF,
        details=details_from(answers=draft["answers"]),
        activities=targets["activities"],
        to_navigators=targets["navigators"],
        consent_given_by=ConsentBy.REFERRER if by_referrer else ConsentBy.PERSON,
        actor=services.Actor(
            ActorKind.REFERRER if by_referrer else ActorKind.PERSON,
            request.user if by_referrer else None,
        ),
        referred_by=request.user if by_referrer else None,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def check(request):
    draft = _draft(request)
    if draft is None:
        return _expired(request)
    missing = _incomplete(draft)
    if missing:
        return redirect("referral_question", slug=missing)
    targets = _targets(draft)
    signed_out = draft["route"] == Route.REFERRER and not is_referrer(request.user)
    if signed_out or not (targets["activities"] or targets["navigators"]):
        return _expired(request)
    status = 200
    form = SendForm(initial={"token": draft["token"]})
    if request.method == "POST":
        form = SendForm(request.POST)
        if form.is_valid():
            limit = ratelimits.Limit("referral:client", settings.REFERRAL_RATE_LIMIT_PER_HOUR, HOUR)
            if not ratelimits.take([(limit, ratelimits.client_key(request))]):
                return _render(request, "limited.html", {}, status=429)
            referral = _submit(request, draft, targets)
            del request.session[DRAFT]
            request.session[SENT] = referral.reference
            return redirect("referral_sent")
        status = 400
        form.data = form.data.copy()
        form.data["token"] = draft["token"]
    context = {
        "rows": answer_rows(route=draft["route"], answers=draft["answers"]),
        "form": form,
        "route": draft["route"],
        **targets,
    }
    return _render(request, "check.html", context, status=status)


@never_cache
def sent(request):
    reference = request.session.get(SENT)
    referral = selectors.referral_by_reference(reference=reference) if reference else None
    if referral is None:
        return _expired(request)
    return _render(
        request,
        "sent.html",
        {
            "reference": reference,
            "status_link": referral_status_url(referral),
            "link_days": settings.REFERRAL_STATUS_LINK_DAYS,
            "escalate_days": settings.REFERRAL_ESCALATE_AFTER_WORKING_DAYS,
        },
    )


def _referral_from_token(token: str):
    """The referral a link names, if the link is the one that works now (not forged, expired,
    or revoked by a navigator or city admin)."""
    read = status_token_read(token)
    referral = selectors.referral_by_reference(reference=read[0]) if read else None
    if referral is None or referral.status_link_version != read[1]:
        raise Http404("This link has expired or is not right.")
    return referral


def _ended(referral) -> bool:
    """Withdrawn, closed or erased: the link shows nothing about it any more."""
    return referral.closed_at is not None or referral.erased_at is not None


@never_cache
def status(request, token: str):
    referral = _referral_from_token(token)
    if _ended(referral):
        return _render(request, "status_ended.html", {})
    services.referral_viewed(referral=referral, user=None, where="status link")
    context = {
        "referral": referral,
        "destinations": selectors.referral_destinations(referral=referral),
        "token": token,
    }
    return _render(request, "status.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, token: str):
    referral = _referral_from_token(token)
    if _ended(referral):
        return _render(request, "status_ended.html", {})
    if request.method == "POST":
        try:
            services.referral_withdraw(referral=referral, actor=services.Actor.person())
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Your referral has been withdrawn.")
        return redirect("referral_status", token=token)
    return _render(request, "withdraw.html", {"referral": referral, "token": token})


@never_cache
@login_required(login_url="wagtailadmin_login")
def mine(request):
    """A referrer's own referrals and where each is (references and states only)."""
    if not is_referrer(request.user):
        raise PermissionDenied
    referrals = selectors.referrals_with_destinations(queryset=referrals_made_by(request.user))
    return _render(request, "mine.html", {"referrals": referrals})


@never_cache
@require_http_methods(["GET", "POST"])
def join(request, uidb64: str, token: str):
    """A referrer's invitation link: choose a password, then see their referrals (signed in)."""
    user = invites.user_from_link(uidb64, token)
    if user is None:
        return _render(request, "join_invalid.html", {}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    # Plain words, not Django's HTML list (the field template escapes help text).
    form.fields["new_password1"].help_text = " ".join(password_validators_help_texts())
    if request.method == "POST" and form.is_valid():
        form.save()
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set and you are signed in.")
        return redirect("referrals_mine")
    return _render(request, "join.html", {"form": form}, status=400 if form.errors else 200)
