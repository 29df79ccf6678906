"""How a calendar event repeats (its RRULE, RFC 5545) in the timetable's terms: a frequency
and one slot per weekday; and the two ways an event can fail to become timetable rows.

Pure: no models, no database, no settings.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from .. import recurrence
from ..enums import Frequency
from ..recurrence import LONDON
from ..wording import DAY_NAMES, DAY_PLURALS

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_TOO_OFTEN = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour"}


class EventSkipped(Exception):
    """This event cannot become an activity; the message says why (one sentence)."""


class EventRefused(Exception):
    """This event makes the whole file unacceptable."""


def _days(rrule, first: date, *, interval: int) -> list[tuple[int, date]]:
    """(weekday, first date) for each BYDAY day of a weekly rule, as RFC 5545 expands it:
    weeks start on WKST and count from DTSTART's week."""
    names = rrule.get("BYDAY") or [_DAYS[first.weekday()]]
    weekdays = []
    for name in names:
        found = _BYDAY.match(str(name).upper())
        if not found or found.group(1):
            raise EventSkipped(
                "it repeats on numbered weekdays within a week, which we cannot show."
            )
        weekdays.append(_DAYS.index(found.group(2)))
    wkst = _DAYS.index(str((rrule.get("WKST") or ["MO"])[0]).upper())
    week_start = first - timedelta(days=(first.weekday() - wkst) % 7)
    result = []
    for weekday in sorted(set(weekdays), key=lambda d: (d - wkst) % 7):
        day = week_start + timedelta(days=(weekday - wkst) % 7)
        if day < first:
            day += timedelta(weeks=interval)
        result.append((weekday, day))
    if first.weekday() not in weekdays:
        raise EventSkipped(
            f"it starts on a {DAY_NAMES[first.weekday()]} but repeats on other days, which "
            "calendar apps show differently."
        )
    return sorted(result, key=lambda item: item[1])


def _last_date(until, start_time: time) -> date:
    """The last session date allowed by UNTIL (inclusive of a session starting exactly then)."""
    if not isinstance(until, datetime):
        return until
    local = until.astimezone(LONDON) if until.tzinfo else until.replace(tzinfo=LONDON)
    return local.date() if start_time <= local.time() else local.date() - timedelta(days=1)


def _first(rrule, name: str):
    values = rrule.get(name)
    return values[0] if values else None


def repeat_slots(
    event, start: datetime, *, max_count: int
) -> tuple[str, list[tuple[date, int | None, date | None]]]:
    """(frequency, [(first_date, sessions, last_date)]) from the event's RRULE, read in the
    zone of `start` (its DTSTART); one slot per weekday. A COUNT over `max_count` refuses it."""
    rrules = event.get("RRULE")
    if rrules is None:
        return Frequency.ONCE, [(start.date(), None, None)]
    if isinstance(rrules, list):
        raise EventSkipped("it has more than one repeat rule.")
    if not hasattr(rrules, "get") or not rrules.get("FREQ"):
        raise EventRefused("its repeat rule (RRULE) cannot be read.")
    freq = str(_first(rrules, "FREQ")).upper()
    if freq in _TOO_OFTEN:
        raise EventRefused(f"it repeats every {_TOO_OFTEN[freq]}, which is not a timetable.")
    count = _first(rrules, "COUNT")
    if count is not None and int(count) > max_count:
        raise EventRefused(
            f"it repeats {count} times; we accept at most {max_count} sessions in one series."
        )
    interval = int(_first(rrules, "INTERVAL") or 1)
    until = _first(rrules, "UNTIL")
    last = _last_date(until, start.time()) if until is not None else None
    sessions = int(count) if count is not None else None
    known = {"FREQ", "COUNT", "INTERVAL", "UNTIL", "BYDAY", "WKST", "BYSETPOS"}
    extra = sorted(set(rrules) - known)
    if extra:
        raise EventSkipped(f"it repeats by {', '.join(extra)}, which the timetable cannot show.")
    if freq in ("WEEKLY", "DAILY"):
        if freq == "DAILY":
            if interval != 1 or _first(rrules, "BYSETPOS"):
                raise EventSkipped("it repeats every few days, which the timetable cannot show.")
            if not rrules.get("BYDAY"):
                rrules = {**rrules, "BYDAY": list(_DAYS)}
        elif interval not in (1, 2) or _first(rrules, "BYSETPOS"):
            raise EventSkipped(
                f"it repeats every {interval} weeks: the timetable has weekly and fortnightly."
            )
        days = _days(rrules, start.date(), interval=interval)
        if len(days) > 1 and sessions is not None:
            raise EventSkipped(
                "it has a number of sessions spread over several weekdays: add it as one "
                "activity per weekday by hand."
            )
        frequency = Frequency.FORTNIGHTLY if interval == 2 else Frequency.WEEKLY
        return frequency, [(day, sessions, last) for _weekday, day in days]
    if freq == "MONTHLY":
        return Frequency.MONTHLY, [_monthly(rrules, start.date(), interval, sessions, last)]
    if freq == "YEARLY":
        raise EventSkipped("it repeats once a year, which the timetable cannot show.")
    raise EventSkipped(f"its repeat rule ({freq.lower()}) is not one the timetable can show.")


def _monthly(rrules, first: date, interval: int, sessions, last):
    days = rrules.get("BYDAY") or []
    setpos = rrules.get("BYSETPOS") or []
    if interval != 1 or len(days) != 1 or len(setpos) > 1:
        raise EventSkipped(
            "it repeats monthly on a date or on several days: the timetable has “the same "
            "weekday of each month” (e.g. the first Friday)."
        )
    found = _BYDAY.match(str(days[0]).upper())
    if not found:
        raise EventSkipped("its monthly rule cannot be read.")
    week = int(found.group(1) or (setpos[0] if setpos else 0))
    weekday = _DAYS.index(found.group(2))
    if weekday != first.weekday() or week not in (1, 2, 3, 4, -1):
        raise EventSkipped("its monthly rule does not match its first date.")
    actual = recurrence.monthly_week(first)
    if week != actual:
        if week == -1:
            raise EventSkipped(
                f"it is on the last {DAY_NAMES[weekday]} of the month but starts on the 4th "
                f"one: we can only record “last” from a month that has five {DAY_PLURALS[weekday]} "
                "(add it by hand)."
            )
        raise EventSkipped("its monthly rule does not match its first date.")
    return (first, sessions, last)
