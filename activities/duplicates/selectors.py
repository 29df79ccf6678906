"""Reads for duplicate detection: activities as scorer records, and findings with decisions.

Records are loaded with a fixed number of queries (activities, time slots, categories,
audiences) whatever the number of activities, and the single check asks SQL only for the
activities near the one being edited (an indexed bounding box on venue coordinates), the
ones at the same venue or postcode, and, for an online activity, the other online ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from directory.models import ProviderPage
from venues.areas import area_label
from venues.geo import KM_PER_MILE
from venues.selectors import in_box

from ..models import ActivityPage, DuplicateDecision, Schedule
from ..selectors import activity_list_current
from .fingerprint import record_fingerprint
from .matching import find_matches, match_one
from .records import CLASH, DUPLICATE, ActivityRecord, Match, Policy, SlotRecord

# Up to this many ids, later queries take them as a list: cheaper than repeating the filter.
_ID_LIST_LIMIT = 5000


def policy_from_settings() -> Policy:
    """The overlap policy from settings (DUPLICATE_*)."""
    return Policy(
        concept_threshold=settings.DUPLICATE_CONCEPT_THRESHOLD,
        nearby_km=settings.DUPLICATE_NEARBY_KM,
        clash_km=settings.DUPLICATE_CLASH_KM,
        clash_start_minutes=settings.DUPLICATE_CLASH_START_MINUTES,
    )


# --------------------------------------------------------------------------- records


def activity_record_list(
    *, activities: QuerySet[ActivityPage], today: date | None = None
) -> list[ActivityRecord]:
    """The activities as scorer records, in four queries. Slots that have ended are left out."""
    today = today or timezone.localdate()
    rows = list(
        activities.order_by("pk").values(
            "pk",
            "ref",
            "title",
            "description",
            "kind",
            "provider_id",
            "provider__title",
            "age_min",
            "age_max",
            "venue_id",
            "venue__name",
            "venue__address",
            "venue__postcode",
            "venue__latitude",
            "venue__longitude",
            "online",
        )
    )
    chosen = [row["pk"] for row in rows] if len(rows) <= _ID_LIST_LIMIT else activities.values("pk")
    slots: dict[int, list[SlotRecord]] = defaultdict(list)
    for row in (
        Schedule.objects.filter(activity__in=chosen)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("sort_order", "pk")
        .values_list(
            "activity_id", "weekday", "start_time", "end_time", "frequency", "first_date", "ends_on"
        )
    ):
        slots[row[0]].append(SlotRecord(*row[1:]))
    categories: dict[int, list[str]] = defaultdict(list)
    for page_id, name in (
        ActivityPage.categories.through.objects.filter(activitypage__in=chosen)
        .order_by("category__name")
        .values_list("activitypage_id", "category__name")
    ):
        categories[page_id].append(name)
    audiences: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for page_id, name, restriction in (
        ActivityPage.audiences.through.objects.filter(activitypage__in=chosen)
        .order_by("audience__name")
        .values_list("activitypage_id", "audience__name", "audience__restriction")
    ):
        audiences[page_id].append((name, restriction))
    return [
        ActivityRecord(
            key=row["pk"],
            provider_key=row["provider_id"],
            provider=row["provider__title"] or "",
            ref=row["ref"],
            title=row["title"],
            description=row["description"],
            kind=row["kind"],
            categories=tuple(categories[row["pk"]]),
            audiences=tuple(name for name, _ in audiences[row["pk"]]),
            restrictions=frozenset(r for _, r in audiences[row["pk"]] if r),
            age_min=row["age_min"],
            age_max=row["age_max"],
            venue_key=row["venue_id"],
            venue_name=row["venue__name"] or "",
            address=row["venue__address"] or "",
            postcode=row["venue__postcode"] or "",
            latitude=row["venue__latitude"],
            longitude=row["venue__longitude"],
            online=row["online"],
            slots=tuple(slots[row["pk"]]),
        )
        for row in rows
    ]


def _provider_of(page: ActivityPage, parent: ProviderPage | None) -> ProviderPage | None:
    if page.provider_id is not None:
        return page.provider
    if parent is not None:
        return parent
    if page.path:
        return ProviderPage.objects.filter(path=page.path[: -page.steplen]).first()
    return None


def activity_record_page(
    *,
    page: ActivityPage,
    categories: Iterable | None = None,
    audiences: Iterable | None = None,
    schedules: Iterable | None = None,
    parent: ProviderPage | None = None,
    today: date | None = None,
) -> ActivityRecord:
    """A record for an activity as it is being edited: the page object (a draft revision or a
    form's unsaved instance), not what is published. Categories, audiences and schedules
    default to the page's own (in memory for a revision); a form passes what was submitted.
    """
    today = today or timezone.localdate()
    categories = list(page.categories.all() if categories is None else categories)
    audiences = list(page.audiences.all() if audiences is None else audiences)
    schedules = list(page.schedules.all() if schedules is None else schedules)
    slots = []
    for schedule in schedules:
        if None in (schedule.first_date, schedule.start_time, schedule.end_time):
            continue
        # Unsaved slots (a draft's, a submitted form's) have no derived fields yet.
        schedule.derive()
        if schedule.ends_on is not None and schedule.ends_on < today:
            continue
        slots.append(
            SlotRecord(
                weekday=schedule.weekday,
                start=schedule.start_time,
                end=schedule.end_time,
                frequency=schedule.frequency,
                first_date=schedule.first_date,
                ends_on=schedule.ends_on,
            )
        )
    provider = _provider_of(page, parent)
    venue = page.venue if page.venue_id else None
    return ActivityRecord(
        key=page.pk if page.pk else "new",
        provider_key=provider.pk if provider else None,
        provider=provider.title if provider else "",
        ref=page.ref or "",
        title=page.title or "",
        description=page.description or "",
        kind=page.kind or "",
        categories=tuple(c.name for c in categories),
        audiences=tuple(a.name for a in audiences),
        restrictions=frozenset(a.restriction for a in audiences if a.restriction),
        age_min=page.age_min,
        age_max=page.age_max,
        venue_key=venue.pk if venue else None,
        venue_name=venue.name if venue else "",
        address=venue.address if venue else "",
        postcode=venue.postcode if venue else "",
        latitude=venue.latitude if venue else None,
        longitude=venue.longitude if venue else None,
        online=bool(page.online),
        slots=tuple(slots),
    )


def activity_list_candidates(
    *, record: ActivityRecord, policy: Policy, today: date | None = None
) -> QuerySet[ActivityPage]:
    """Current activities of other providers that could pair with the record: in a bounding
    box around its venue, at the same venue or postcode, or (if it is online) online."""
    near = Q(pk__in=[])
    if record.point is not None:
        near |= in_box(record.point, policy.nearby_km * 1.02 / KM_PER_MILE)
    if record.venue_key is not None:
        near |= Q(venue_id=record.venue_key)
    if record.postcode:
        near |= Q(venue__postcode=record.postcode)
    if record.online:
        near |= Q(online=True)
    queryset = activity_list_current(today=today).filter(near)
    if isinstance(record.key, int):
        queryset = queryset.exclude(pk=record.key)
    if record.provider_key is not None:
        queryset = queryset.exclude(provider_id=record.provider_key)
    return queryset


# --------------------------------------------------------------------------- findings


@dataclass
class Finding:
    """A match as people see it: with the decision already recorded about the pair, if any."""

    match: Match
    decision: DuplicateDecision | None = None
    # A "not a duplicate" decision whose activities have changed materially since.
    reopened: bool = False
    areas: tuple[str, str] = ("", "")
    # The stored scan's row it was read from (the city report), if any.
    stored: object | None = None

    @property
    def confirmed(self) -> bool:
        return bool(self.decision and self.decision.status == DuplicateDecision.Status.CONFIRMED)

    @property
    def pair(self) -> tuple[int, int] | None:
        """(lower page id, higher), as decisions store it; None for an unsaved activity."""
        a, b = self.match.a.key, self.match.b.key
        if not (isinstance(a, int) and isinstance(b, int)):
            return None
        return (a, b) if a < b else (b, a)


def _decisions(pairs: set[tuple[int, int] | None]) -> dict[tuple[int, int], DuplicateDecision]:
    pairs = {p for p in pairs if p is not None}
    if not pairs:
        return {}
    firsts = {a for a, _ in pairs}
    found = DuplicateDecision.objects.filter(activity_a__in=firsts).select_related("decided_by")
    return {
        (d.activity_a_id, d.activity_b_id): d
        for d in found
        if (d.activity_a_id, d.activity_b_id) in pairs
    }


def decision_list(
    *, provider_ids: set[int] | None = None, limit: int | None = None
) -> list[DuplicateDecision]:
    """Recorded decisions, newest first: about pairs involving ``provider_ids`` (None: all);
    the first ``limit`` if given."""
    decisions = DuplicateDecision.objects.select_related(
        "activity_a", "activity_b", "activity_a__provider", "activity_b__provider", "decided_by"
    ).order_by("-decided_at")
    if provider_ids is not None:
        decisions = decisions.filter(
            Q(activity_a__provider__in=provider_ids) | Q(activity_b__provider__in=provider_ids)
        )
    return list(decisions[:limit] if limit else decisions)


def _findings(matches: Iterable[Match]) -> list[Finding]:
    """Attach decisions; drop pairs marked "not a duplicate" that have not changed since."""
    findings = [Finding(match=m) for m in matches]
    decisions = _decisions({f.pair for f in findings})
    kept = []
    for finding in findings:
        decision = decisions.get(finding.pair) if finding.pair else None
        finding.decision = decision
        if decision is not None and decision.status == DuplicateDecision.Status.NOT_DUPLICATE:
            first, second = finding.match.a, finding.match.b
            if first.key > second.key:
                first, second = second, first
            unchanged = (
                record_fingerprint(first) == decision.fingerprint_a
                and record_fingerprint(second) == decision.fingerprint_b
            )
            if unchanged:
                continue
            finding.reopened = True
        kept.append(finding)
    return kept


def finding_list_city(*, today: date | None = None) -> list[Finding]:
    """Every current cross-provider duplicate and clash, clashes first, then by score."""
    records = activity_record_list(activities=activity_list_current(today=today), today=today)
    return _findings(find_matches(records, policy=policy_from_settings()))


def finding_list_page(
    *, record: ActivityRecord, today: date | None = None, limit: int | None = None
) -> tuple[list[Finding], int]:
    """Other providers' activities like this one, nearby: (the first `limit`, how many)."""
    policy = policy_from_settings()
    candidates = activity_record_list(
        activities=activity_list_candidates(record=record, policy=policy, today=today), today=today
    )
    findings = _findings(match_one(record, candidates, policy=policy))
    return (findings[:limit] if limit else findings), len(findings)


# --------------------------------------------------------------------------- the city overview


@dataclass
class Cluster:
    number: int
    records: list[ActivityRecord]
    findings: list[Finding]
    areas: list[str]

    @property
    def kind(self) -> str:
        return CLASH if any(f.match.kind == CLASH for f in self.findings) else DUPLICATE


def record_area(record: ActivityRecord) -> str:
    """The ward (or "Online") a record is in, as the report's area filter names it."""
    return area_label(
        latitude=record.latitude,
        longitude=record.longitude,
        postcode=record.postcode,
        online=record.online,
    )
