"""Writing the timetable spreadsheet: activities back into rows (``activity_rows``) and a CSV
file (``write_csv``), in the layout the import reads, so that a provider can round-trip it.

Reads the model instances handed to it. L2, not pure: ``write_csv`` imports ActivityPage for
one prefetch (each activity's next steps with their providers), so that the export costs a
fixed number of queries however many activities there are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from venues.accessibility import format_feature_list

from ..models import ActivityPage
from .cells import formula_safe
from .columns import COLUMNS, LIST_SEPARATOR, slot_refs, time_cell
from .rows import is_session_date


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _next_step_ref(activity, target) -> str:
    if target.provider_id == activity.provider_id or target.provider is None:
        return target.ref
    return f"{target.provider.slug}:{target.ref}"


def _activity_cells(activity) -> dict[str, str]:
    venue = activity.venue
    statuses = {f.code: f.status for f in venue.features.all()} if venue else {}
    statuses.update({f.code: f.status for f in activity.features.all()})
    return {
        "provider": activity.provider.title if activity.provider else "",
        "title": activity.title,
        "kind": activity.kind,
        "category": "; ".join(c.name for c in sorted(activity.categories.all(), key=_by_name)),
        "description": activity.description,
        "audience": "; ".join(a.name for a in sorted(activity.audiences.all(), key=_by_name)),
        "age_min": _number(activity.age_min),
        "age_max": _number(activity.age_max),
        "cost": activity.cost,
        "referral": LIST_SEPARATOR.join(activity.referral_routes),
        "venue_name": venue.name if venue else "",
        "address": venue.address if venue else "",
        "postcode": venue.postcode if venue else "",
        "latitude": _number(venue.latitude) if venue else "",
        "longitude": _number(venue.longitude) if venue else "",
        "online": _yes(activity.online),
        "accessibility": format_feature_list(statuses),
        "engagement_limit_weeks": _number(activity.engagement_limit_weeks),
        "contact_email": activity.contact_email,
        "contact_phone": activity.contact_phone,
        "booking_url": activity.booking_url,
        "who_for": activity.who_for,
        "not_suitable_for": activity.not_suitable_for,
        "support_level": activity.support_level,
        "how_to_join": activity.how_to_join,
        "referrer_needs": activity.referrer_needs,
        "languages": activity.languages,
        "capacity_status": activity.capacity_status,
        "capacity_updated": _date(activity.capacity_updated),
        "last_checked": _date(activity.last_checked),
        "meeting_link": activity.meeting_link,
        "booking_required": _yes(activity.booking_required),
        "next_steps": LIST_SEPARATOR.join(
            sorted(_next_step_ref(activity, target) for target in activity.next_steps.all())
        ),
    }


def _by_name(item) -> str:
    return item.name.casefold()


def _slot_cells(schedule, cancellations: dict[date, str]) -> dict[str, str]:
    rule = schedule.planned_rule  # as the provider wrote it, not with made-up sessions
    dates = sorted(day for day in cancellations if is_session_date(rule, day))
    return {
        "start_time": time_cell(schedule.start_time),
        "end_time": time_cell(schedule.end_time),
        "frequency": schedule.frequency,
        "first_date": schedule.first_date.isoformat(),
        "sessions": _number(schedule.sessions),
        "last_date": _date(schedule.last_date),
        "cancelled_dates": LIST_SEPARATOR.join(day.isoformat() for day in dates),
        # ";" separates entries, so a reason cannot contain one.
        "cancelled_reasons": LIST_SEPARATOR.join(
            f"{day.isoformat()}={cancellations[day].replace(';', ',')}"
            for day in dates
            if cancellations[day]
        ),
    }


def activity_rows(activity) -> list[dict[str, str]]:
    """The spreadsheet rows for one activity: one per time slot (at least one), every column.

    Expects the prefetches of activities.selectors.with_display_data (plus next_steps, which
    write_csv adds); otherwise each relation costs a query.
    """
    base = {column: "" for column in COLUMNS}
    base.update(_activity_cells(activity))
    schedules = list(activity.schedules.all())
    if not schedules:
        return [{**base, "ref": activity.ref}]
    cancellations = {c.date: c.reason for c in activity.cancellations.all()}
    rows = []
    refs = slot_refs(activity.ref, [s.ref for s in schedules])
    for index, (schedule, ref) in enumerate(zip(schedules, refs, strict=True)):
        row = {**base, **_slot_cells(schedule, cancellations), "ref": ref}
        row["part_of"] = activity.ref if index else ""
        rows.append(row)
    return rows


# Activities read (with their rows' relations) per chunk: a city's whole timetable read at once
# was one prefetch of 10,000 ids per relation, past SQLite's statement bound.
EXPORT_CHUNK = 500


def _in_chunks(activities: Iterable[ActivityPage]) -> Iterator[list[ActivityPage]]:
    if not isinstance(activities, QuerySet):
        yield list(activities)
        return
    # The ids in the queryset's order. Not values_list: a search's rank ordering is lost there
    # (PostgreSQL is sent "ORDER BY 0"); bare instances keep the ordering's annotations.
    bare = activities.select_related(None).prefetch_related(None).only("pk")
    ids = [activity.pk for activity in bare]
    for start in range(0, len(ids), EXPORT_CHUNK):
        part = ids[start : start + EXPORT_CHUNK]
        by_pk = {activity.pk: activity for activity in activities.filter(pk__in=part)}
        yield [by_pk[pk] for pk in part if pk in by_pk]


def write_csv(activities: Iterable[ActivityPage], stream) -> None:
    """Write the activities (in the order given) as a timetable spreadsheet CSV; a queryset is
    read EXPORT_CHUNK activities at a time.

    Starts with a UTF-8 byte order mark so that Excel shows £ and accents correctly; our
    import accepts files with or without one.
    """
    stream.write("\ufeff")
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for items in _in_chunks(activities):
        prefetch_related_objects(
            items,
            Prefetch("next_steps", queryset=ActivityPage.objects.select_related("provider")),
        )
        for activity in items:
            writer.writerows(
                {column: formula_safe(value) for column, value in row.items()}
                for row in activity_rows(activity)
            )
