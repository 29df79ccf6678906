"""Expand an activity's regular schedule and cancelled dates into concrete occurrences.

This is the only place that knows how a schedule repeats: pages, the browse
"next date", calendar feeds and duplicate detection all call it, so they can
never disagree about when something happens.

Pure Python (no Django) so it can be used from models, importers and tests alike.
Times are local wall-clock times in Europe/London: a 10:30 group is at 10:30 all
year, and only its UTC offset changes with the clocks.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .wording import DAY_NAMES, clock, long_date, short_date, weekday_date

LONDON = ZoneInfo("Europe/London")

# next_occurrence() gives up after this long past `after` (or the first date, if
# later): a group with every session cancelled for two years is not running.
NEXT_OCCURRENCE_HORIZON = timedelta(days=731)

_ORDINALS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}


class Frequency(StrEnum):
    """How often a schedule repeats. Values are the spreadsheet's words (as activities.enums)."""

    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class RuleError(ValueError):
    """A schedule that cannot work. The message is a plain-English sentence for a provider;
    `field` names the rule field it is about ("end_time", "sessions", ...)."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Rule:
    """An activity's regular schedule.

    `frequency` may be given as a plain string ("Weekly", "weekly") or a choices
    member; it is always a `Frequency` afterwards. An unknown word raises RuleError.
    """

    frequency: Frequency | str
    first_date: date  # date of the first session; its weekday is the meeting day
    start_time: time
    end_time: time
    sessions: int | None = None  # a course's length; cancelled sessions still count (COUNT)
    last_date: date | None = None  # no sessions after this date (UNTIL)

    def __post_init__(self) -> None:
        if isinstance(self.frequency, Frequency):
            return
        word = str(self.frequency).strip().lower()
        try:
            frequency = Frequency(word)
        except ValueError:
            raise RuleError(
                f"“{self.frequency}” is not a frequency we recognise: "
                "use once, weekly, fortnightly or monthly.",
                field="frequency",
            ) from None
        # Frozen dataclass: normalising in place is the only way to keep one type downstream.
        object.__setattr__(self, "frequency", frequency)


@dataclass(frozen=True)
class Occurrence:
    """One concrete session. `start`/`end` are aware datetimes in LONDON."""

    date: date
    start: datetime
    end: datetime
    number: int  # 1-based position in the series, counting cancelled sessions too
    cancelled: bool = False
    reason: str = ""


# --------------------------------------------------------------------------- validation


def _exists_in_london(day: date, value: time) -> bool:
    """False for a wall-clock time skipped when the clocks go forward."""
    local = datetime.combine(day, value, tzinfo=LONDON)
    # A skipped time does not survive a round trip through UTC.
    round_trip = local.astimezone(UTC).astimezone(LONDON)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def validate_rule(rule: Rule) -> None:
    """Raise RuleError (one plain-English sentence) if the schedule cannot work.

    Only the first problem found is reported.
    """
    if rule.end_time <= rule.start_time:
        raise RuleError(
            f"The end time ({clock(rule.end_time)}) must be after "
            f"the start time ({clock(rule.start_time)}).",
            field="end_time",
        )
    if rule.sessions is not None and rule.sessions < 1:
        raise RuleError(
            f"The number of sessions must be at least 1, not {rule.sessions}.", field="sessions"
        )
    if rule.last_date is not None and rule.last_date < rule.first_date:
        raise RuleError(
            f"The last date ({long_date(rule.last_date)}) must not be before "
            f"the first date ({long_date(rule.first_date)}).",
            field="last_date",
        )
    for label, value in (("start", rule.start_time), ("end", rule.end_time)):
        if not _exists_in_london(rule.first_date, value):
            raise RuleError(
                f"The {label} time ({clock(value)}) does not exist on "
                f"{weekday_date(rule.first_date)}, because the clocks go forward from "
                "01:00 to 02:00 that night: choose a time outside that hour.",
                field=f"{label}_time",
            )
    if rule.frequency == Frequency.ONCE and rule.sessions is not None and rule.sessions > 1:
        raise RuleError(
            f"A one-off session cannot have {rule.sessions} sessions: "
            "choose weekly, fortnightly or monthly for a course.",
            field="sessions",
        )


# --------------------------------------------------------------------------- series arithmetic
#
# Every date in a series has an index i (0 for first_date). Working with indices
# lets us jump straight to any window instead of walking from first_date.


def monthly_week(first_date: date) -> int:
    """Which weekday-of-month `first_date` is: 1 to 4, or -1 when it is the 5th (last) one.

    A 4th weekday that also happens to be the month's last returns 4, so the group
    keeps meeting on the 4th one in months that have five.
    """
    week = (first_date.day - 1) // 7 + 1
    return -1 if week == 5 else week


def _nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    if week > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _step_days(rule: Rule) -> int:
    return 14 if rule.frequency == Frequency.FORTNIGHTLY else 7


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _date_at(rule: Rule, index: int) -> date:
    """The index-th date of the series, ignoring COUNT/UNTIL. Caller keeps index in range."""
    first = rule.first_date
    if rule.frequency == Frequency.MONTHLY:
        year, month0 = divmod(first.month - 1 + index, 12)
        return _nth_weekday(first.year + year, month0 + 1, first.weekday(), monthly_week(first))
    return first + timedelta(days=_step_days(rule) * index)


def _index_on_or_after(rule: Rule, day: date) -> int:
    """Smallest index whose date is on or after `day` (may be past the series' end)."""
    first = rule.first_date
    if day <= first:
        return 0
    if rule.frequency == Frequency.ONCE:
        return 1
    if rule.frequency == Frequency.MONTHLY:
        index = _months_between(first, day)
        return index if _date_at(rule, index) >= day else index + 1
    return -(-(day - first).days // _step_days(rule))


def _index_on_or_before(rule: Rule, day: date) -> int:
    """Largest index whose date is on or before `day`; -1 if `day` is before first_date."""
    first = rule.first_date
    if day < first:
        return -1
    if rule.frequency == Frequency.ONCE:
        return 0
    if rule.frequency == Frequency.MONTHLY:
        index = _months_between(first, day)
        return index if _date_at(rule, index) <= day else index - 1
    return (day - first).days // _step_days(rule)


def _is_open_ended(rule: Rule) -> bool:
    return rule.frequency != Frequency.ONCE and rule.sessions is None and rule.last_date is None


def _last_index(rule: Rule) -> int:
    """Index of the series' last date (-1 if it has none).

    Open-ended series stop at the last representable date, so nothing overflows.
    """
    last = _index_on_or_before(rule, date.max)
    if rule.frequency == Frequency.ONCE:
        last = min(last, 0)
    if rule.sessions is not None:
        last = min(last, rule.sessions - 1)
    if rule.last_date is not None:
        last = min(last, _index_on_or_before(rule, rule.last_date))
    return last


def series_end(rule: Rule) -> date | None:
    """The last date the series can have a session, or None if it is open-ended.

    A rule that generates no dates at all (one validate_rule rejects) returns the
    day before first_date: it ends before it starts.
    """
    if _is_open_ended(rule):
        return None
    last = _last_index(rule)
    if last < 0:
        return rule.first_date - timedelta(days=1)
    return _date_at(rule, last)


def _occurrence(
    rule: Rule, index: int, day: date, *, cancelled: bool = False, reason: str = ""
) -> Occurrence:
    # Combine wall-clock times with the zone, so 10:30 stays 10:30 across clock changes.
    return Occurrence(
        date=day,
        start=datetime.combine(day, rule.start_time, tzinfo=LONDON),
        end=datetime.combine(day, rule.end_time, tzinfo=LONDON),
        number=index + 1,
        cancelled=cancelled,
        reason=reason,
    )


def _indices_between(rule: Rule, start: date, end: date) -> range:
    """Indices of the series' dates from start to end inclusive (possibly empty)."""
    first = _index_on_or_after(rule, start)
    last = min(_last_index(rule), _index_on_or_before(rule, end))
    return range(first, last + 1)


def occurrences(
    rule: Rule,
    *,
    start: date,
    end: date,
    cancellations: Mapping[date, str] | None = None,
    include_cancelled: bool = False,
) -> list[Occurrence]:
    """Occurrences dated start to end inclusive, in order.

    `cancellations` maps a date to its reason. A cancelled session is left out, or
    kept with cancelled=True and the reason when `include_cancelled`. Cancelled dates
    that are not session dates are ignored. `number` is always the true position in
    the series, however far into the future the window is.
    """
    cancellations = cancellations or {}
    result: list[Occurrence] = []
    for index in _indices_between(rule, start, end):
        day = _date_at(rule, index)
        if day in cancellations:
            if include_cancelled:
                result.append(
                    _occurrence(rule, index, day, cancelled=True, reason=cancellations[day])
                )
            continue
        result.append(_occurrence(rule, index, day))
    return result


def next_occurrence(
    rule: Rule,
    *,
    after: date,
    cancellations: Mapping[date, str] | None = None,
) -> Occurrence | None:
    """The first session that is not cancelled on or after `after` (inclusive).

    None if the series has ended, or if every session within NEXT_OCCURRENCE_HORIZON
    of `after` (or of first_date, if later) is cancelled.
    """
    cancellations = cancellations or {}
    search_from = max(after, rule.first_date)
    try:
        search_to = search_from + NEXT_OCCURRENCE_HORIZON
    except OverflowError:
        search_to = date.max
    for index in _indices_between(rule, after, search_to):
        day = _date_at(rule, index)
        if day not in cancellations:
            return _occurrence(rule, index, day)
    return None


# --------------------------------------------------------------------------- cancelled courses
#
# A course of N sessions with a session cancelled either runs N-1 ("5 of 6 sessions") or adds
# a session at the end for each one cancelled, as its provider chooses. `made_up` is the rule
# of the second: COUNT grows by the cancelled dates among its sessions (LAST_DATE still holds).


def cancelled_in_series(rule: Rule, cancellations: Iterable[date]) -> int:
    """How many of the cancelled dates are dates of the series (so sessions that do not run)."""
    return sum(1 for day in set(cancellations) if meets_on(rule, day))


def made_up(rule: Rule, cancellations: Iterable[date]) -> Rule:
    """The rule with one session added at the end for each of its sessions cancelled, so a
    course still runs `sessions` times. A rule without a session count is returned as it is."""
    if rule.sessions is None or rule.frequency == Frequency.ONCE:
        return rule
    cancelled = set(cancellations)
    extended = rule
    # Each added date may itself be cancelled: grow until the count is stable (at most once
    # per cancelled date).
    for _ in range(len(cancelled) + 1):
        wanted = rule.sessions + cancelled_in_series(extended, cancelled)
        if wanted == extended.sessions:
            break
        extended = replace(extended, sessions=wanted)
    return extended


def sessions_running(rule: Rule, cancellations: Iterable[date]) -> tuple[int, int] | None:
    """(sessions that run, sessions planned) for a course with a count, else None."""
    if rule.sessions is None:
        return None
    planned = _last_index(rule) + 1
    return planned - cancelled_in_series(rule, cancellations), planned


# --------------------------------------------------------------------------- wording


def describe_rule(
    rule: Rule,
    *,
    today: date | None = None,
    cancellations: Iterable[date] = (),
    make_up: bool = False,
) -> str:
    """Plain English for the public site, e.g. "Every Tuesday, 10:00 to 12:00, 6 weeks from
    Tue 5 January".

    A series with an end, or (given `today`) one that has not started, says when it starts, so
    two runs (cohorts) of a course at the same time read differently. With `today` the year is
    left out when it is this year's. Given the activity's cancelled dates, a course says plainly
    what they do to it: "5 of 6 sessions from Mon 4 January (1 cancelled)", or with `make_up`
    (a session is added at the end for each one cancelled) "6 sessions from Mon 4 January, the
    last on 15 February 2027 (a cancelled session is added at the end)". `rule` is the schedule
    as planned, not made up.
    """
    times = f"{clock(rule.start_time)} to {clock(rule.end_time)}"
    weekday = DAY_NAMES[rule.first_date.weekday()]
    if rule.frequency == Frequency.ONCE:
        # Course length and end date say nothing extra about a single session.
        return f"Once, on {weekday_date(rule.first_date)}, {times}"
    if rule.frequency == Frequency.WEEKLY:
        pattern = f"Every {weekday}"
    elif rule.frequency == Frequency.FORTNIGHTLY:
        pattern = f"Every other {weekday}"
    else:
        pattern = f"{_ORDINALS[monthly_week(rule.first_date)]} {weekday} of the month"
    text = f"{pattern}, {times}"
    if today is None:
        starts = f"{weekday[:3]} {long_date(rule.first_date)}"
    else:
        starts = short_date(rule.first_date, today=today)
    cancelled = cancelled_in_series(rule, cancellations) if rule.sessions is not None else 0
    if rule.sessions is not None and cancelled and make_up:
        last = series_end(made_up(rule, cancellations))
        text += (
            f", {rule.sessions} sessions from {starts}, the last on {long_date(last)} "
            f"({'a cancelled session is' if cancelled == 1 else 'cancelled sessions are'} "
            "added at the end)"
        )
    elif rule.sessions is not None and cancelled:
        running, planned = sessions_running(rule, cancellations)
        text += f", {running} of {planned} sessions from {starts} ({cancelled} cancelled)"
    elif rule.sessions is not None:
        many = rule.sessions != 1
        unit = "week" if rule.frequency == Frequency.WEEKLY and many else "session"
        text += f", {rule.sessions} {unit}{'s' if many else ''} from {starts}"
    elif rule.last_date is not None:
        text += f", from {starts} until {long_date(rule.last_date)}"
    elif today is not None and rule.first_date > today:
        text += f", from {starts}"
    return text


# The fields a rule is made of, in Rule's order (a Schedule and a spreadsheet row both hold them).
RULE_FIELDS = ("frequency", "first_date", "start_time", "end_time", "sessions", "last_date")


def rule_of(slot) -> Rule:
    """The Rule of anything that holds a time slot's fields as attributes."""
    return Rule(*(getattr(slot, name) for name in RULE_FIELDS))


# --------------------------------------------------------------------------- comparing series
#
# Questions about the dates alone (cancellations aside, like series_end): duplicate detection
# asks them to tell whether two activities on the same weekday can meet on the same date.


def meets_on(rule: Rule, day: date) -> bool:
    """Is `day` one of the series' dates? A cancelled date still counts: this is the rule."""
    index = _index_on_or_before(rule, day)
    return 0 <= index <= _last_index(rule) and _date_at(rule, index) == day


# Roughly how many dates a year each frequency has: the sparser of two series is walked.
_DATES_A_YEAR = {
    Frequency.ONCE: 0,
    Frequency.MONTHLY: 12,
    Frequency.FORTNIGHTLY: 26,
    Frequency.WEEKLY: 52,
}


def share_a_date(first: Rule, second: Rule) -> bool:
    """Can the two series fall on the same date?

    It walks the sparser series' dates while both run, for at most NEXT_OCCURRENCE_HORIZON
    past the later first date. That settles every pair of frequencies but, in theory, a
    monthly series against an open-ended fortnightly one; in practice those share a date
    within months, if ever.
    """
    if first.first_date.weekday() != second.first_date.weekday():
        return False
    start = max(first.first_date, second.first_date)
    end = min(series_end(first) or date.max, series_end(second) or date.max)
    if start > end:
        return False
    if first.frequency == second.frequency == Frequency.FORTNIGHTLY:
        # The later first date is a date of both exactly when they meet in the same weeks.
        return (first.first_date - second.first_date).days % 14 == 0
    sparse, dense = sorted((first, second), key=lambda rule: _DATES_A_YEAR[rule.frequency])
    if date.max - start > NEXT_OCCURRENCE_HORIZON:
        end = min(end, start + NEXT_OCCURRENCE_HORIZON)
    return any(
        meets_on(dense, _date_at(sparse, index)) for index in _indices_between(sparse, start, end)
    )
