"""Two runs (cohorts) of a course at the same time read differently wherever activities list."""

import datetime as dt
import re

import pytest

from activities.enums import ActivityKind
from tests.factories import ActivityFactory, ScheduleFactory, VenueFactory
from tests.support.dates import weekday_on_or_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(provider_a, today):
    """One course, two cohorts on Tuesdays 10:00 to 12:00: soon, and seven weeks later."""
    first = weekday_on_or_after(today + dt.timedelta(days=1), 1)
    course = ActivityFactory(
        title="Managing Worry",
        kind=ActivityKind.COURSE,
        parent=provider_a,
        venue=VenueFactory(latitude=53.41, longitude=-2.98, postcode="L3 8EN"),
    )
    for start in (first, first + dt.timedelta(weeks=7)):
        ScheduleFactory(activity=course, first_date=start, sessions=6)
    return course, first, first + dt.timedelta(weeks=7)


def _short(day: dt.date, today: dt.date) -> str:
    text = f"{day:%a} {day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_provider_timetable_rows_of_two_cohorts_give_their_start_dates(client, course, today):
    activity, first, second = course

    page = _text(client.get(activity.get_parent().url))

    assert f"Every Tuesday, 10:00 to 12:00, 6 weeks from {_short(first, today)}" in page
    assert f"Every Tuesday, 10:00 to 12:00, 6 weeks from {_short(second, today)}" in page


def test_shortlist_and_finder_give_each_cohorts_start_date(client, course, today):
    activity, first, second = course
    expected = [
        f"Every Tuesday, 10:00 to 12:00, 6 weeks from {_short(day, today)}"
        for day in (first, second)
    ]

    shortlist = _text(client.get(f"/shortlist/?ids={activity.pk}"))
    found = _text(client.get("/find/?postcode=L1+4DN&radius=3"))

    for text in expected:
        assert text in shortlist
        assert text in found
