"""The feeds reuse each activity's serialised events, and a changed activity is rebuilt."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from icalendar import Calendar

from activities import ical
from activities.feeds.events import feed_event_bytes
from activities.feeds.selectors import feed_activities, feed_rows
from activities.models import ActivityPage
from tests.factories import ActivityFactory, CancellationFactory, ScheduleFactory
from tests.support import dates

TUESDAY = dates.early_next_year(dates.TUESDAY)
INFO = ical.FeedInfo(name="Everything", description="All of it", url="http://testserver/")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_event_cache():
    caches["feed_events"].clear()
    yield
    caches["feed_events"].clear()


def _two_activities():
    first = ActivityFactory(title="Tuesday Art")
    ScheduleFactory(activity=first, first_date=TUESDAY)
    second = ActivityFactory(title="Wednesday Walk")
    ScheduleFactory(activity=second, first_date=TUESDAY)
    ScheduleFactory(activity=second, first_date=TUESDAY, start_time="18:00", end_time="19:00")
    return first, second


def test_calendar_from_cached_events_is_byte_for_byte_the_calendar(client):
    _two_activities()
    data = feed_activities(ActivityPage.objects.all())
    events = [event for activity in data for event in ical.activity_events(activity)]
    expected = ical.calendar_bytes(INFO, events)
    rows = feed_rows(ActivityPage.objects.all())
    assert ical.calendar_bytes_of(INFO, feed_event_bytes(rows)) == expected  # built
    assert ical.calendar_bytes_of(INFO, feed_event_bytes(rows)) == expected  # from the cache
    parsed = Calendar.from_ical(expected)
    assert len(parsed.walk("VEVENT")) == 3


def test_second_feed_build_serialises_nothing(client, monkeypatch):
    _two_activities()
    assert client.get("/activities/feed.ics").status_code == 200
    built = []
    original = ical.event_bytes
    monkeypatch.setattr(ical, "event_bytes", lambda data: built.append(data.uid) or original(data))
    caches["default"].clear()  # the feed's validators: the body is built again
    assert client.get("/activities/feed.ics").status_code == 200
    assert built == []


def test_changed_activity_is_rebuilt_and_others_reused(client, monkeypatch):
    first, second = _two_activities()
    before = client.get("/activities/feed.ics").content.decode()
    built = []
    original = ical.event_bytes
    monkeypatch.setattr(
        ical, "event_bytes", lambda data: built.append(data.summary) or original(data)
    )
    CancellationFactory(activity=first, date=TUESDAY)
    first.title = "Tuesday Art and Craft"
    first.save_revision().publish()
    after = client.get("/activities/feed.ics").content.decode()
    assert built == ["Tuesday Art and Craft"]
    assert "Tuesday Art and Craft" in after.replace("\r\n ", "")
    assert "EXDATE" in after and "EXDATE" not in before
    assert after.count("BEGIN:VEVENT") == 3
