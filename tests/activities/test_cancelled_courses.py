"""A course whose session is cancelled: it runs one fewer and says "5 of 6 sessions", or adds
a session at the end, as its provider chooses (ActivityPage.cancelled_sessions)."""

import datetime as dt

from icalendar import Calendar

from activities import recurrence
from activities.enums import CancelledSessions
from activities.models import ActivityPage, Schedule
from tests.factories import ActivityFactory, CancellationFactory, ScheduleFactory

MONDAY = dt.date(2027, 1, 4)
SIX_WEEKS = recurrence.Rule("weekly", MONDAY, dt.time(10), dt.time(12), sessions=6)
SECOND = MONDAY + dt.timedelta(weeks=1)


def test_made_up_adds_a_session_for_each_cancelled_one():
    rule = recurrence.made_up(SIX_WEEKS, [SECOND, dt.date(2027, 1, 6)])  # a Wednesday: no session

    assert rule.sessions == 7
    assert recurrence.series_end(rule) == MONDAY + dt.timedelta(weeks=6)


def test_made_up_adds_again_when_the_added_date_is_cancelled_too():
    seventh = MONDAY + dt.timedelta(weeks=6)

    rule = recurrence.made_up(SIX_WEEKS, [SECOND, seventh])

    assert rule.sessions == 8
    sessions = recurrence.occurrences(
        rule, start=MONDAY, end=dt.date(2027, 12, 31), cancellations={SECOND: "", seventh: ""}
    )
    assert len(sessions) == 6


def test_made_up_leaves_an_ongoing_group_alone():
    ongoing = recurrence.Rule("weekly", MONDAY, dt.time(10), dt.time(12))

    assert recurrence.made_up(ongoing, [SECOND]) == ongoing


def test_describe_says_five_of_six_plainly():
    text = recurrence.describe_rule(SIX_WEEKS, cancellations=[SECOND])

    assert (
        text
        == "Every Monday, 10:00 to 12:00, 5 of 6 sessions from Mon 4 January 2027 (1 cancelled)"
    )


def test_describe_says_a_session_is_added_at_the_end():
    text = recurrence.describe_rule(SIX_WEEKS, cancellations=[SECOND], make_up=True)

    assert text == (
        "Every Monday, 10:00 to 12:00, 6 sessions from Mon 4 January 2027, "
        "the last on 15 February 2027 "
        "(a cancelled session is added at the end)"
    )


def test_describe_without_cancellations_is_unchanged():
    assert (
        recurrence.describe_rule(SIX_WEEKS)
        == "Every Monday, 10:00 to 12:00, 6 weeks from Mon 4 January 2027"
    )


def _course(choice):
    activity = ActivityFactory(kind="course", cancelled_sessions=choice)
    ScheduleFactory(activity=activity, first_date=MONDAY, sessions=6)
    CancellationFactory(activity=activity, date=SECOND)
    return ActivityPage.objects.get(pk=activity.pk)


def test_course_that_adds_a_session_ends_a_week_later(db):
    activity = _course(CancelledSessions.ADD)
    schedule = activity.schedules.get()
    schedule.save()  # derives ends_on from the rule as it runs

    assert Schedule.objects.get(pk=schedule.pk).ends_on == MONDAY + dt.timedelta(weeks=6)
    assert schedule.planned_rule.sessions == 6


def test_course_that_runs_fewer_ends_as_planned(db):
    activity = _course(CancelledSessions.FEWER)
    schedule = activity.schedules.get()
    schedule.save()

    assert Schedule.objects.get(pk=schedule.pk).ends_on == MONDAY + dt.timedelta(weeks=5)


def test_activity_page_says_five_of_six_sessions(client, db):
    activity = _course(CancelledSessions.FEWER)

    html = client.get(activity.url).content.decode()

    assert "5 of 6 sessions from Mon 4 January 2027 (1 cancelled)" in html


def test_feed_of_a_course_that_adds_a_session_has_six_sessions_and_stays_valid(client, db):
    activity = _course(CancelledSessions.ADD)

    response = client.get(f"/feeds/activities/{activity.pk}.ics")

    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert event["RRULE"]["COUNT"] == [7]
    assert len(event["EXDATE"].dts) == 1


def test_export_writes_the_course_as_planned(client, db, editor_a):
    from activities.imports.export import activity_rows  # noqa: PLC0415

    activity = _course(CancelledSessions.ADD)

    (row,) = activity_rows(activity)

    assert row["sessions"] == "6"
