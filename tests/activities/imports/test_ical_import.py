"""Importing a provider's calendar (.ics) exported from Google, Outlook or Apple Calendar.

Real exports (tests/support/calendars/fixtures) prove files from those clients are read and their
unsupported events reported; files written in each client's shape with Liverpool addresses
(fixtures/written) prove a successful import. Bad and hostile files are refused with a
clear message and nothing saved.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.ical import schedule_uid
from activities.imports.calendar import CalendarRefused, calendar_import, calendar_plan
from activities.models import ActivityPage, Cancellation, Schedule
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support.calendars.clients import icaljs_sessions, python_sessions
from tests.support.calendars.files import YEAR, placeholder_date, real_export, written
from venues.models import Venue

pytestmark = pytest.mark.django_db


UPLOAD = "/admin/calendar-import/"
CONFIRM = "/admin/calendar-import/confirm/"
TODAY = timezone.localdate()


@pytest.fixture
def provider(db):
    return ProviderFactory(title="Hope Wellbeing")


def plan_of(data: bytes, provider):
    return calendar_plan(data=data, provider=provider, today=TODAY)


def ics(*events: str, head: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{head}{body}END:VCALENDAR\r\n".encode()
    )


def event(lines: dict[str, str | None] | None = None, **props: str) -> str:
    """One VEVENT's lines: a Tuesday art group at Hope Hall, with `lines` (exact property
    names, None removes one) and `props` (DESCRIPTION=..., RRULE=...) changed."""
    values = {
        "UID": "e1@example.org",
        "SUMMARY": "Art Group",
        "DTSTART;TZID=Europe/London": f"{YEAR}0105T100000",
        "DTEND;TZID=Europe/London": f"{YEAR}0105T120000",
        "LOCATION": "Hope Hall\\, 1 Hope Street\\, Liverpool L1 9BQ",
        "DESCRIPTION": "Drawing and painting.",
    }
    values.update(lines or {})
    values.update(props)
    return "\r\n".join(f"{name}:{value}" for name, value in values.items() if value is not None)


# --------------------------------------------------------------------------- written files


def test_google_calendar_events_become_rows(provider):
    # Act
    plan = plan_of(written("google-liverpool"), provider)

    # Assert
    tuesday = placeholder_date("TUE")
    wednesday = placeholder_date("WED")
    starts = f"{wednesday.day} {wednesday:%B %Y}"
    assert [(e.summary, e.slots) for e in plan.events] == [
        ("Walk and Talk", ["Every Tuesday, 11:00 to 12:30"]),
        ("Coping with Worry", [f"Every Wednesday, 10:00 to 12:00, 6 weeks from Wed {starts}"]),
        ("First Friday Art Club", ["First Friday of the month, 14:00 to 16:00"]),
        ("Online Social", ["Every Monday, 19:00 to 20:00", "Every Thursday, 19:00 to 20:00"]),
    ]
    walk = plan.rows[0]
    assert {k: walk[k] for k in ("title", "kind", "venue_name", "address", "postcode")} == {
        "title": "Walk and Talk",
        "kind": "group",
        "venue_name": "Sefton Park Café",
        "address": "Aigburth Drive, Liverpool",
        "postcode": "L17 1AP",
    }
    # Two deleted sessions (EXDATE) and one moved in Google (RECURRENCE-ID) are cancelled.
    assert walk["cancelled_dates"] == "; ".join(
        (tuesday + timedelta(weeks=n)).isoformat() for n in (2, 4, 5)
    )
    assert walk["description"] == (
        "A gentle walk round Sefton Park and a cuppa after.\n\n"
        "Just come along: more about the walk (https://hope.example.org/walk)"
    )
    moved = tuesday + timedelta(weeks=4)
    assert plan.events[0].notes == [
        f"The session on {moved.day} {moved:%B %Y} was moved or changed in your "
        "calendar: it is recorded as cancelled; add the new time by hand if it still runs."
    ]
    online = plan.rows[3:]
    assert [(r["online"], r["meeting_link"], r["part_of"], r["first_date"]) for r in online] == [
        ("yes", "https://meet.google.com/abc-defg-hij", "", placeholder_date("MON").isoformat()),
        ("", "", online[0]["ref"], placeholder_date("THU").isoformat()),
    ]
    assert [(s.summary, s.reason) for s in plan.skipped] == [
        ("Staff away day", "it is an all-day event; the timetable lists sessions with times."),
        ("Annual party", "it repeats once a year, which the timetable cannot show."),
    ]


def test_outlook_events_become_rows(provider):
    # Act
    plan = plan_of(written("outlook-liverpool"), provider)

    # Assert: quoted Windows zone name, UNTIL in UTC at local midnight, BYSETPOS
    shed, carers = plan.rows
    assert (shed["frequency"], shed["first_date"], shed["last_date"], shed["cancelled_dates"]) == (
        "fortnightly",
        placeholder_date("THU").isoformat(),
        f"{YEAR}-06-30",
        placeholder_date("THU", 4).isoformat(),
    )
    assert (carers["frequency"], carers["first_date"], carers["sessions"], carers["kind"]) == (
        "monthly",
        placeholder_date("TUE", 1).isoformat(),
        "10",
        "course",
    )
    assert [(s.summary, s.reason) for s in plan.skipped] == [
        ("Staff meeting", "it repeats by BYMONTHDAY, which the timetable cannot show."),
    ]


def test_apple_calendar_events_become_rows(provider):
    # Act
    plan = plan_of(written("apple-liverpool"), provider)

    # Assert: newline-separated LOCATION, two weekdays as two slots, "last Wednesday"
    monday, wednesday, last_wednesday, picnic = plan.rows
    assert (monday["venue_name"], monday["address"], monday["postcode"]) == (
        "Bold Street Café",
        "Bold Street, Liverpool",
        "L1 4DN",
    )
    assert (wednesday["part_of"], wednesday["first_date"], wednesday["last_date"]) == (
        monday["ref"],
        (placeholder_date("MON") + timedelta(days=2)).isoformat(),
        f"{YEAR}-12-18",
    )
    assert monday["cancelled_dates"] == placeholder_date("MON", 3).isoformat()
    assert (last_wednesday["frequency"], last_wednesday["first_date"]) == (
        "monthly",
        placeholder_date("WED5").isoformat(),
    )
    assert plan.events[1].slots == ["Last Wednesday of the month, 19:00 to 20:30"]
    assert (picnic["frequency"], picnic["kind"]) == ("once", "one-off")
    assert plan.skipped == []


# --------------------------------------------------------------------------- real exports


def test_real_google_export_of_weekly_online_classes(provider):
    # Act
    plan = plan_of(real_export("google-weekly-online.ics"), provider)

    # Assert: sixteen open-ended weekly events, online, links taken from HTML descriptions
    assert len(plan.events) == 16
    assert plan.skipped == []
    first = plan.rows[0]
    assert (first["title"], first["online"], first["meeting_link"], first["start_time"]) == (
        "RC-p",
        "yes",
        "https://videoconf-colibri.zoom.us/j/98525406376?pwd=TGxQVHhNM1p1OUM3MVRTQTdsbFhQdz09",
        "16:00",
    )
    assert {r["frequency"] for r in plan.rows} == {"weekly"}
    # Lisbon keeps London's clock: no time-zone note.
    assert all(e.notes == [] for e in plan.events)


def test_real_google_export_reports_every_event_it_cannot_import(provider):
    # Act
    plan = plan_of(real_export("google-auckland-ls-joyous.ics"), provider)
    with pytest.raises(CalendarRefused) as refused:
        calendar_import(rows=plan.rows, summaries=plan.summaries, provider=provider)

    # Assert
    assert [(s.summary, s.reason) for s in plan.skipped] == [
        ("Big Thursday", "it is over (its last session was on 25 July 2018)."),
        ("Tuesday Mornings", "it is over (its last session was on 28 August 2018)."),
        ("Three days off", "it is an all-day event; the timetable lists sessions with times."),
        ("Little Wednesday", "it is over (its last session was on 17 July 2018)."),
        ("Conference Call", "it is over (its last session was on 23 July 2018)."),
    ]
    assert refused.value.problems == [
        "Nothing in this calendar can become an activity: see the reasons listed."
    ]
    assert ActivityPage.objects.count() == 0


def test_real_outlook_exports_are_read(provider):
    # Act
    exchange = plan_of(real_export("outlook-exchange-2010.ics"), provider)
    outlook_2003 = plan_of(real_export("outlook-2003-ls-joyous.ics"), provider)

    # Assert
    assert [(s.summary, s.reason) for s in exchange.skipped] == [
        ("test123", "it is an all-day event; the timetable lists sessions with times."),
        (
            "test123 - edited event!!!!",
            "it is an all-day event; the timetable lists sessions with times.",
        ),
        ("outlook event with alarm", "it is over (its last session was on 4 October 2024)."),
    ]
    assert exchange.calendar_name == "Kalender"
    # Two VCALENDAR objects in one file, floating times read as UK time.
    assert [(s.summary, s.when) for s in outlook_2003.skipped] == [
        ("Sounds Air - Flight Reminder", "30 Jul 2018 09:25"),
        ("Sounds Air - Flight Reminder", "31 Jul 2018 08:15"),
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("apple-ical4-old.ics", "it is over (its last session was on 7 March 2000)."),
        ("apple-ical4-endless.ics", "it repeats once a year, which the timetable cannot show."),
        (
            "apple-ical4-repeating-awhile.ics",
            "it repeats once a year, which the timetable cannot show.",
        ),
        (
            "apple-ical4-straddling.ics",
            "it repeats monthly on a date or on several days: the timetable has “the same "
            "weekday of each month” (e.g. the first Friday).",
        ),
        ("apple-ical4-recent.ics", "it is over (its last session was on 4 March 2010)."),
    ],
)
def test_real_apple_exports_are_read_and_reasons_given(provider, name, reason):
    # Act
    plan = plan_of(real_export(name), provider)

    # Assert
    assert [s.reason for s in plan.skipped] == [reason]
    assert plan.rows == []


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("rrule", "reason"),
    [
        (
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU",
            "it repeats every 3 weeks: the timetable has weekly and fortnightly.",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=5", "it repeats by BYMONTHDAY, which the timetable cannot show."),
        (
            "FREQ=WEEKLY;COUNT=6;BYDAY=TU,TH",
            "it has a number of sessions spread over several weekdays: add it as one "
            "activity per weekday by hand.",
        ),
        (
            "FREQ=WEEKLY;BYDAY=WE",
            "it starts on a Tuesday but repeats on other days, which calendar apps show "
            "differently.",
        ),
        ("FREQ=DAILY;INTERVAL=2", "it repeats every few days, which the timetable cannot show."),
    ],
)
def test_unsupported_rules_are_reported_per_event(provider, rrule, reason):
    # Arrange ({YEAR}-01-05 is moved to a Tuesday below)
    tuesday = placeholder_date("TUE")
    data = ics(
        event(
            {
                "DTSTART;TZID=Europe/London": f"{tuesday:%Y%m%d}T100000",
                "DTEND;TZID=Europe/London": f"{tuesday:%Y%m%d}T120000",
            },
            RRULE=rrule,
        )
    )

    # Act
    plan = plan_of(data, provider)

    # Assert
    assert [(s.summary, s.reason) for s in plan.skipped] == [("Art Group", reason)]


def test_last_weekday_series_starting_on_fourth_is_reported(provider):
    # Arrange: a "last Friday" group whose first session is a 4th (and last) Friday
    first = date(YEAR, 2, 1) + timedelta(days=(4 - date(YEAR, 2, 1).weekday()) % 7, weeks=3)
    data = ics(
        event(
            {
                "DTSTART;TZID=Europe/London": f"{first:%Y%m%d}T100000",
                "DTEND;TZID=Europe/London": f"{first:%Y%m%d}T120000",
            },
            RRULE="FREQ=MONTHLY;BYDAY=-1FR",
        )
    )

    # Act
    plan = plan_of(data, provider)

    # Assert (February has four Fridays, so its 4th is its last)
    assert (first.month, (first + timedelta(weeks=1)).month) == (2, 3)
    assert [s.reason for s in plan.skipped] == [
        "it is on the last Friday of the month but starts on the 4th one: we can only record "
        "“last” from a month that has five Fridays (add it by hand)."
    ]


def test_open_ended_weekly_group_is_accepted(provider):
    # Act
    plan = plan_of(ics(event(RRULE="FREQ=WEEKLY")), provider)

    # Assert
    assert (plan.rows[0]["sessions"], plan.rows[0]["last_date"], plan.rows[0]["kind"]) == (
        "",
        "",
        "group",
    )


def test_no_location_and_only_a_web_page_link_is_reported(provider):
    # Arrange: a link to the organisation's page is not a place to meet
    data = ics(event(LOCATION="", DESCRIPTION="See https://hope.example.org/art"))

    # Act
    plan = plan_of(data, provider)

    # Assert
    assert [s.reason for s in plan.skipped] == ["it has no location and no meeting link."]


def test_location_without_postcode_is_reported(provider):
    # Act
    plan = plan_of(ics(event(LOCATION="Room 5, the Old School")), provider)

    # Assert
    assert [s.reason for s in plan.skipped] == [
        "its location (“Room 5, the Old School”) has no UK postcode: add the postcode to the "
        "event in your calendar, or add this activity by hand."
    ]


def test_event_in_other_time_zone_is_converted_and_noted(provider):
    # Arrange: 10:00 in New York is 15:00 in London in January
    data = ics(
        event(
            {
                "DTSTART;TZID=Europe/London": None,
                "DTEND;TZID=Europe/London": None,
                "DTSTART;TZID=America/New_York": f"{YEAR}0105T100000",
                "DTEND;TZID=America/New_York": f"{YEAR}0105T110000",
            }
        )
    )

    # Act
    plan = plan_of(data, provider)

    # Assert
    assert (plan.rows[0]["start_time"], plan.rows[0]["end_time"]) == ("15:00", "16:00")
    assert plan.events[0].notes == [
        "Its times were in another time zone: we used the UK time of its first session."
    ]


# --------------------------------------------------------------------------- bad input


def refusal(data: bytes, provider) -> list[str]:
    with pytest.raises(CalendarRefused) as excinfo:
        plan_of(data, provider)
    return excinfo.value.problems


def test_not_utf8_is_refused(provider):
    data = ics(event(SUMMARY="Café")).decode().encode("latin-1")
    position = data.index("é".encode("latin-1")) + 1

    assert refusal(data, provider) == [
        f"This file is not in UTF-8 text (byte {position} cannot be read). "
        "Export it again from your calendar app: Google, Outlook and Apple Calendar all save "
        ".ics files as UTF-8."
    ]


def test_not_a_calendar_is_refused(provider):
    assert refusal(b"ref,title\r\nA-1,Art\r\n", provider) == [
        "This is not a calendar file: an .ics file starts with “BEGIN:VCALENDAR”."
    ]


def test_missing_dtstart_is_refused(provider):
    data = ics(event({"DTSTART;TZID=Europe/London": None}))

    assert refusal(data, provider) == [
        "“Art Group” (no date): it has no start (DTSTART), or its start cannot be read."
    ]


def test_unreadable_dtstart_is_refused(provider):
    data = ics(event({"DTSTART;TZID=Europe/London": "2027xx05T100000"}))

    assert refusal(data, provider) == [
        "“Art Group” (no date): it has no start (DTSTART), or its start cannot be read."
    ]


def test_end_before_start_is_refused(provider):
    data = ics(event({"DTEND;TZID=Europe/London": f"{YEAR}0105T090000"}))

    assert refusal(data, provider) == [
        f"“Art Group” (05 Jan {YEAR} 10:00): it ends before it starts."
    ]


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        ("FREQ=MINUTELY", "it repeats every minute, which is not a timetable."),
        ("FREQ=SECONDLY;COUNT=5", "it repeats every second, which is not a timetable."),
        ("FREQ=HOURLY", "it repeats every hour, which is not a timetable."),
        (
            "FREQ=DAILY;COUNT=100000",
            "it repeats 100000 times; we accept at most 520 sessions in one series.",
        ),
    ],
)
def test_absurd_rules_refuse_the_file(provider, rrule, message):
    assert refusal(ics(event(RRULE=rrule)), provider) == [
        f"“Art Group” (05 Jan {YEAR} 10:00): {message}"
    ]


def test_too_many_events_is_refused(provider, settings):
    settings.ICAL_IMPORT_MAX_EVENTS = 2
    data = ics(*(event(UID=f"e{n}@example.org") for n in range(3)))

    assert refusal(data, provider) == [
        "This calendar has 3 events; we import at most 2 at a time. Export only the calendar "
        "with your groups in it, or split it."
    ]


def test_huge_file_is_refused(provider, settings):
    settings.ICAL_IMPORT_MAX_BYTES = 1024
    data = ics(event(DESCRIPTION="x" * 2000))

    assert refusal(data, provider) == [
        f"This file is {len(data) / 1024:.1f}\xa0KB; the largest calendar we accept is 1.0\xa0KB. "
        "Export only the calendar with your groups in it, or only events from this year on."
    ]


def test_broken_content_line_is_refused(provider):
    data = b"BEGIN:VCALENDAR\r\nthis is not a property\r\nEND:VCALENDAR\r\n"

    [message] = refusal(data, provider)
    assert message.startswith("We could not read this calendar file: ")


# --------------------------------------------------------------------------- through the admin


@pytest.fixture
def editor_client(client, provider):
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)
    return client


def upload(client, provider, data: bytes, name="calendar.ics"):
    file = SimpleUploadedFile(name, data, content_type="text/calendar")
    return client.post(UPLOAD, {"provider": provider.pk, "file": file})


def test_admin_urls_and_menu(editor_client):
    # Act
    menu = editor_client.get("/admin/")
    form = editor_client.get(UPLOAD)

    # Assert
    assert (reverse("ical_import"), reverse("ical_import_confirm")) == (UPLOAD, CONFIRM)
    assert "Import calendar (.ics)" in menu.content.decode()
    assert form.status_code == 200
    assert "url" not in form.context["form"].fields  # fetching is off by default


def test_check_step_previews_and_writes_nothing(editor_client, provider):
    # Act
    response = upload(editor_client, provider, written("google-liverpool"))

    # Assert
    page = response.content.decode()
    assert response.context["result"].created == 4
    assert [row["action"] for row in response.context["events"]] == ["New"] * 4
    assert "Not imported because it repeats once a year" in page
    assert 'name="token"' in page
    assert ActivityPage.objects.count() == Schedule.objects.count() == 0
    assert Venue.objects.count() == 0


def test_confirm_imports_activities_slots_and_cancellations(editor_client, provider):
    # Arrange
    upload(editor_client, provider, written("google-liverpool"))
    token = editor_client.session["ical_import"]["token"]

    # Act
    response = editor_client.post(CONFIRM, {"token": token})

    # Assert
    assert response.status_code == 302
    walk = ActivityPage.objects.get(title="Walk and Talk")
    [slot] = walk.schedules.all()
    assert (walk.provider_id, walk.live, walk.venue.postcode) == (provider.pk, True, "L17 1AP")
    assert (slot.frequency, slot.first_date, slot.start_time, slot.end_time) == (
        "weekly",
        placeholder_date("TUE"),
        time(11),
        time(12, 30),
    )
    assert sorted(c.date for c in Cancellation.objects.filter(activity=walk)) == [
        placeholder_date("TUE", n) for n in (2, 4, 5)
    ]
    online = ActivityPage.objects.get(title="Online Social")
    assert (online.online, online.meeting_link, online.schedules.count()) == (
        True,
        "https://meet.google.com/abc-defg-hij",
        2,
    )


def test_importing_same_calendar_again_changes_nothing(editor_client, provider):
    # Arrange
    upload(editor_client, provider, written("apple-liverpool"))
    editor_client.post(CONFIRM, {"token": editor_client.session["ical_import"]["token"]})
    uids = sorted(Schedule.objects.values_list("uid", flat=True))

    # Act
    response = upload(editor_client, provider, written("apple-liverpool"))

    # Assert
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert sorted(Schedule.objects.values_list("uid", flat=True)) == uids


def test_bad_file_upload_says_why_and_saves_nothing(editor_client, provider):
    # Act
    response = upload(editor_client, provider, ics(event(RRULE="FREQ=MINUTELY")))

    # Assert
    assert response.context["refused"] == [
        f"“Art Group” (05 Jan {YEAR} 10:00): it repeats every minute, which is not a timetable."
    ]
    assert "Nothing was imported." in response.content.decode()
    assert "ical_import" not in editor_client.session
    assert ActivityPage.objects.count() == 0


def test_upload_over_limit_is_refused_by_form(editor_client, provider, settings):
    # Arrange
    settings.ICAL_IMPORT_MAX_BYTES = 100

    # Act
    response = upload(editor_client, provider, written("apple-liverpool"))

    # Assert
    assert response.context["form"].errors["file"][0].startswith("This file is ")
    assert ActivityPage.objects.count() == 0
    html = response.content.decode()
    assert '<form action="/admin/calendar-import/" method="post"' in html  # the form again
    assert '<button type="submit" class="button">Check calendar</button>' in html


def test_editor_cannot_import_into_another_organisation(editor_client, provider):
    # Arrange
    other = ProviderFactory(title="Other Org")

    # Act
    response = upload(editor_client, other, written("apple-liverpool"))

    # Assert
    assert "provider" in response.context["form"].errors
    assert ActivityPage.objects.count() == 0


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", ["apple-liverpool", "outlook-liverpool"])
def test_imported_calendar_feeds_back_the_same_sessions(editor_client, provider, name):
    # Arrange: import, then read our feed with ical.js
    source = written(name)
    upload(editor_client, provider, source)
    editor_client.post(CONFIRM, {"token": editor_client.session["ical_import"]["token"]})
    window = (date(YEAR, 1, 1), date(YEAR, 12, 31))
    feed = editor_client.get(f"/feeds/providers/{provider.pk}.ics").content

    # Act
    ours = {
        (s.day, s.start, s.end, s.summary)
        for s in icaljs_sessions(feed, start=window[0], end=window[1])
    }
    theirs = {
        (s.day, s.start, s.end, s.summary)
        for s in python_sessions(source, start=window[0], end=window[1])
        if s.summary != "Staff meeting"  # skipped: repeats by day of the month
    }

    # Assert
    assert ours == theirs
    assert len(ours) > 20
    assert {schedule_uid(s) for s in Schedule.objects.all()} <= {
        s.uid for s in icaljs_sessions(feed, start=window[0], end=window[1])
    }
