"""``{% calendar_links %}``: the addresses the "Add to calendar" box offers for a feed."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from activities import ical
from activities.feeds.links import (
    CalendarLinks,
    browse_query_token,
    canonical_query,
    google_event_link,
    links_for,
)
from activities.feeds.selectors import feed_activities
from activities.models import ActivityPage
from activities.recurrence import Occurrence
from directory.models import ProviderPage
from venues.models import Venue

register = template.Library()


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


@dataclass(frozen=True)
class SessionLinks:
    """ "Add this session to your calendar": the next session alone."""

    occurrence: Occurrence
    download: str  # a one-event .ics
    google: str  # Google Calendar's add-event page (works on phones too)


@register.simple_tag
def session_calendar_links(activity) -> SessionLinks | None:
    """Links that add the activity's next session (None when none is coming up)."""
    if not isinstance(activity, ActivityPage) or not activity.schedules.all():
        return None
    queryset = ActivityPage.objects.filter(pk=activity.pk)
    data = feed_activities(queryset)[0]
    found = ical.next_session(data, today=timezone.localdate())
    if found is None:
        return None
    event = ical.session_event(data, *found)
    return SessionLinks(
        occurrence=found[1],
        download=reverse("feed_activity_next", args=[activity.pk]),
        google=google_event_link(event),
    )
