"""The browse "when" filter and "soonest first": sessions expanded by activities.recurrence,
Monday-to-Sunday weeks, cancelled sessions left out; bad dates are a clear 400."""

from __future__ import annotations

import datetime as dt

import pytest

from activities.enums import Frequency
from activities.selectors import activity_list_browse
from tests.factories import ActivityFactory, CancellationFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

SUNDAY = dt.date(2026, 12, 6)  # the last day of its week
THURSDAY = dt.date(2026, 12, 3)


def _titles(query: dict, *, today: dt.date) -> list[str]:
    result = activity_list_browse(params=query, today=today)
    assert result.filterset.is_valid(), result.filterset.form.errors
    return [row.activity.title for row in result.rows]


@pytest.fixture
def week_of_groups():
    monday = ActivityFactory(title="Monday walk")
    ScheduleFactory(activity=monday, first_date=dt.date(2026, 11, 2))  # every Monday
    sunday = ActivityFactory(title="Sunday café")
    ScheduleFactory(activity=sunday, first_date=dt.date(2026, 11, 1), start_time=dt.time(14))
    fortnightly = ActivityFactory(title="Fortnightly craft")
    # Tuesdays 1, 15, 29 December: none in the week of 7 December.
    ScheduleFactory(
        activity=fortnightly, first_date=dt.date(2026, 12, 1), frequency=Frequency.FORTNIGHTLY
    )
    cancelled = ActivityFactory(title="Wednesday choir")
    ScheduleFactory(activity=cancelled, first_date=dt.date(2026, 11, 4))
    CancellationFactory(activity=cancelled, date=dt.date(2026, 12, 9), reason="Hall closed")


def test_this_week_on_a_sunday_is_only_that_sunday(week_of_groups):
    assert _titles({"when": "this_week"}, today=SUNDAY) == ["Sunday café"]


def test_next_week_leaves_out_a_fortnight_off_and_a_cancelled_session(week_of_groups):
    assert _titles({"when": "next_week"}, today=SUNDAY) == ["Monday walk", "Sunday café"]


def test_this_week_from_thursday_runs_to_sunday(week_of_groups):
    assert _titles({"when": "this_week"}, today=THURSDAY) == ["Sunday café"]


def test_on_a_date_lists_that_days_sessions(week_of_groups):
    titles = _titles({"when": "date", "on": "2026-12-15"}, today=SUNDAY)
    assert titles == ["Fortnightly craft"]
    assert _titles({"on": "2026-12-09"}, today=SUNDAY) == []  # the choir is cancelled


def test_soonest_first_orders_by_next_session_within_the_window(week_of_groups):
    titles = _titles({"sort": "soonest"}, today=SUNDAY)
    # Sunday 14:00 today, Monday 7, Tuesday 15 (fortnightly), Wednesday 16 (9th cancelled).
    assert titles == ["Sunday café", "Monday walk", "Fortnightly craft", "Wednesday choir"]
    result = activity_list_browse(params={"sort": "soonest", "when": "next_week"}, today=SUNDAY)
    nexts = [row.next.date for row in result.rows]
    assert nexts == [dt.date(2026, 12, 7), dt.date(2026, 12, 13)]
    assert result.count == 2


def test_when_date_without_a_date_is_a_clear_400(client):
    response = client.get("/activities/?when=date")
    assert response.status_code == 400
    assert "Enter the date you want" in response.content.decode()


@pytest.mark.parametrize("on", ["2020-01-01", "2999-01-01", "not-a-date"])
def test_when_date_in_the_past_far_ahead_or_garbled_is_a_400(client, on):
    response = client.get(f"/activities/?when=date&on={on}")
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()


def test_applied_filters_are_chips_that_each_remove_one(client, week_of_groups):
    response = client.get("/activities/?when=this_week&free=on&day=mon&day=sun")
    html = response.content.decode()
    assert (
        '<a class="chip" href="/activities/?when=this_week&amp;day=mon&amp;day=sun#results">'
        in html
    )
    assert 'href="/activities/?when=this_week&amp;free=on&amp;day=sun#results"' in html
    assert "Remove filter: </span>This week" in html
    assert '<details class="more-filters">' in html  # closed, whatever is applied
