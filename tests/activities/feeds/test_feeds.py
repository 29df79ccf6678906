"""The feed URLs over HTTP: selection, content type, conditional requests, bad input."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from activities.feeds.links import browse_query_token
from activities.ical import schedule_uid
from activities.models import ActivityPage, Category, Schedule
from tests.factories import (
    ActivityFactory,
    CancellationFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
)
from tests.support import dates
from tests.support.feeds import event_uids

pytestmark = pytest.mark.django_db


# The feeds choose what is current from the clock themselves, so the slots here start early next
# year: current whenever the tests run.
TUESDAY = dates.early_next_year(dates.TUESDAY)
WEDNESDAY = TUESDAY + timedelta(days=1)


@pytest.fixture
def two_providers(db):
    minds = ProviderFactory(title="Mersey Minds")
    hope = ProviderFactory(title="Hope Wellbeing")
    hall = VenueFactory(name="Hope Hall")
    art = CategoryFactory(name="Art")
    tuesday_art = ActivityFactory(
        parent=minds, title="Tuesday Art", venue=hall, categories=[art], cost="Free"
    )
    wednesday_walk = ActivityFactory(parent=hope, title="Wednesday Walk", cost="£2")
    return {
        "minds": minds,
        "hope": hope,
        "hall": hall,
        "art": art,
        "tuesday_art": tuesday_art,
        "tuesday_slot": ScheduleFactory(activity=tuesday_art, first_date=TUESDAY),
        "wednesday_walk": wednesday_walk,
        "wednesday_slot": ScheduleFactory(activity=wednesday_walk, first_date=WEDNESDAY),
    }


# --------------------------------------------------------------------------- what is served


def test_browse_feed_is_text_calendar_inline(client, two_providers):
    # Act
    response = client.get("/activities/feed.ics")

    # Assert
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="timetable.ics"'
    assert response["Cache-Control"] == "public, max-age=3600"
    assert event_uids(response) == {
        schedule_uid(two_providers["tuesday_slot"]),
        schedule_uid(two_providers["wednesday_slot"]),
    }


def test_download_link_sends_attachment(client, two_providers):
    # Act
    response = client.get(f"/feeds/activities/{two_providers['tuesday_art'].pk}.ics?download=1")

    # Assert
    slug = two_providers["tuesday_art"].slug
    assert response["Content-Disposition"] == f'attachment; filename="{slug}.ics"'
    assert event_uids(response) == {schedule_uid(two_providers["tuesday_slot"])}


def test_browse_feed_narrowed_by_same_filters_as_browse(client, two_providers):
    # Act
    by_day = client.get("/activities/feed.ics?day=tue")
    by_topic_and_cost = client.get("/activities/feed.ics?category=art&free=on")
    by_provider = client.get("/activities/feed.ics?provider=hope-wellbeing")

    # Assert
    tuesday, wednesday = (
        schedule_uid(two_providers["tuesday_slot"]),
        schedule_uid(two_providers["wednesday_slot"]),
    )
    assert (event_uids(by_day), event_uids(by_topic_and_cost), event_uids(by_provider)) == (
        {tuesday},
        {tuesday},
        {wednesday},
    )


def test_browse_feed_names_calendar_after_filters(client, two_providers):
    # Act
    response = client.get("/activities/feed.ics?day=tue&free=on&category=art")

    # Assert
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "No Wrong Door: Tuesday, Art, Free only"
    assert str(calendar["NAME"]) == "No Wrong Door: Tuesday, Art, Free only"
    assert str(calendar["URL"]) == ("http://testserver/activities/?category=art&day=tue&free=on")


def test_browse_feed_named_after_place_and_distance(client, two_providers):
    # Act
    response = client.get("/activities/feed.ics?postcode=L1+4DN&radius=2&time=morning")

    # Assert
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == (
        "No Wrong Door: Morning (before 12:00), near L1 4DN (2 miles)"
    )


def test_browse_feed_by_token_matches_query_string_feed(client, two_providers):
    # Arrange
    token = browse_query_token("day=tue&free=on")

    # Act
    by_token = client.get(f"/activities/feed/{token}.ics")
    by_query = client.get("/activities/feed.ics?day=tue&free=on")

    # Assert
    assert "&" not in token and "=" not in token
    assert by_token.status_code == 200
    assert by_token.content == by_query.content
    assert by_token["ETag"] == by_query["ETag"]


def test_browse_feed_with_bad_postcode_says_why(client, two_providers):
    # Act
    response = client.get("/activities/feed.ics?postcode=NOT+A+POSTCODE")

    # Assert
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Could not make this calendar: postcode: ")


def test_browse_feed_bad_token_is_not_found(client, two_providers):
    # Act
    response = client.get("/activities/feed/%25%25%25.ics")

    # Assert
    assert response.status_code == 404


def test_provider_feed_has_only_that_providers_activities(client, two_providers):
    # Act
    response = client.get(f"/feeds/providers/{two_providers['hope'].pk}.ics")

    # Assert
    assert event_uids(response) == {schedule_uid(two_providers["wednesday_slot"])}
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Hope Wellbeing – timetable"
    assert str(calendar["URL"]) == "http://testserver/providers/hope-wellbeing/"


def test_venue_feed_has_only_that_venues_activities(client, two_providers):
    # Act
    response = client.get(f"/feeds/venues/{two_providers['hall'].pk}.ics")

    # Assert
    assert event_uids(response) == {schedule_uid(two_providers["tuesday_slot"])}
    assert str(Calendar.from_ical(response.content)["X-WR-CALNAME"]) == "What's on at Hope Hall"


def test_activity_feed_of_draft_is_not_found(client, db):
    # Arrange
    draft = ActivityFactory(live=False)
    ScheduleFactory(activity=draft)

    # Act
    response = client.get(f"/feeds/activities/{draft.pk}.ics")

    # Assert
    assert response.status_code == 404


def test_activity_feed_keeps_ended_activity_and_its_until(client, db):
    # Arrange: a course that finished years ago still has a feed (history for subscribers)
    course = ActivityFactory(title="Old Course")
    slot = ScheduleFactory(
        activity=course, first_date=date(2020, 1, 7), sessions=4, start_time=time(10)
    )

    # Act
    response = client.get(f"/feeds/activities/{course.pk}.ics")

    # Assert
    assert event_uids(response) == {schedule_uid(slot)}
    assert b"RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU" in response.content


def test_browse_feed_drops_activities_long_finished(client, db, today):
    # Arrange
    recent = ActivityFactory(title="Recently ended")
    recent_slot = ScheduleFactory(
        activity=recent, frequency="once", first_date=today - timedelta(days=30)
    )
    old = ActivityFactory(title="Long ended")
    ScheduleFactory(activity=old, frequency="once", first_date=today - timedelta(days=400))

    # Act
    response = client.get("/activities/feed.ics")

    # Assert
    assert event_uids(response) == {schedule_uid(recent_slot)}


def test_feed_route_does_not_clash_with_export(client, two_providers):
    # Act
    export = client.get("/activities/export.csv")
    feed = client.get("/activities/feed.ics")

    # Assert
    assert (export["Content-Type"], feed["Content-Type"]) == (
        "text/csv; charset=utf-8",
        "text/calendar; charset=utf-8",
    )


def test_feed_refuses_post(client, two_providers):
    # Act
    response = client.post("/activities/feed.ics")

    # Assert
    assert response.status_code == 405


def test_head_request_sends_validators_without_body(client, two_providers):
    # Act
    response = client.head("/activities/feed.ics")

    # Assert
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"].startswith('"')


# --------------------------------------------------------------------------- conditional GET


def test_matching_etag_gets_304_with_validators(client, two_providers):
    # Arrange
    first = client.get("/activities/feed.ics")

    # Act
    again = client.get("/activities/feed.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    # Assert
    assert again.status_code == 304
    assert again.content == b""
    assert (again["ETag"], again["Last-Modified"], again["Cache-Control"]) == (
        first["ETag"],
        first["Last-Modified"],
        "public, max-age=3600",
    )


def test_if_modified_since_gets_304(client, two_providers):
    # Arrange
    first = client.get(f"/feeds/providers/{two_providers['minds'].pk}.ics")

    # Act
    again = client.get(
        f"/feeds/providers/{two_providers['minds'].pk}.ics",
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
    )

    # Assert
    assert again.status_code == 304


def test_304_costs_a_few_queries_whatever_the_size(client, db):
    # Arrange: the same conditional request over 2 and over 12 activities
    counts = []
    for extra in (2, 10):
        for _ in range(extra):
            ScheduleFactory(activity=ActivityFactory(), first_date=TUESDAY)
        etag = client.get("/activities/feed.ics")["ETag"]

        # Act
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/activities/feed.ics", HTTP_IF_NONE_MATCH=etag)
        counts.append(len(queries))
        assert response.status_code == 304

    # Assert: only the data-version query (the feed's own aggregates are cached)
    assert counts == [1, 1]


def test_full_feed_query_count_does_not_grow_with_activities(client, db):
    counts = []
    for extra in (2, 10):
        for _ in range(extra):
            activity = ActivityFactory(categories=[CategoryFactory(name="Art")])
            ScheduleFactory(activity=activity, first_date=TUESDAY)
            CancellationFactory(activity=activity, date=TUESDAY + timedelta(weeks=1))

        client.get("/activities/feed.ics")  # caches the site root paths and validators

        # Act
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/activities/feed.ics")
        counts.append(len(queries))
        assert response.status_code == 200

    # Assert: the data version, then activities, slots, cancellations and topics
    assert counts == [5, 5]


@pytest.mark.parametrize(
    "change",
    [
        "slot timing (sequence)",
        "new slot",
        "slot removed",
        "cancellation",
        "published again",
        "unpublished",
        "new activity",
        "venue edited",
        "topic renamed",
    ],
)
def test_etag_changes_when_feed_would_change(client, two_providers, change):
    # Arrange
    url = "/activities/feed.ics"
    before = client.get(url)
    art, slot = two_providers["tuesday_art"], two_providers["tuesday_slot"]

    # Act
    if change == "slot timing (sequence)":
        Schedule.objects.filter(pk=slot.pk).update(start_time=time(11), sequence=1)
    elif change == "new slot":
        ScheduleFactory(activity=art, first_date=WEDNESDAY)
    elif change == "slot removed":
        Schedule.objects.filter(pk=two_providers["wednesday_slot"].pk).delete()
    elif change == "cancellation":
        CancellationFactory(activity=art, date=TUESDAY + timedelta(weeks=2))
    elif change == "published again":
        ActivityPage.objects.filter(pk=art.pk).update(last_published_at=timezone.now())
    elif change == "unpublished":
        art.unpublish()
    elif change == "new activity":
        ScheduleFactory(activity=ActivityFactory(), first_date=TUESDAY)
    elif change == "venue edited":
        hall = two_providers["hall"]
        hall.name = "Hope Hall (main entrance)"
        hall.save()
    elif change == "topic renamed":
        Category.objects.filter(pk=two_providers["art"].pk).update(name="Arts and crafts")
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    # Assert
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content


def test_etag_differs_between_feeds(client, two_providers):
    # Act
    tags = {
        client.get(url)["ETag"]
        for url in (
            "/activities/feed.ics",
            "/activities/feed.ics?day=tue",
            f"/feeds/providers/{two_providers['minds'].pk}.ics",
            f"/feeds/venues/{two_providers['hall'].pk}.ics",
            f"/feeds/activities/{two_providers['tuesday_art'].pk}.ics",
        )
    }

    # Assert
    assert len(tags) == 5


def test_validators_same_with_and_without_cache(client, two_providers, settings):
    # Arrange
    cached = client.get("/activities/feed.ics?day=tue")
    settings.FEED_VALIDATOR_CACHE_SECONDS = 0

    # Act
    uncached = client.get("/activities/feed.ics?day=tue")

    # Assert
    assert (uncached["ETag"], uncached["Last-Modified"]) == (
        cached["ETag"],
        cached["Last-Modified"],
    )


def test_bulk_update_without_signals_changes_etag(client, two_providers):
    # Arrange: the spreadsheet import writes with UPDATE statements, no signals
    before = client.get("/activities/feed.ics")

    # Act
    Schedule.objects.filter(pk=two_providers["tuesday_slot"].pk).update(
        end_time=time(13), sequence=4
    )
    after = client.get("/activities/feed.ics", HTTP_IF_NONE_MATCH=before["ETag"])

    # Assert
    assert after.status_code == 200
    assert b"DTEND;TZID=Europe/London:" in after.content
    assert after["ETag"] != before["ETag"]


def test_renaming_empty_venue_changes_its_feed(client, db):
    # Arrange
    venue = VenueFactory(name="Old Hall")
    before = client.get(f"/feeds/venues/{venue.pk}.ics")

    # Act
    venue.name = "New Hall"
    venue.save()
    after = client.get(f"/feeds/venues/{venue.pk}.ics", HTTP_IF_NONE_MATCH=before["ETag"])

    # Assert
    assert after.status_code == 200
    assert str(Calendar.from_ical(after.content)["X-WR-CALNAME"]) == "What's on at New Hall"
