"""Calendar SEQUENCE for edits made in the admin (the receiver is in activities.signals).

Calendar apps only replace an event they already hold when its SEQUENCE rises (RFC 5545
3.8.7.4), so a slot's ``Schedule.sequence`` must go up whenever its sessions move: a change to
its timing fields, or to which of its sessions are cancelled. The spreadsheet importer bumps it
for imports (activities.imports); this module does it for every other save of a page with
its slots: publishing from the editor, scheduled publishing, reverting, workflow approval.

Why a ``pre_save`` receiver and not ``page_published``: by the time ``page_published`` is sent,
modelcluster has already written the new slots over the stored ones, so there is nothing left
to compare with. ``pre_save`` runs after the page's new values are in memory and before its
child rows are committed, which is the one moment both versions exist. The work is two small
queries per page save, and nothing for saves that do not write the slots (e.g. saving a draft
revision, which only updates a few page columns).
"""

from __future__ import annotations

from datetime import date

from .. import recurrence
from ..models import ActivityPage, Cancellation, Schedule

# The fields that decide when a slot's sessions are: a change to any moves them.
TIMING_FIELDS = recurrence.RULE_FIELDS


def _session_days(rule: recurrence.Rule, days: set[date]) -> set[date]:
    return {day for day in days if recurrence.occurrences(rule, start=day, end=day)}


def schedule_sequences_bump(*, page: ActivityPage) -> list[Schedule]:
    """Raise SEQUENCE on `page`'s in-memory slots whose sessions differ from the stored ones.

    Never lowers a sequence (a draft made before an import may carry an older number). Returns
    the slots whose sequence rose. Call it before the page's child relations are written.
    """
    if page.pk is None:
        return []
    stored = {s.pk: s for s in Schedule.objects.filter(activity_id=page.pk)}
    if not stored:
        return []
    old_cancelled = set(
        Cancellation.objects.filter(activity_id=page.pk).values_list("date", flat=True)
    )
    new_cancelled = {c.date for c in page.cancellations.all() if c.date is not None}
    bumped = []
    for schedule in page.schedules.all():
        before = stored.get(schedule.pk)
        if before is None:
            continue  # a new slot starts at 0
        changed = any(getattr(schedule, name) != getattr(before, name) for name in TIMING_FIELDS)
        if not changed and old_cancelled != new_cancelled:
            try:
                rule = schedule.rule
            except recurrence.RuleError:
                rule = None  # form validation reports it; the stored rule still decides
            changed = rule is None or _session_days(before.rule, old_cancelled) != _session_days(
                rule, new_cancelled
            )
        if changed:
            schedule.sequence = max(schedule.sequence, before.sequence) + 1
            bumped.append(schedule)
        else:
            schedule.sequence = max(schedule.sequence, before.sequence)
    return bumped
