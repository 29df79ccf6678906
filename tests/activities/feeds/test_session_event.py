""" "Add this session to your calendar": the next session alone, as a one-event .ics that the
real parsers read as exactly that session, and Google's add-event link for it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from icalendar import Calendar

from activities.recurrence import LONDON, next_occurrence
from tests.factories import ActivityFactory, CancellationFactory, ScheduleFactory, VenueFactory
from tests.support.calendars.clients import icaljs_sessions, python_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    venue = VenueFactory(name="Hope Hall", address="1 Hope Street, Liverpool", postcode="L1 9BQ")
    activity = ActivityFactory(title="Art & Tea; Wednesdays", venue=venue)
    slot = ScheduleFactory(activity=activity, start_time=time(10, 30), end_time=time(12, 0))
    today = timezone.localdate()
    upcoming = next_occurrence(slot.rule, after=today)
    # The next one is cancelled: the file holds the one after.
    CancellationFactory(activity=activity, date=upcoming.date, reason="Closed")
    return activity, upcoming.date + timedelta(weeks=1)


def test_session_file_holds_only_the_next_session_that_runs(client, group):
    activity, expected = group
    response = client.get(f"/feeds/activities/{activity.pk}/next.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert "RRULE" not in events[0]
    assert "X-WR-CALNAME" not in calendar  # added to the visitor's calendar, not a new one
    window = (expected - timedelta(days=400), expected + timedelta(days=400))
    for sessions in (
        python_sessions(response.content, start=window[0], end=window[1]),
        icaljs_sessions(response.content, start=window[0], end=window[1]),
    ):
        assert [(s.day, s.start, s.end, s.summary) for s in sessions] == [
            (expected.isoformat(), "10:30", "12:00", "Art & Tea; Wednesdays")
        ]
        assert sessions[0].location == "Hope Hall, 1 Hope Street, Liverpool, L1 9BQ"


def test_session_uid_differs_from_the_series_so_it_never_replaces_a_subscription(client, group):
    activity, expected = group
    single = Calendar.from_ical(client.get(f"/feeds/activities/{activity.pk}/next.ics").content)
    series = Calendar.from_ical(client.get(f"/feeds/activities/{activity.pk}.ics").content)
    single_uid = str(single.walk("VEVENT")[0]["UID"])
    series_uid = str(series.walk("VEVENT")[0]["UID"])
    assert single_uid != series_uid
    assert single_uid == series_uid.replace("@", f"-{expected:%Y%m%d}@")


def test_activity_page_offers_the_session_first_and_googles_add_event_link(client, group):
    activity, expected = group
    html = client.get(activity.url).content.decode()

    add = html.index("Add this session to your calendar")
    assert add < html.index("Subscribe to every session")
    assert f'href="/feeds/activities/{activity.pk}/next.ics" download' in html
    start = html.index("https://calendar.google.com/calendar/render?action=TEMPLATE")
    link = html[start : html.index('"', start)].replace("&amp;", "&")
    params = parse_qs(urlsplit(link).query)
    begins = datetime.combine(expected, time(10, 30), tzinfo=LONDON)
    ends = datetime.combine(expected, time(12, 0), tzinfo=LONDON)
    utc = "%Y%m%dT%H%M%SZ"
    assert params["dates"] == [f"{begins.astimezone(UTC):{utc}}/{ends.astimezone(UTC):{utc}}"]
    assert params["text"] == ["Art & Tea; Wednesdays"]
    assert params["location"] == ["Hope Hall, 1 Hope Street, Liverpool, L1 9BQ"]
    assert params["ctz"] == ["Europe/London"]


def test_session_file_for_an_activity_without_sessions_is_404(client):
    activity = ActivityFactory()
    assert client.get(f"/feeds/activities/{activity.pk}/next.ics").status_code == 404
    assert client.get("/feeds/activities/999999/next.ics").status_code == 404
