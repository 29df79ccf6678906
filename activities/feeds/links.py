"""The addresses the "Add to calendar" box offers, and the browse query in a feed's URL."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import QueryDict

GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/render?cid="
# Google's "add event" page: opens on a phone's browser (or the app) as well as a computer.
GOOGLE_ADD_EVENT = "https://calendar.google.com/calendar/render"
# Google truncates long links; the event's page holds the rest.
GOOGLE_DETAILS_MAX = 1000
_IGNORED_PARAMS = {"page", "download", "sort"}  # change nothing in the feed


@dataclass(frozen=True)
class CalendarLinks:
    subject: str  # "this group's sessions", for the help text
    https: str  # the feed itself
    webcal: str  # subscribe in Apple Calendar, Outlook desktop, Thunderbird
    google: str  # subscribe in Google Calendar (desktop web)
    download: str  # a one-off copy


def links_for(path: str, *, subject: str, query: str = "", google_path: str = "") -> CalendarLinks:
    base = settings.SITE_URL
    host = base.split("://", 1)[-1]
    suffix = f"?{query}" if query else ""
    # Google's cid must be path-only: it mishandles "&" and percent-encoding alike.
    google_feed = f"webcal://{host}{google_path or path}"
    return CalendarLinks(
        subject=subject,
        https=f"{base}{path}{suffix}",
        webcal=f"webcal://{host}{path}{suffix}",
        google=GOOGLE_SUBSCRIBE + quote(google_feed, safe=":/"),
        download=f"{path}?{query + '&' if query else ''}download=1",
    )


def google_event_link(event) -> str:
    """Google Calendar's add-event address for one event (an activities.ical.EventData):
    times in UTC, so no time-zone guessing; the details cut short with the page's address."""
    stamp = "%Y%m%dT%H%M%SZ"
    details = event.description
    if len(details) > GOOGLE_DETAILS_MAX:
        details = f"{details[: GOOGLE_DETAILS_MAX - 80].rstrip()}…\n\nMore: {event.url}"
    params = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{event.start.astimezone(UTC):{stamp}}/{event.end.astimezone(UTC):{stamp}}",
        "ctz": "Europe/London",
        "details": details,
        "location": event.location,
    }
    return f"{GOOGLE_ADD_EVENT}?{urlencode(params)}"


def browse_query_token(query: str) -> str:
    """A browse query string packed into one path segment (for Google's subscribe link)."""
    return base64.urlsafe_b64encode(query.encode()).decode().rstrip("=")


def canonical_query(params: QueryDict) -> str:
    """The filter part of a query string, in a fixed order (page, sort, download dropped)."""
    pairs = sorted(
        (name, value)
        for name, values in params.lists()
        if name not in _IGNORED_PARAMS
        for value in values
        if value != ""
    )
    return urlencode(pairs)
