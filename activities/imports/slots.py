"""Planning one activity's time slots and cancelled dates against the stored ones.

Stored slots are matched by their row ref (columns.slot_refs), so a slot keeps its calendar
UID; a slot whose timing or cancellations change gets a higher SEQUENCE, so calendars update.
Part of the plan (activities.imports.plan): writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import recurrence
from ..models import ActivityPage, Cancellation, Schedule
from .columns import slot_refs
from .rows import ParsedRow, is_session_date

# A change to any of these moves a slot's sessions, so calendars need a higher SEQUENCE.
TIMING_FIELDS = list(recurrence.RULE_FIELDS)
SCHEDULE_UPDATE_FIELDS = [*TIMING_FIELDS, "ref", "sort_order", "weekday", "ends_on", "sequence"]


@dataclass
class SlotChanges:
    """The slot and cancellation rows one activity needs created, updated or deleted."""

    schedule_creates: list[Schedule] = field(default_factory=list)
    schedule_updates: list[Schedule] = field(default_factory=list)
    schedule_deletes: list[int] = field(default_factory=list)
    cancellation_creates: list[Cancellation] = field(default_factory=list)
    cancellation_updates: list[Cancellation] = field(default_factory=list)
    cancellation_deletes: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (
                self.schedule_creates,
                self.schedule_updates,
                self.schedule_deletes,
                self.cancellation_creates,
                self.cancellation_updates,
                self.cancellation_deletes,
            )
        )


@dataclass
class _Wanted:
    """A slot the file gives, and the stored slot it matched."""

    ref: str
    rule: recurrence.Rule
    row: int
    sort_order: int
    existing: Schedule | None = None


def _schedule(schedule: Schedule, rule: recurrence.Rule) -> Schedule:
    for name in TIMING_FIELDS:
        setattr(schedule, name, getattr(rule, name))
    return schedule.derive()


def _relevant(rule: recurrence.Rule, cancellations: dict[date, Any]) -> dict[date, Any]:
    """The cancellations that fall on this slot's sessions (what its calendar shows)."""
    return {day: value for day, value in cancellations.items() if is_session_date(rule, day)}


def slots_plan(
    *,
    ref: str,
    row: ParsedRow | None,
    part_rows: list[ParsedRow],
    existing: ActivityPage | None,
    reasons_given: bool,
) -> SlotChanges:
    """What to write so that the activity `ref` has the slots of its own `row` (None when the
    file only adds ``part_of`` rows to a stored activity) and its `part_rows`, and their
    cancelled dates. `reasons_given`: the file has the cancelled_reasons column."""
    changes = SlotChanges()
    wanted: list[_Wanted] = []
    if row is not None and row.slot is not None:
        wanted.append(_Wanted(ref, row.slot, row.number, 0))
    for part in part_rows:
        wanted.append(_Wanted(part.ref, part.slot, part.number, 0))
    stored = list(existing.schedules.all()) if existing else []
    by_ref = dict(zip(slot_refs(ref, [s.ref for s in stored]), stored, strict=True))
    kept = _order(wanted, stored, by_ref, listed=row is not None)
    # Cancellations: the file's dates (with their reasons) replace the stored ones.
    old_cancelled = {c.date: c for c in existing.cancellations.all()} if existing else {}
    rows = ([row] if row is not None else []) + part_rows
    rules = [slot.rule for slot in wanted] + [s.rule for s in kept]
    new_cancelled = _wanted_cancellations(
        rows, rules, old_cancelled, keep_all=row is None, reasons_given=reasons_given
    )
    old_reasons = {d: c.reason for d, c in old_cancelled.items()}
    position = {id(schedule): index for index, schedule in enumerate(stored)}
    for index, slot in enumerate(wanted):
        slot.existing = by_ref.get(slot.ref)
        if slot.existing is None:
            changes.schedule_creates.append(
                _schedule(Schedule(ref=slot.ref, sort_order=slot.sort_order), slot.rule)
            )
            continue
        moved = row is not None and position[id(slot.existing)] != index
        if _update(slot, moved=moved, old=old_reasons, new=new_cancelled):
            changes.schedule_updates.append(_schedule(slot.existing, slot.rule))
    if row is not None:
        matched = {id(s.existing) for s in wanted if s.existing is not None}
        changes.schedule_deletes = [s.pk for s in stored if id(s) not in matched]
    for day, reason in sorted(new_cancelled.items()):
        current = old_cancelled.get(day)
        if current is None:
            changes.cancellation_creates.append(Cancellation(date=day, reason=reason))
        elif current.reason != reason:
            current.reason = reason
            changes.cancellation_updates.append(current)
    changes.cancellation_deletes = [
        c.pk for day, c in old_cancelled.items() if day not in new_cancelled
    ]
    return changes


def _order(
    wanted: list[_Wanted], stored: list[Schedule], by_ref: dict[str, Schedule], *, listed: bool
) -> list[Schedule]:
    """Give each wanted slot its sort order; returns the stored slots that stay as they are.

    When the file lists the activity (`listed`), its slots are exactly the file's, in the
    file's order. Otherwise the file only adds or changes extra slots: the others are kept,
    and a new slot goes after them."""
    if listed:
        for order, slot in enumerate(wanted):
            slot.sort_order = order
        return []
    next_order = max((s.sort_order or 0 for s in stored), default=-1) + 1
    for slot in wanted:
        match = by_ref.get(slot.ref)
        slot.sort_order = match.sort_order if match else next_order
        next_order += 0 if match else 1
    return [s for r, s in by_ref.items() if r not in {w.ref for w in wanted}]


def _update(slot: _Wanted, *, moved: bool, old: dict[date, str], new: dict[date, str]) -> bool:
    """Bring the stored slot's ref, order and SEQUENCE up to date; True if it must be saved.
    `old` and `new`: the activity's cancellations before and after (date -> reason)."""
    schedule = slot.existing
    timing_changed = any(
        getattr(schedule, name) != getattr(slot.rule, name) for name in TIMING_FIELDS
    )
    cancellations_changed = _relevant(schedule.rule, old) != _relevant(slot.rule, new)
    # Slots added in the admin have a blank ref and matched on the generated one; only a
    # stored ref that differs (possible for the first slot) is rewritten.
    ref_changed = bool(schedule.ref) and schedule.ref != slot.ref
    if timing_changed or cancellations_changed:
        schedule.sequence += 1
    if ref_changed:
        schedule.ref = slot.ref
    if moved:
        schedule.sort_order = slot.sort_order
    return timing_changed or cancellations_changed or ref_changed or moved


def _wanted_cancellations(
    rows: list[ParsedRow],
    rules: list[recurrence.Rule],
    old_cancelled: dict[date, Cancellation],
    *,
    keep_all: bool,
    reasons_given: bool,
) -> dict[date, str]:
    """The activity's cancelled dates and reasons after the import. `rules`: every slot it
    will have; `keep_all`: the file does not list the activity, so its stored dates stay."""
    if all(row.cancellations is None for row in rows):
        return {d: c.reason for d, c in old_cancelled.items()}  # column not in the file
    result: dict[date, str] = {}
    for row in rows:
        for day, reason in (row.cancellations or {}).items():
            if not reasons_given and day in old_cancelled:
                reason = old_cancelled[day].reason
            if not result.get(day):
                result[day] = reason
    for day, cancellation in old_cancelled.items():
        if day in result:
            continue
        if keep_all:
            result[day] = cancellation.reason  # other slots' dates stay as they are
        elif not any(is_session_date(rule, day) for rule in rules):
            # Not a session of any slot, so the sheet cannot show it (and it changes
            # nothing): keep it, so that exporting and re-importing changes nothing.
            result[day] = cancellation.reason
    return result
