"""When two activities meet, compared: the same weekday, close in time, on dates that can
coincide. Which dates a slot has is asked of ``activities.recurrence``; a slot whose dates are
not known (no first date) can fall on any date of its weekday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from .. import recurrence
from .records import ActivityRecord, Policy, SlotRecord


class Apart(StrEnum):
    """Why two activities' slots do not clash."""

    NO_TIME = "no regular time"  # one of them has no slot
    OTHER_DAYS = "different days"  # no weekday in common
    OTHER_TIMES = "different times"  # the same weekday, but not close in time
    DATES_APART = "dates apart"  # one series ends before the other starts
    OTHER_DATES = "other dates"  # their series never fall on the same date


@dataclass(frozen=True)
class Timing:
    """How two activities' slots compare. ``clash`` holds two slots (one each) on the same
    weekday, close in time, on dates that can coincide; otherwise ``apart`` says why there is
    none, and ``slots`` holds the first same-weekday pair, if any."""

    clash: tuple[SlotRecord, SlotRecord] | None = None
    apart: Apart | None = None
    slots: tuple[SlotRecord, SlotRecord] | None = None


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def close_in_time(a: SlotRecord, b: SlotRecord, policy: Policy) -> bool:
    """Do the two slots overlap, or start at most ``policy.clash_start_minutes`` apart?"""
    overlap = a.start < b.end and b.start < a.end
    gap = abs(_minutes(a.start) - _minutes(b.start))
    return overlap or gap <= policy.clash_start_minutes


def dates_overlap(a: SlotRecord, b: SlotRecord) -> bool:
    """Do the two series' spans overlap? An unknown first or last date overlaps anything."""
    if a.first_date and b.ends_on and a.first_date > b.ends_on:
        return False
    return not (b.first_date and a.ends_on and b.first_date > a.ends_on)


def _rule(slot: SlotRecord) -> recurrence.Rule | None:
    """The slot's rule, or None when its dates are not known."""
    if slot.first_date is None:
        return None
    try:
        return recurrence.Rule(
            frequency=slot.frequency,
            first_date=slot.first_date,
            start_time=slot.start,
            end_time=slot.end,
            last_date=slot.ends_on,
        )
    except recurrence.RuleError:  # a frequency recurrence does not know: dates not known
        return None


def can_coincide(a: SlotRecord, b: SlotRecord) -> bool:
    """Can two slots on the same weekday fall on the same date? Unknown dates match anything."""
    rule_a, rule_b = _rule(a), _rule(b)
    if rule_a is None or rule_b is None:
        return True
    return recurrence.share_a_date(rule_a, rule_b)


def compare_timing(a: ActivityRecord, b: ActivityRecord, policy: Policy) -> Timing:
    """The first pair of slots (in the records' order) that clash, or why none does."""
    if not a.slots or not b.slots:
        return Timing(apart=Apart.NO_TIME)
    same_day = [(x, y) for x in a.slots for y in b.slots if x.weekday == y.weekday]
    if not same_day:
        return Timing(apart=Apart.OTHER_DAYS)
    for x, y in same_day:
        if close_in_time(x, y, policy) and dates_overlap(x, y) and can_coincide(x, y):
            return Timing(clash=(x, y))
    x, y = same_day[0]
    if not close_in_time(x, y, policy):
        return Timing(apart=Apart.OTHER_TIMES, slots=(x, y))
    if not dates_overlap(x, y):
        return Timing(apart=Apart.DATES_APART, slots=(x, y))
    return Timing(apart=Apart.OTHER_DATES, slots=(x, y))
