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
from ..duplicates.stored import stored_pair_list
from ..models import ActivityPage, ProblemReport, Schedule
from ..selectors import SlotRow, activity_list_editable, cancellation_map

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


def duplicate_counts(*, activity_ids: list[int]) -> dict[int, int]:
    """How many other providers' activities the stored duplicate scan pairs with each of
    these (pairs marked "not a duplicate" and unchanged since left out, as the city report
    does): one query however many ids, and however big the city. The scan is refreshed when
    an activity is published, unpublished or imported, and nightly."""
    counts = dict.fromkeys(activity_ids, 0)
    if not activity_ids:
        return counts
    pairs = (
        stored_pair_list()
        .filter(Q(activity_a__in=activity_ids) | Q(activity_b__in=activity_ids))
        .order_by()
        .values_list("activity_a_id", "activity_b_id")
    )
    for first, second in pairs:
        for side in (first, second):
            if side in counts:
                counts[side] += 1
    return counts


def timetable_page(*, user, number, today: date) -> tuple[PaginatorPage, list[TimetableRow]]:
    page = Paginator(activity_list_timetable(user=user), PAGE_SIZE).get_page(number)
    activities = list(page.object_list)
    duplicates = duplicate_counts(activity_ids=[a.pk for a in activities])
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
