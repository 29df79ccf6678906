"""The calendar feed, read by independent clients and checked against the checklist.

The headline tests build a timetable covering every kind of schedule, fetch the citywide feed
over HTTP, expand it with Mozilla ical.js (Thunderbird's parser, on Node) and with the Python
recurring-ical-events library, and require every occurrence (date, local start and end,
summary, location) to equal the directory's own expansion (activities.recurrence) over two
whole years, so across two March and two October clock changes.

The years are next year and the one after, so every series is still current whenever the
tests run (the feed drops activities some months after they end).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.conf import settings
from icalendar import Calendar
from wagtail.models import Page

from activities import ical
from activities.enums import ActivityKind, Frequency
from activities.feeds.selectors import feed_activities
from activities.models import ActivityPage
from activities.recurrence import LONDON, Rule
from tests.factories import (
    ActivityFactory,
    CancellationFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
)
from tests.support import dates
from tests.support.calendars.clients import (
    directory_sessions,
    icaljs_expand,
    icaljs_sessions,
    python_sessions,
)
from tests.support.dates import first_fifth_weekday, weekday_on_or_after

pytestmark = pytest.mark.django_db


YEAR = dates.next_year()
WINDOW = (date(YEAR, 1, 1), date(YEAR + 1, 12, 31))
MO, TU, WE, TH, FR = dates.MONDAY, dates.TUESDAY, dates.WEDNESDAY, dates.THURSDAY, dates.FRIDAY


def last_sunday(year: int, month: int) -> date:
    """Clock-change days in the UK: the last Sunday of March and of October."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def feed_bytes(client, path="/activities/feed.ics") -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return response.content


@pytest.fixture
def timetable(db):
    """One provider's timetable with every schedule form the directory supports."""
    provider = ProviderFactory(title="Mersey Minds")
    hall = VenueFactory(name="Hope Hall", address="1 Hope Street, Liverpool", postcode="L1 9BQ")
    park = VenueFactory(name="Sefton Park Café", address="Aigburth Drive", postcode="L17 1AP")
    walking = CategoryFactory(name="Walking")

    def activity(title, **kwargs):
        kwargs.setdefault("venue", hall)
        return ActivityFactory(parent=provider, title=title, **kwargs)

    march_change = last_sunday(YEAR, 3)
    october_change = last_sunday(YEAR, 10)

    weekly = activity("Tuesday Walk, Talk & Tea", venue=park, categories=[walking])
    weekly_slot = ScheduleFactory(
        activity=weekly,
        first_date=weekday_on_or_after(date(YEAR - 1, 11, 1), TU),  # before the window
        start_time=time(10, 30),
        end_time=time(12, 30),
    )
    for day in (
        weekday_on_or_after(march_change, TU),  # first Tuesday of summer time
        weekday_on_or_after(date(YEAR, 12, 24), TU),
    ):
        CancellationFactory(activity=weekly, date=day, reason="Closed")
    # Not a Tuesday: means nothing for this slot, so it must not become an EXDATE.
    CancellationFactory(activity=weekly, date=weekday_on_or_after(date(YEAR, 6, 1), WE))

    fortnightly = activity("Men's Shed evening", kind=ActivityKind.GROUP)
    ScheduleFactory(
        activity=fortnightly,
        frequency=Frequency.FORTNIGHTLY,
        first_date=weekday_on_or_after(date(YEAR, 2, 1), TH),
        start_time=time(18, 0),
        end_time=time(19, 30),
        last_date=date(YEAR + 1, 6, 30),
    )
    CancellationFactory(
        activity=fortnightly,
        date=weekday_on_or_after(date(YEAR, 2, 1), TH) + timedelta(weeks=2 * 20),
    )

    monthly = activity("First Friday Art Club")
    monthly_first = weekday_on_or_after(date(YEAR, 1, 1), FR)
    ScheduleFactory(
        activity=monthly,
        frequency=Frequency.MONTHLY,
        first_date=monthly_first,
        start_time=time(14, 0),
        end_time=time(16, 0),
    )
    CancellationFactory(activity=monthly, date=weekday_on_or_after(date(YEAR, 4, 1), FR))

    last_weekday = activity("Last Wednesday Carers' Café")
    ScheduleFactory(
        activity=last_weekday,
        frequency=Frequency.MONTHLY,
        # A fifth Wednesday (from April), so "the last Wednesday" every month.
        first_date=first_fifth_weekday(YEAR, WE, from_month=4),
        start_time=time(19, 0),
        end_time=time(20, 30),
    )

    spring_course = activity("Coping with Worry (spring)", kind=ActivityKind.COURSE)
    spring_first = weekday_on_or_after(march_change - timedelta(days=14), TU)
    ScheduleFactory(
        activity=spring_course,
        first_date=spring_first,
        start_time=time(10, 0),
        end_time=time(12, 0),
        sessions=6,
    )
    # Week 3 is cancelled: a six-session course then has five sessions (COUNT counts it).
    CancellationFactory(activity=spring_course, date=spring_first + timedelta(weeks=2))

    autumn_course = activity("Coping with Worry (autumn)", kind=ActivityKind.COURSE)
    ScheduleFactory(
        activity=autumn_course,
        first_date=weekday_on_or_after(october_change - timedelta(days=14), TU),
        start_time=time(13, 0),
        end_time=time(15, 0),
        sessions=8,
    )

    online = activity(
        "Online Social",
        venue=None,
        online=True,
        meeting_link="https://meet.example.org/online-social",
    )
    ScheduleFactory(
        activity=online,
        first_date=weekday_on_or_after(date(YEAR, 1, 1), MO),
        start_time=time(19, 0),
        end_time=time(20, 0),
        last_date=date(YEAR, 11, 30),
    )

    one_off = activity("Summer Picnic", kind=ActivityKind.ONE_OFF, venue=park)
    ScheduleFactory(
        activity=one_off,
        frequency=Frequency.ONCE,
        first_date=date(YEAR, 7, 15),
        start_time=time(12, 0),
        end_time=time(15, 0),
    )

    both_limits = activity("Gardening Taster")
    ScheduleFactory(
        activity=both_limits,
        first_date=weekday_on_or_after(date(YEAR, 9, 1), TH),
        start_time=time(9, 30),
        end_time=time(11, 0),
        sessions=10,
        last_date=weekday_on_or_after(date(YEAR, 9, 1), TH) + timedelta(weeks=4),
    )

    two_slots = activity("Drop-in Café", kind=ActivityKind.DROP_IN)
    for weekday in (MO, WE):
        ScheduleFactory(
            activity=two_slots,
            first_date=weekday_on_or_after(date(YEAR, 1, 5), weekday),
            start_time=time(11, 0),
            end_time=time(14, 0),
        )
    CancellationFactory(activity=two_slots, date=weekday_on_or_after(date(YEAR, 12, 20), MO))
    CancellationFactory(activity=two_slots, date=weekday_on_or_after(date(YEAR, 12, 20), WE))

    return {"provider": provider, "weekly_slot": weekly_slot}


def all_activities():
    return list(
        ActivityPage.objects.prefetch_related("schedules", "cancellations").select_related("venue")
    )


# --------------------------------------------------------------------------- real clients


def test_icaljs_expands_citywide_feed_exactly_as_directory(client, timetable):
    # Arrange
    expected = directory_sessions(all_activities(), start=WINDOW[0], end=WINDOW[1])

    # Act
    sessions = icaljs_sessions(feed_bytes(client), start=WINDOW[0], end=WINDOW[1])

    # Assert
    assert len(expected) > 400  # two years of a weekly group alone is over a hundred
    assert sessions == expected


def test_recurring_ical_events_expands_citywide_feed_exactly_as_directory(client, timetable):
    # Arrange
    expected = directory_sessions(all_activities(), start=WINDOW[0], end=WINDOW[1])

    # Act
    sessions = python_sessions(feed_bytes(client), start=WINDOW[0], end=WINDOW[1])

    # Assert
    assert sessions == expected


def test_icaljs_keeps_local_time_across_clock_changes(client, timetable):
    # Arrange: the weekly 10:30 group, on the Tuesdays either side of the October change
    october_change = last_sunday(YEAR, 10)
    before = weekday_on_or_after(october_change - timedelta(days=7), TU)
    after = weekday_on_or_after(october_change, TU)
    uid = ical.schedule_uid(timetable["weekly_slot"])

    # Act
    occurrences = icaljs_expand(feed_bytes(client), start=before, end=after)["occurrences"]

    # Assert: same wall clock, the UTC instant moves by the hour
    walk = [(o["start"], o["start_utc"]) for o in occurrences if o["uid"] == uid]
    assert walk == [
        (f"{before}T10:30", f"{before}T09:30Z"),
        (f"{after}T10:30", f"{after}T10:30Z"),
    ]


def test_icaljs_reads_calendar_name_and_refresh_hints(client, timetable):
    # Act
    calendar = icaljs_expand(feed_bytes(client), start=WINDOW[0], end=WINDOW[0])["calendar"]

    # Assert
    assert calendar == {
        "name": "No Wrong Door: everything on",
        "x-wr-calname": "No Wrong Door: everything on",
        "refresh-interval": "PT6H",
        "x-published-ttl": "PT6H",
        "method": None,
    }


def test_icaljs_reads_provider_feed_of_online_sessions(client, timetable):
    # Arrange
    provider = timetable["provider"]
    online = ActivityPage.objects.get(title="Online Social")
    expected = directory_sessions([online], start=WINDOW[0], end=WINDOW[1])

    # Act
    feed = feed_bytes(client, f"/feeds/providers/{provider.pk}.ics")
    sessions = [
        s
        for s in icaljs_sessions(feed, start=WINDOW[0], end=WINDOW[1])
        if s.summary == "Online Social"
    ]

    # Assert
    assert sessions == expected
    assert {s.location for s in sessions} == {"Online"}
    assert sessions[-1].day <= date(YEAR, 11, 30).isoformat()


# --------------------------------------------------------------------------- the checklist


def data_of(activity) -> ical.ActivityData:
    """What the feeds hand activities.ical for one activity (the real selection)."""
    [data] = feed_activities(ActivityPage.objects.filter(pk=activity.pk))
    return data


def parsed(feed: bytes) -> Calendar:
    return Calendar.from_ical(feed)


def event_lines(feed: bytes, uid: str) -> list[str]:
    text = feed.decode().replace("\r\n ", "")  # unfold
    block = re.search(
        rf"BEGIN:VEVENT\r\n((?:(?!END:VEVENT).)*UID:{re.escape(uid)}\r\n.*?)END:VEVENT", text, re.S
    )
    assert block, f"no VEVENT with UID {uid}"
    return block.group(1).split("\r\n")


def test_feed_uses_crlf_and_folds_long_lines(client, timetable):
    # Act
    feed = feed_bytes(client)

    # Assert
    assert feed.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"\n" not in feed.replace(b"\r\n", b"")
    assert max(len(line) for line in feed.split(b"\r\n")) <= 75


def test_feed_has_one_vtimezone_in_rrule_form_before_events(client, timetable):
    # Act
    feed = feed_bytes(client)
    calendar = parsed(feed)

    # Assert
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    rules = sorted(str(sub["RRULE"].to_ical(), "ascii") for sub in zone.subcomponents)
    assert rules == ["FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"]
    assert b"RDATE" not in feed
    assert feed.index(b"BEGIN:VTIMEZONE") < feed.index(b"BEGIN:VEVENT")


def test_feed_calendar_properties_follow_checklist(client, timetable):
    # Act
    calendar = parsed(feed_bytes(client))

    # Assert
    assert (
        str(calendar["VERSION"]),
        str(calendar["PRODID"]),
        str(calendar["X-WR-TIMEZONE"]),
        str(calendar["URL"]),
        "METHOD" in calendar,
    ) == ("2.0", ical.PRODID, "Europe/London", "http://testserver/activities/", False)
    assert calendar.to_ical().count(b"REFRESH-INTERVAL;VALUE=DURATION:PT6H") == 1


def test_weekly_slot_event_has_stable_uid_sequence_and_exdates(client, timetable):
    # Arrange
    slot = timetable["weekly_slot"]
    uid = f"{slot.uid}@nowrongdoor"
    closed = sorted(c.date for c in slot.activity.cancellations.all() if c.date.weekday() == TU)

    # Act
    lines = event_lines(feed_bytes(client), uid)

    # Assert
    exdates = ",".join(f"{day:%Y%m%d}T103000" for day in closed)
    assert f"DTSTART;TZID=Europe/London:{slot.first_date:%Y%m%d}T103000" in lines
    assert f"DTEND;TZID=Europe/London:{slot.first_date:%Y%m%d}T123000" in lines
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU" in lines
    assert f"EXDATE;TZID=Europe/London:{exdates}" in lines
    assert "SEQUENCE:0" in lines
    assert "TRANSP:TRANSPARENT" in lines
    assert "STATUS:CONFIRMED" in lines
    assert "SUMMARY:Tuesday Walk\\, Talk & Tea" in lines
    assert "LOCATION:Sefton Park Café\\, Aigburth Drive\\, L17 1AP" in lines
    assert "GEO:53.4017;-2.98" in lines
    assert "CATEGORIES:Group,Walking" in lines


def test_rrule_forms_for_each_frequency():
    # Arrange
    tuesday = date(2027, 1, 5)
    fifth_friday = date(2027, 1, 29)

    # Act
    forms = [
        ical.rrule_for(Rule(Frequency.WEEKLY, tuesday, time(10), time(11))),
        ical.rrule_for(Rule(Frequency.FORTNIGHTLY, tuesday, time(10), time(11))),
        ical.rrule_for(Rule(Frequency.MONTHLY, tuesday, time(10), time(11))),
        ical.rrule_for(Rule(Frequency.MONTHLY, fifth_friday, time(10), time(11))),
        ical.rrule_for(Rule(Frequency.WEEKLY, tuesday, time(10), time(11), sessions=6)),
        ical.rrule_for(Rule(Frequency.ONCE, tuesday, time(10), time(11))),
    ]

    # Assert
    assert forms == [
        {"FREQ": "WEEKLY", "BYDAY": "TU"},
        {"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": "TU"},
        {"FREQ": "MONTHLY", "BYDAY": "1TU"},
        {"FREQ": "MONTHLY", "BYDAY": "-1FR"},
        {"FREQ": "WEEKLY", "BYDAY": "TU", "COUNT": 6},
        None,
    ]


def test_until_is_end_of_last_local_day_in_utc():
    # Arrange: a series ending in summer time, and one with both a count and a last date
    summer = Rule(
        Frequency.WEEKLY, date(2027, 6, 1), time(10), time(11), last_date=date(2027, 7, 1)
    )
    both = Rule(
        Frequency.WEEKLY,
        date(2027, 1, 5),
        time(10),
        time(11),
        sessions=3,
        last_date=date(2027, 12, 1),
    )

    # Act / Assert: 29 June is the last Tuesday by 1 July; 23:59:59 BST is 22:59:59 UTC
    assert ical.rrule_for(summer)["UNTIL"] == datetime(2027, 6, 29, 22, 59, 59, tzinfo=UTC)
    assert ical.rrule_for(both) == {
        "FREQ": "WEEKLY",
        "BYDAY": "TU",
        "UNTIL": datetime(2027, 1, 19, 23, 59, 59, tzinfo=UTC),
    }


def test_until_is_written_in_utc_and_never_with_count(client, timetable):
    # Act
    feed = feed_bytes(client).decode().replace("\r\n ", "")

    # Assert
    rules = re.findall(r"^RRULE:(.*)$", feed, re.M)
    assert rules and all(not ("UNTIL" in r and "COUNT" in r) for r in rules)
    assert all(re.search(r"UNTIL=\d{8}T\d{6}Z", r) for r in rules if "UNTIL" in r)


def test_feed_without_changes_is_byte_identical(client, timetable):
    # Act
    first = feed_bytes(client)
    second = feed_bytes(client)

    # Assert
    assert first == second


def test_dtstamp_is_last_published_time_in_utc(client, timetable):
    # Arrange
    slot = timetable["weekly_slot"]
    published = datetime(2027, 3, 1, 12, 30, 15, tzinfo=UTC)
    ActivityPage.objects.filter(pk=slot.activity_id).update(last_published_at=published)

    # Act
    lines = event_lines(feed_bytes(client), ical.schedule_uid(slot))

    # Assert
    assert "DTSTAMP:20270301T123015Z" in lines
    assert "LAST-MODIFIED:20270301T123015Z" in lines


def test_uid_survives_rename(client, timetable):
    # Arrange
    slot = timetable["weekly_slot"]
    uid = ical.schedule_uid(slot)
    page = Page.objects.get(pk=slot.activity_id)
    page.title = "Tuesday Walk"
    page.slug = "tuesday-walk"
    page.save()

    # Act
    lines = event_lines(feed_bytes(client), uid)

    # Assert
    assert "SUMMARY:Tuesday Walk" in lines


def test_description_is_plain_text_with_who_and_how_to_join(timetable):
    # Arrange
    activity = ActivityPage.objects.get(title="Tuesday Walk, Talk & Tea")
    ActivityPage.objects.filter(pk=activity.pk).update(
        who_for="Anyone who wants gentle exercise.", professional_referral=True
    )
    page_url = f"{settings.SITE_URL}{activity.url}"

    # Act
    [event] = ical.activity_events(data_of(activity))

    # Assert
    assert event.description == (
        "A friendly group for anyone who would like some company.\n\n"
        "Who it suits: Anyone who wants gentle exercise.\n\n"
        "Run by Mersey Minds.\nCost: Free.\n"
        "How to join: You can just come along or refer yourself; a professional can refer you.\n\n"
        f"Check for last-minute changes: {page_url}"
    )
    assert event.url == page_url


def test_online_event_links_to_meeting_and_says_online(timetable):
    # Arrange
    activity = ActivityPage.objects.get(title="Online Social")

    # Act
    [event] = ical.activity_events(data_of(activity))

    # Assert
    assert (event.location, event.url, event.geo) == (
        "Online",
        "https://meet.example.org/online-social",
        None,
    )
    assert "Join online: https://meet.example.org/online-social" in event.description


def test_exdates_capped_at_most_recent(db):
    # Arrange: a weekly group with more cancelled sessions than Google accepts
    activity = ActivityFactory()
    slot = ScheduleFactory(activity=activity, first_date=date(2027, 1, 4))
    days = [date(2027, 1, 4) + timedelta(weeks=n) for n in range(ical.MAX_EXDATES + 5)]
    for day in days:
        CancellationFactory(activity=activity, date=day)

    # Act
    [event] = ical.activity_events(data_of(activity))

    # Assert
    assert slot.frequency == Frequency.WEEKLY
    assert [e.date() for e in event.exdates] == days[5:]
    assert event.exdates[0].tzinfo is LONDON


def test_service_without_slots_has_no_event(db):
    # Arrange
    activity = ActivityFactory(kind=ActivityKind.SERVICE)

    # Act
    events = ical.activity_events(data_of(activity))

    # Assert
    assert events == []
