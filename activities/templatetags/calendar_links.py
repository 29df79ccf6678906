"""``{% calendar_links %}``: the addresses the "Add to calendar" box offers for a feed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django import template
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from activities.feeds import browse_query_token, canonical_query
from activities.models import ActivityPage
from directory.models import ProviderPage
from venues.models import Venue

register = template.Library()

GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/render?cid="


@dataclass(frozen=True)
class CalendarLinks:
    subject: str  # "this group's sessions", for the help text
    https: str  # the feed itself
    webcal: str  # subscribe in Apple Calendar, Outlook desktop, Thunderbird
    google: str  # subscribe in Google Calendar (desktop web)
    download: str  # a one-off copy


def links_for(path: str, *, subject: str, query: str = "", google_path: str = "") -> CalendarLinks:
    base = settings.SITE_URL.rstrip("/")
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


@register.simple_tag
def calendar_links(feed=None, query=None) -> CalendarLinks | None:
    """Links for an activity, provider page or venue (`feed`), or a browse query string.

    None when there is nothing to add (an activity with no regular sessions).
    """
    if isinstance(feed, ActivityPage):
        if not feed.schedules.all():
            return None
        path = reverse("feed_activity", args=[feed.pk])
        return links_for(path, subject="this activity's sessions")
    if isinstance(feed, ProviderPage):
        path = reverse("feed_provider", args=[feed.pk])
        return links_for(path, subject=f"everything {feed.title} runs")
    if isinstance(feed, Venue):
        path = reverse("feed_venue", args=[feed.pk])
        return links_for(path, subject=f"everything on at {feed.name}")
    if query is not None:
        filters = canonical_query(QueryDict(query))
        path = reverse("feed_browse")
        token_path = (
            reverse("feed_browse_token", args=[browse_query_token(filters)]) if filters else ""
        )
        subject = "the activities in this list" if filters else "everything on"
        return links_for(path, subject=subject, query=filters, google_path=token_path)
    return None
