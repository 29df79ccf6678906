"""Dates for tests: the site's today, weekday arithmetic, and dates in the site's words.

Which today. A test of code that takes ``today=`` passes a fixed date. A test that goes
through HTTP, where the product reads the clock itself, stays relative to the day the *site*
thinks it is: ``today()`` here, which is ``django.utils.timezone.localdate()`` (Europe/London),
never ``datetime.date.today()`` (the server's own zone: around midnight the two differ and
the test flakes). The ``today`` fixture in tests/conftest.py returns the same.

Date words are written out here rather than taken from ``activities.wording``, so a test
checks the site's wording instead of agreeing with it whatever it says; and not with
``strftime("%A")``/``("%B")``, which follow the server's locale.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

# date.weekday() numbers, as the product and Python count them.
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --------------------------------------------------------------------------- today


def today() -> date:
    """The site's today: the local date in Europe/London, as the product reads it."""
    return timezone.localdate()


def next_year() -> int:
    """The year after the site's today: dates in it are in the future whenever tests run."""
    return today().year + 1


def early_next_year(weekday: int) -> date:
    """The first `weekday` on or after 5 January next year, clear of the new-year holidays.

    A series starting then has not started yet whenever the tests run, so the site lists it as
    current and puts it in every feed.
    """
    return weekday_on_or_after(date(next_year(), 1, 5), weekday)


# --------------------------------------------------------------------------- weekday arithmetic


def weekday_on_or_after(day: date, weekday: int) -> date:
    """`day` itself if it falls on `weekday` (0 = Monday), else the next date that does."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def next_weekday(weekday: int, *, after: date) -> date:
    """The first date strictly after `after` that falls on `weekday` (0 = Monday)."""
    return weekday_on_or_after(after + timedelta(days=1), weekday)


def monday_of(day: date) -> date:
    """The Monday of `day`'s week (`day` itself on a Monday)."""
    return day - timedelta(days=day.weekday())


def first_fifth_weekday(year: int, weekday: int, *, from_month: int = 1) -> date:
    """The fifth `weekday` of the first month, from `from_month` on in `year`, that has five.

    Monthly slots starting on a fifth weekday are read as "the last <weekday>" each month.
    """
    for month in range(from_month, 13):
        fifth = weekday_on_or_after(date(year, month, 1), weekday) + timedelta(weeks=4)
        if fifth.month == month:
            return fifth
    raise AssertionError(f"no month from {from_month}/{year} has a fifth weekday {weekday}")


# --------------------------------------------------------------------------- in the site's words


def long_date(day: date) -> str:
    """“3 March 2026”: no leading zero."""
    return f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def weekday_long_date(day: date) -> str:
    """“Tuesday 3 March 2026”."""
    return f"{_DAY_NAMES[day.weekday()]} {long_date(day)}"


def short_weekday_date(day: date) -> str:
    """“Tue 3 March”, never with the year (a browse card's next session)."""
    return f"{_DAY_NAMES[day.weekday()][:3]} {day.day} {_MONTH_NAMES[day.month - 1]}"


def short_date(day: date, *, today: date) -> str:
    """“Tue 3 March”, then “ 2027” when `day` is not in `today`'s year (course lengths)."""
    text = short_weekday_date(day)
    return text if day.year == today.year else f"{text} {day.year}"
