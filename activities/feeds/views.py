"""The feed URLs: one activity, a provider, a venue, or any browse list (see the package)."""

from __future__ import annotations

import base64
import binascii
import hashlib

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from directory.models import ProviderPage
from venues.models import Venue

from .. import ical
from ..filters import RADIUS_CHOICES, ActivityFilter, filter_errors_text
from ..models import ActivityPage
from ..selectors import activity_list_current, activity_list_filtered
from .links import canonical_query
from .responses import CalendarResponse, feed_description, serve_feed
from .selectors import feed_activities, feed_cutoff, page_url_builder

# Query strings longer than this are not a browse filter anyone typed.
MAX_TOKEN_LENGTH = 2000


def _query_from_token(token: str) -> QueryDict:
    if len(token) > MAX_TOKEN_LENGTH:
        raise Http404("This calendar address is not one we made.")
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Http404("This calendar address is not one we made.") from None
    return QueryDict(text)


@require_safe
def activity_feed(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = ActivityPage.objects.live().filter(pk=pk)
    activity = get_object_or_404(queryset.select_related("provider"))
    page_url = page_url_builder()(activity.url_path)
    provider = f" – {activity.provider.title}" if activity.provider else ""
    info = ical.FeedInfo(
        name=f"{activity.title}{provider}",
        description=feed_description(f"Sessions of “{activity.title}”"),
        url=page_url,
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"activity:{pk}",
        filename=f"{activity.slug}.ics",
    )


@require_safe
def activity_session_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """The activity's next session alone, as a one-event .ics to add (not to subscribe)."""
    queryset = ActivityPage.objects.live().filter(pk=pk)
    activity = get_object_or_404(queryset)
    data = feed_activities(queryset)[0]
    found = ical.next_session(data, today=timezone.localdate())
    if found is None:
        raise Http404("This activity has no sessions coming up.")
    content = ical.session_calendar_bytes(ical.session_event(data, *found))
    return CalendarResponse(
        content,
        filename=f"{activity.slug}-{found[1].date.isoformat()}.ics",
        etag=f'"{hashlib.sha256(content).hexdigest()[:32]}"',
        last_modified=data.stamp,
        download=True,
    )


@require_safe
def provider_feed(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(ProviderPage.objects.live(), pk=pk)
    queryset = activity_list_current(today=feed_cutoff()).filter(provider=provider)
    info = ical.FeedInfo(
        name=f"{provider.title} – timetable",
        description=feed_description(f"Everything {provider.title} runs"),
        url=page_url_builder()(provider.url_path),
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"provider:{pk}",
        filename=f"{provider.slug}.ics",
    )


@require_safe
def venue_feed(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(Venue, pk=pk)
    queryset = activity_list_current(today=feed_cutoff()).filter(venue=venue)
    info = ical.FeedInfo(
        name=f"What's on at {venue.name}",
        description=feed_description(f"Everything on at {venue.name}"),
        url=f"{settings.SITE_URL}{venue.get_absolute_url()}",
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"venue:{pk}",
        filename=f"{venue.slug}.ics",
    )


def _browse(request: HttpRequest, params: QueryDict) -> HttpResponse:
    filterset, queryset = activity_list_filtered(params=params, today=feed_cutoff())
    if not filterset.is_valid():
        return HttpResponse(
            f"Could not make this calendar: {filter_errors_text(filterset)}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    query = canonical_query(params)
    label = filter_summary(filterset)
    info = ical.FeedInfo(
        name=f"{settings.WAGTAIL_SITE_NAME}: {label}",
        description=feed_description(f"Activities matching “{label}”"),
        url=f"{settings.SITE_URL}{reverse('browse')}{'?' + query if query else ''}",
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"browse:{query}",
        filename="timetable.ics",
    )


@require_safe
def browse_feed(request: HttpRequest) -> HttpResponse:
    return _browse(request, request.GET)


@require_safe
def browse_feed_by_token(request: HttpRequest, token: str) -> HttpResponse:
    params = _query_from_token(token)
    if request.GET.get("download") == "1":
        params = params.copy()
        params["download"] = "1"
    return _browse(request, params)


def filter_summary(filterset: ActivityFilter) -> str:
    """A short name for a filtered list, e.g. "Tuesday, Free only, near L8 (2 miles)"."""
    data = filterset.form.cleaned_data
    form = filterset.form
    parts: list[str] = []
    if data.get("q"):
        parts.append(f"“{data['q']}”")
    for name in ("day", "time", "kind", "access", "referral"):
        choices = dict(form.fields[name].choices)
        parts += [str(choices[value]) for value in data.get(name) or []]
    for name in ("category", "audience", "provider"):
        parts += [str(item) for item in data.get(name) or []]
    if data.get("online"):
        parts.append("Online" if data["online"] == "yes" else "In person")
    if data.get("free"):
        parts.append("Free only")
    if data.get("postcode") is not None:
        near = f"near {data['postcode'].label}"
        if data.get("radius"):
            near += f" ({dict(RADIUS_CHOICES)[data['radius']]})"
        parts.append(near)
    return ", ".join(parts) if parts else "everything on"
