"""Reads: every page and export gets its activities through these functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, When
from django.utils import timezone

from directory.models import ProviderPage
from directory.permissions import pages_editable
from venues.accessibility import AVAILABLE_STATUSES, FEATURES, FeatureStatus
from venues.geo import Location, distance_miles
from venues.models import VenueFeature
from venues.selectors import feature_table

from . import recurrence, time_limits, what_next
from .enums import ActivityKind
from .filters import ActivityFilter, active_schedules
from .models import ActivityPage, Cancellation, Schedule
from .wording import DAY_NAMES, status_meaning


def activity_list_current(*, today: date | None = None) -> QuerySet[ActivityPage]:
    """Published activities that still have sessions to come (or need no schedule)."""
    today = today or timezone.localdate()
    has_current = Exists(active_schedules(today=today).filter(activity=OuterRef("pk")))
    has_any = Exists(Schedule.objects.filter(activity=OuterRef("pk")))
    return (
        ActivityPage.objects.live()
        .filter(has_current | ~has_any)
        .select_related("provider", "venue")
    )


PROVIDER_SUGGESTIONS = 10


def provider_suggestions(*, text: str) -> list[dict[str, str]]:
    """At most PROVIDER_SUGGESTIONS live organisations whose name contains `text` (names that
    start with it first), as {"title", "slug"}: the browse page's search-as-you-type."""
    text = text.strip()[:100]
    if len(text) < 2:
        return []
    rows = (
        ProviderPage.objects.live()
        .filter(title__icontains=text)
        .annotate(starts=Case(When(title__istartswith=text, then=0), default=1))
        .order_by("starts", "title")
        .values("title", "slug")[:PROVIDER_SUGGESTIONS]
    )
    return list(rows)


def activity_list_editable(*, user) -> QuerySet[ActivityPage]:
    """Activities the user may edit (their own organisation's, for an editor), in SQL."""
    return pages_editable(user, ActivityPage.objects.all())


NEXT_STEP_RESULTS = 20


def next_step_search(*, user, text: str, exclude: int | None = None) -> list[dict]:
    """Activities an editor may offer as "what next": published ones, and their own drafts,
    whose title contains `text` (at most NEXT_STEP_RESULTS, by title), for the editor's chooser."""
    text = text.strip()[:100]
    if len(text) < 2:
        return []
    visible = ActivityPage.objects.filter(live=True) | activity_list_editable(user=user)
    rows = (
        visible.filter(title__icontains=text)
        .exclude(pk=exclude)
        .order_by("title", "pk")
        .values("pk", "title", "provider__title", "live")[:NEXT_STEP_RESULTS]
    )
    return [
        {
            "id": row["pk"],
            "label": row["title"]
            + (f" ({row['provider__title']})" if row["provider__title"] else "")
            + ("" if row["live"] else " – draft"),
        }
        for row in rows
    ]


def with_display_data(queryset: QuerySet[ActivityPage]) -> QuerySet[ActivityPage]:
    """Prefetch what list rows show, so a list costs the same few queries at any size."""
    return queryset.prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.order_by("sort_order", "pk")),
        "cancellations",
        "categories",
        "audiences",
        "features",
        Prefetch("venue__features", queryset=VenueFeature.objects.order_by("sort_order", "pk")),
    )


@dataclass
class SlotRow:
    """One time slot as a list row shows it: in words, and its next session."""

    schedule: Schedule
    description: str
    next: recurrence.Occurrence | None


@dataclass
class ActivityRow:
    activity: ActivityPage
    slots: list[SlotRow]
    next: recurrence.Occurrence | None
    distance: float | None
    access: list[str] = field(default_factory=list)
    # The chosen access needs this activity meets only partly or on request, each explained.
    access_checks: list[str] = field(default_factory=list)

    @property
    def time_limit(self) -> str:
        return time_limits.summary(self.activity, today=timezone.localdate())


def cancellation_map(activity: ActivityPage) -> dict[date, str]:
    return {c.date: c.reason for c in activity.cancellations.all()}


def activity_row(
    activity: ActivityPage,
    *,
    today: date,
    origin: Location | None = None,
    from_day: date | None = None,
    needs: list[str] | tuple[str, ...] = (),
) -> ActivityRow:
    """`from_day`: show the next session on or after this day (the start of the "when"
    filter's window), rather than after today. `needs`: the access codes the visitor chose,
    whose "partly" or "on request" the row explains."""
    cancelled = cancellation_map(activity)
    slots = []
    for schedule in activity.schedules.all():
        slots.append(
            SlotRow(
                schedule=schedule,
                description=schedule.describe(cancelled, today=today),
                next=recurrence.next_occurrence(
                    schedule.rule, after=from_day or today, cancellations=cancelled
                ),
            )
        )
    upcoming = [slot.next for slot in slots if slot.next is not None]
    distance = None
    if origin is not None and activity.venue is not None and activity.venue.coordinates:
        distance = distance_miles((origin.latitude, origin.longitude), activity.venue.coordinates)
    return ActivityRow(
        activity=activity,
        slots=slots,
        next=min(upcoming, key=lambda o: o.start) if upcoming else None,
        distance=distance,
        access=key_access_labels(activity),
        access_checks=access_checks(activity, needs),
    )


def access_checks(activity: ActivityPage, needs) -> list[str]:
    """For each chosen need met only partly or on request: "Step-free way in: partly – ramp
    at the side door" (or what that status means, when the provider gave no details)."""
    recorded = {f.code: f for f in activity.venue.features.all()} if activity.venue else {}
    recorded.update({f.code: f for f in activity.features.all()})
    checks = []
    for code in needs:
        feature = recorded.get(code)
        if feature is not None and feature.status in AVAILABLE_STATUSES[1:]:  # not a plain yes
            meaning = status_meaning(feature.status, feature.details)
            checks.append(f"{FEATURES[code].label}: {meaning[:1].lower()}{meaning[1:]}")
    return checks


def key_access_labels(activity: ActivityPage) -> list[str]:
    """Access features that are available, venue first, as short labels for list rows."""
    labels = []
    features = list(activity.venue.features.all()) if activity.venue else []
    features += list(activity.features.all())
    for feature in features:
        if feature.status in AVAILABLE_STATUSES:
            label = FEATURES[feature.code].label
            if feature.status != FeatureStatus.YES:
                label += f" ({feature.get_status_display().lower()})"
            labels.append(label)
    return labels


@dataclass
class BrowseResult:
    filterset: ActivityFilter
    page: PaginatorPage | None
    rows: list[ActivityRow]
    count: int
    origin: Location | None
    today: date | None = None


def activity_ids_soonest(queryset: QuerySet[ActivityPage], *, after: date) -> list[int]:
    """Ids of `queryset` ordered by their next session on or after `after` (cancelled
    sessions skipped, as recurrence decides), then by title; those with no session to come
    last. Two queries of plain columns, however many activities match."""
    titles = dict(queryset.order_by().values_list("pk", "title"))
    cancelled: dict[int, dict[date, str]] = {}
    for activity_id, day in Cancellation.objects.filter(
        activity__in=list(titles), date__gte=after
    ).values_list("activity_id", "date"):
        cancelled.setdefault(activity_id, {})[day] = ""
    soonest: dict[int, datetime] = {}
    for activity_id, *fields in Schedule.objects.filter(activity__in=list(titles)).values_list(
        "activity_id", *recurrence.RULE_FIELDS
    ):
        found = recurrence.next_occurrence(
            recurrence.Rule(*fields), after=after, cancellations=cancelled.get(activity_id)
        )
        if found is not None and (activity_id not in soonest or found.start < soonest[activity_id]):
            soonest[activity_id] = found.start
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(titles, key=lambda pk: (soonest.get(pk, never), titles[pk].lower(), pk))


def activity_list_browse(
    *, params, today: date | None = None, page_number=1, page_size=20
) -> BrowseResult:
    """The filtered, paginated list. An invalid form lists nothing (its errors say why)."""
    today = today or timezone.localdate()
    filterset = ActivityFilter(params, queryset=activity_list_current(today=today), today=today)
    if not filterset.is_valid():
        return BrowseResult(filterset=filterset, page=None, rows=[], count=0, origin=None)
    origin = filterset.form.cleaned_data.get("postcode")
    window = filterset.window()
    from_day = window[0] if window else today
    if filterset.form.cleaned_data.get("sort") == "soonest":
        # Paginated over the ordered ids, so the count and pages stay exact.
        paginator = Paginator(activity_ids_soonest(filterset.qs, after=from_day), page_size)
        page = paginator.get_page(page_number)
        by_pk = {a.pk: a for a in with_display_data(filterset.qs.filter(pk__in=page.object_list))}
        activities = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    else:
        paginator = Paginator(filterset.qs, page_size)
        page = paginator.get_page(page_number)
        activities = with_display_data(page.object_list)
    needs = filterset.form.cleaned_data.get("access") or []
    rows = [
        activity_row(a, today=today, origin=origin, from_day=from_day, needs=needs)
        for a in activities
    ]
    return BrowseResult(
        filterset=filterset,
        page=page,
        rows=rows,
        count=paginator.count,
        origin=origin,
        today=today,
    )


def activity_list_filtered(*, params, today: date | None = None) -> tuple[ActivityFilter, QuerySet]:
    """Every activity matching the browse query string, with display data (for exports/feeds)."""
    today = today or timezone.localdate()
    filterset = ActivityFilter(params, queryset=activity_list_current(today=today), today=today)
    return filterset, with_display_data(filterset.qs)


def upcoming_sessions(
    activity: ActivityPage, *, today: date, limit: int = 8, horizon_days: int = 366
) -> list[recurrence.Occurrence]:
    """The next sessions across all slots, cancelled ones included (marked) so people know."""
    cancelled = cancellation_map(activity)
    found: list[recurrence.Occurrence] = []
    for schedule in activity.schedules.all():
        found += recurrence.occurrences(
            schedule.rule,
            start=today,
            end=today + timedelta(days=horizon_days),
            cancellations=cancelled,
            include_cancelled=True,
        )[:limit]
    return sorted(found, key=lambda o: o.start)[:limit]


def access_table(activity: ActivityPage) -> list[tuple[str, list[tuple]]]:
    """The venue's features plus how sessions are run, for the activity page."""
    recorded = {f.code: f for f in activity.venue.features.all()} if activity.venue else {}
    recorded.update({f.code: f for f in activity.features.all()})
    return feature_table(recorded)


@dataclass
class AccessSummary:
    """The activity page's access section: what is known, grouped, and one line of the rest."""

    known: list[tuple[str, list[tuple[str, str, str]]]]  # group, [(label, status words, status)]
    unknown: list[str]  # labels of features nobody has recorded
    first_visit: list[str]  # "Someone will meet you on your first visit", when recorded


# Shown under "Your first visit" when recorded (and left out of the access lists below it).
FIRST_VISIT_CODES = ("meet_at_door", "bring_companion")


def access_summary(activity: ActivityPage) -> AccessSummary:
    """Known features with their status (partly and on request explained), and the unknown
    ones as labels for one "Not known" line. With no venue (a time bank, a phone service)
    only what is recorded is listed: there is no building to ask about."""
    known, unknown, first_visit = [], [], []
    for group, rows in access_table(activity):
        listed = []
        for label, status_label, details, status in rows:
            code = _CODE_BY_LABEL[label]
            if status == "unknown":
                if activity.venue is not None and code not in FIRST_VISIT_CODES:
                    unknown.append(label)
                continue
            if code in FIRST_VISIT_CODES and status in AVAILABLE_STATUSES:
                first_visit.append(f"{label}{f' – {details}' if details else ''}")
                continue
            words = status_meaning(status, details) or (
                f"{status_label} – {details}" if details else status_label
            )
            listed.append((label, words, status))
        if listed:
            known.append((group, listed))
    return AccessSummary(known=known, unknown=unknown, first_visit=first_visit)


_CODE_BY_LABEL = {feature.label: code for code, feature in FEATURES.items()}


def activity_detail(*, activity: ActivityPage, today: date | None = None) -> dict:
    """Everything the activity page shows, from one call."""
    today = today or timezone.localdate()
    activity = with_display_data(ActivityPage.objects.filter(pk=activity.pk)).get()
    row = activity_row(activity, today=today)
    next_steps = list(
        activity.next_steps.live().select_related("provider", "venue").order_by("title")
    )
    onwards = what_next.what_next(
        activity=activity, candidates=activity_list_current(today=today), today=today
    )
    return {
        "row": row,
        "sessions": upcoming_sessions(activity, today=today),
        "time_limit": time_limits.summary(activity, today=today),
        "has_ended": time_limits.has_ended(activity, today=today),
        "access": access_table(activity),
        "access_summary": access_summary(activity),
        "next_steps": next_steps,
        "what_next": onwards,
        "detail": activity,
    }


@dataclass
class TimetableEntry:
    activity: ActivityPage
    schedule: Schedule
    description: str


def timetable_by_weekday(activities, *, today: date) -> list[tuple[str, list[TimetableEntry]]]:
    """Group current slots by weekday (Monday first), ordered by start time."""
    days: dict[int, list[TimetableEntry]] = {i: [] for i in range(7)}
    for activity in activities:
        for schedule in activity.schedules.all():
            if schedule.ends_on is not None and schedule.ends_on < today:
                continue
            days[schedule.weekday].append(
                TimetableEntry(
                    activity,
                    schedule,
                    schedule.describe(cancellation_map(activity), today=today),
                )
            )
    return [
        (DAY_NAMES[i], sorted(entries, key=lambda e: (e.schedule.start_time, e.activity.title)))
        for i, entries in days.items()
        if entries
    ]


def provider_timetable(*, provider, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    activities = list(
        with_display_data(activity_list_current(today=today).filter(provider=provider)).order_by(
            "title"
        )
    )
    return {
        "days": timetable_by_weekday(activities, today=today),
        "unscheduled": [
            a for a in activities if a.kind == ActivityKind.SERVICE and not a.schedules.all()
        ],
        "rows": [activity_row(a, today=today) for a in activities],
    }


def venue_timetable(*, venue, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    activities = list(
        with_display_data(activity_list_current(today=today).filter(venue=venue)).order_by("title")
    )
    return {
        "days": timetable_by_weekday(activities, today=today),
        "rows": [activity_row(a, today=today) for a in activities],
        "providers": sorted({a.provider.title for a in activities if a.provider}),
    }
