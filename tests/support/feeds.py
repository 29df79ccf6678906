"""Reading the site's own calendar feeds in tests (independent clients are in calendars/)."""

from __future__ import annotations

from django.http import HttpResponse
from icalendar import Calendar


def event_uids(response: HttpResponse) -> set[str]:
    """The UIDs of every VEVENT in a feed response."""
    return {str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}
