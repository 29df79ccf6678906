"""Reads for "Your timetable": a page of the activities a user may edit, with what each row
shows (days and times, venue, next date, last checked, open problem reports, possible
duplicates), in a fixed number of queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet

from .. import recurrence
from ..duplicates.matching import match_one
from ..duplicates.selectors import (
    _findings,
    activity_list_candidates,
    activity_record_list,
    policy_from_settings,
)
from ..models import ActivityPage, ProblemReport, Schedule
from ..selectors import SlotRow, activity_list_current, activity_list_editable, cancellation_map

PAGE_SIZE = 25


@dataclass
class TimetableRow:
    activity: ActivityPage
    slots: list[SlotRow]  # each time slot in words, with its next session
    next: recurrence.Occurrence | None
    open_reports: int
    duplicates: int


def activity_list_timetable(*, user) -> QuerySet[ActivityPage]:
    """The user's activities in timetable order: by organisation, then meeting day and time
    of their first slot, then title. Annotated with the number of open problem reports."""
    return (
        activity_list_editable(user=user)
        .select_related("provider", "venue")
        .annotate(
            first_weekday=Min("schedules__weekday"),
            first_start=Min("schedules__start_time"),
            open_reports=Count(
                "problem_reports",
                filter=Q(problem_reports__status=ProblemReport.Status.OPEN),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch("schedules", queryset=Schedule.objects.order_by("sort_order", "pk")),
            "cancellations",
        )
        .order_by(
            "provider__title",
            F("first_weekday").asc(nulls_last=True),
            F("first_start").asc(nulls_last=True),
            "title",
            "pk",
        )
    )


def duplicate_counts(*, activity_ids: list[int], today: date) -> dict[int, int]:
    """How many other providers' current activities look like each of these (decided
    "not a duplicate" pairs left out): eight queries however many ids."""
    if not activity_ids:
        return {}
    policy = policy_from_settings()
    records = activity_record_list(
        activities=ActivityPage.objects.filter(pk__in=activity_ids), today=today
    )
    near = Q(pk__in=[])
    for record in records:
        near |= Q(pk__in=activity_list_candidates(record=record, policy=policy, today=today))
    candidates = activity_record_list(
        activities=activity_list_current(today=today).filter(near), today=today
    )
    matches = [
        match
        for record in records
        for match in match_one(
            record, [c for c in candidates if c.provider_key != record.provider_key], policy=policy
        )
    ]
    counts = dict.fromkeys(activity_ids, 0)
    for finding in _findings(matches):
        counts[finding.match.a.key] = counts.get(finding.match.a.key, 0) + 1
    return counts


def timetable_page(*, user, number, today: date) -> tuple[PaginatorPage, list[TimetableRow]]:
    page = Paginator(activity_list_timetable(user=user), PAGE_SIZE).get_page(number)
    activities = list(page.object_list)
    duplicates = duplicate_counts(activity_ids=[a.pk for a in activities], today=today)
    rows = []
    for activity in activities:
        cancelled = cancellation_map(activity)
        slots = [
            SlotRow(
                schedule=schedule,
                description=schedule.describe(cancelled),
                next=recurrence.next_occurrence(
                    schedule.rule, after=today, cancellations=cancelled
                ),
            )
            for schedule in activity.schedules.all()
        ]
        upcoming = [slot.next for slot in slots if slot.next is not None]
        rows.append(
            TimetableRow(
                activity=activity,
                slots=slots,
                next=min(upcoming, key=lambda o: o.start) if upcoming else None,
                open_reports=activity.open_reports,
                duplicates=duplicates.get(activity.pk, 0),
            )
        )
    return page, rows
