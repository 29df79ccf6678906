"""The import preview's similar-activities check: each row of a checked file against other
providers' current activities, as the editor's "Similar activities" panel does for one page.

Reads only: records of the planned activities (from the plan, nothing saved) are matched with
the city's current activities in one blocked scan (the duplicates report's), so the queries do
not grow with the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from venues.geo import PostcodeError, locate_postcode

from .. import recurrence
from ..duplicates.matching import find_matches
from ..duplicates.records import CLASH, ActivityRecord, SlotRecord
from ..duplicates.selectors import activity_record_list, policy_from_settings
from ..selectors import activity_list_current
from .plan import ActivityPlan, ImportPlan

# At most this many similar pairs are kept for the preview (the first, by the scorer's order).
SIMILAR_SHOWN = 50


@dataclass(frozen=True)
class SimilarRow:
    """One row of the file that looks like another organisation's listing (JSON-safe)."""

    row: int
    title: str
    other_title: str
    other_provider: str
    clash: bool
    reasons: str


def _slot(rule: recurrence.Rule) -> SlotRecord:
    return SlotRecord(
        weekday=rule.first_date.weekday(),
        start=rule.start_time,
        end=rule.end_time,
        frequency=str(rule.frequency),
        first_date=rule.first_date,
        ends_on=recurrence.series_end(rule),
    )


def _record(plan: ActivityPlan, import_plan: ImportPlan, key: str) -> ActivityRecord | None:
    page = plan.page or plan.existing
    if page is None or plan.row is None:
        return None
    taxonomy = import_plan.taxonomy
    categories = (
        [taxonomy.categories[s].name for s in plan.categories if s in taxonomy.categories]
        if plan.categories is not None
        else []
    )
    audiences = (
        [taxonomy.audiences[s] for s in plan.audiences if s in taxonomy.audiences]
        if plan.audiences is not None
        else []
    )
    rules = [r.slot for r in (plan.row, *plan.part_rows) if r.slot is not None]
    venue = (plan.venue.instance or plan.venue.existing) if plan.venue else None
    latitude = venue.latitude if venue else None
    longitude = venue.longitude if venue else None
    if venue is not None and latitude is None and venue.postcode:
        try:
            found = locate_postcode(venue.postcode)
            latitude, longitude = found.latitude, found.longitude
        except PostcodeError:
            pass
    provider = plan.provider.page
    return ActivityRecord(
        key=key,
        provider_key=provider.pk if provider else None,
        provider=plan.provider.title,
        ref=plan.ref,
        title=page.title or "",
        description=page.description or "",
        kind=page.kind or "",
        categories=tuple(categories),
        audiences=tuple(a.name for a in audiences),
        restrictions=frozenset(a.restriction for a in audiences if a.restriction),
        age_min=page.age_min,
        age_max=page.age_max,
        venue_key=venue.pk if venue and venue.pk else None,
        venue_name=venue.name if venue else "",
        address=venue.address if venue else "",
        postcode=venue.postcode if venue else "",
        latitude=latitude,
        longitude=longitude,
        online=bool(page.online),
        slots=tuple(_slot(rule) for rule in rules),
    )


def similar_rows(*, plan: ImportPlan, today: date) -> list[SimilarRow]:
    """The file's rows that look like, or clash with, another organisation's current listing."""
    planned: dict[str, tuple[int, ActivityRecord]] = {}
    for number, activity_plan in enumerate(plan.activities.values()):
        record = _record(activity_plan, plan, f"row-{number}")
        if record is not None:
            planned[record.key] = (activity_plan.row.number, record)
    if not planned:
        return []
    own = {r.provider_key for _, r in planned.values() if r.provider_key is not None}
    city = activity_record_list(
        activities=activity_list_current(today=today).exclude(provider_id__in=own), today=today
    )
    records = [record for _, record in planned.values()] + city
    found = []
    for match in find_matches(records, policy=policy_from_settings()):
        mine, other = match.a, match.b
        if isinstance(mine.key, int):
            mine, other = other, mine
        if not isinstance(mine.key, str) or not isinstance(other.key, int):
            continue  # two rows of the file, or two stored activities
        found.append(
            SimilarRow(
                row=planned[mine.key][0],
                title=mine.title,
                other_title=other.title,
                other_provider=other.provider,
                clash=match.kind == CLASH,
                reasons="; ".join(match.reasons),
            )
        )
    found.sort(key=lambda s: (s.row, s.other_title))
    return found[:SIMILAR_SHOWN]
