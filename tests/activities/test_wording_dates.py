"""Dates in words relative to today, with Monday-to-Sunday weeks, and the "when" windows."""

from __future__ import annotations

from datetime import date

import pytest

from activities.enums import When
from activities.wording import audience_label, relative_date, status_meaning

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)
SUNDAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "today", "words"),
    [
        (date(2026, 12, 3), THURSDAY, "Today, Thursday 3 December"),
        (date(2026, 12, 4), THURSDAY, "Tomorrow, Friday 4 December"),
        (date(2026, 12, 6), THURSDAY, "This Sunday, 6 December"),
        (date(2026, 12, 8), THURSDAY, "Next Tuesday, 8 December"),
        (date(2026, 12, 17), THURSDAY, "Thursday 17 December"),
        # Saturday to Monday: the Monday is in next week, never "this Monday".
        (date(2026, 12, 7), SATURDAY, "Next Monday, 7 December"),
        (date(2026, 12, 7), SUNDAY, "Tomorrow, Monday 7 December"),
        (date(2026, 12, 13), SUNDAY, "Next Sunday, 13 December"),
        (date(2026, 12, 14), SUNDAY, "Monday 14 December"),
        (date(2027, 1, 5), date(2026, 12, 30), "Tuesday 5 January 2027"),
    ],
)
def test_relative_date_words_follow_monday_to_sunday_weeks(day, today, words):
    assert relative_date(day, today=today) == words


@pytest.mark.parametrize(
    ("when", "today", "window"),
    [
        (When.TODAY, SUNDAY, (SUNDAY, SUNDAY)),
        (When.TOMORROW, SUNDAY, (date(2026, 12, 7), date(2026, 12, 7))),
        (When.THIS_WEEK, THURSDAY, (THURSDAY, SUNDAY)),
        (When.THIS_WEEK, SUNDAY, (SUNDAY, SUNDAY)),
        (When.NEXT_WEEK, THURSDAY, (date(2026, 12, 7), date(2026, 12, 13))),
        (When.NEXT_WEEK, SUNDAY, (date(2026, 12, 7), date(2026, 12, 13))),
        (When.NEXT_WEEK, date(2026, 12, 7), (date(2026, 12, 14), date(2026, 12, 20))),
    ],
)
def test_when_window_on_week_boundaries(when, today, window):
    assert when.window(today=today) == window


def test_when_on_a_date_needs_the_date():
    assert When.DATE.window(today=THURSDAY) is None
    assert When.DATE.window(today=THURSDAY, on=date(2026, 12, 24)) == (
        date(2026, 12, 24),
        date(2026, 12, 24),
    )


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("women", "Women"),
        ("men", "Men"),
        ("LGBTQ+", "LGBTQ+ people"),
        ("lgbtq+", "LGBTQ+ people"),
        ("arabic", "Arabic speakers"),
        ("Arabic speakers", "Arabic speakers"),
        ("People learning English", "People learning English"),
        ("18-25", "Young adults (18 to 25)"),
    ],
)
def test_audience_label_writes_names_as_people_do(name, label):
    assert audience_label(name) == label


def test_status_meaning_explains_partly_and_prefers_the_providers_details():
    assert status_meaning("partly").startswith("Partly: some of it is in place but not all")
    assert status_meaning("partly", "Ramp at the side door") == "Partly – Ramp at the side door"
    assert status_meaning("on_request").startswith("On request: ask the organisation")
    assert status_meaning("yes", "Ramp") == ""
