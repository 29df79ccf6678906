"""The search behind "Find a group for someone": narrow the current activities in SQL, judge
every candidate from a few columns with the rules (`rules.judge`), rank exactly, then load and
explain in full (`explain.assess`) only the ones shown. The rules are in `rules`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from venues.accessibility import FEATURES, FeatureStatus
from venues.geo import LatLon, Location, approx_distance_sq_factors, distance_miles
from venues.models import VenueFeature
from venues.selectors import in_box

from .. import recurrence
from ..enums import TIME_RANGES, Mode, SingleSex, TimeOfDay, Where
from ..filters import accepts_routes
from ..models import ActivityFeature, ActivityPage, Audience, Cancellation, Schedule
from ..models.activity import ROUTE_FIELDS
from ..search.selectors import activity_search, understand
from ..selectors import activity_list_current, with_display_data
from .explain import assess
from .rules import (
    ONLY_SINGLE_SEX,
    OUTDOOR_ROUTE,
    SUPPORT_ORDER,
    WANTED_RESTRICTION,
    Assessment,
    Facts,
    RecordedFeature,
    Situation,
    SlotFacts,
    good_key,
    judge,
    near_key,
    need_applies,
)

GOOD_LIMIT = 20
NEAR_LIMIT = 10


@dataclass
class FinderResult:
    """What `find` returns: the best good fits and near misses, and how many of each there were."""

    good: list[Assessment]
    near: list[Assessment]
    good_count: int
    near_count: int
    origin: Location | None


# --- SQL: the coarse filter ------------------------------------------------------------------


def _linked(model, **lookups) -> Exists:
    return Exists(model.objects.filter(activitypage=OuterRef("pk"), **lookups))


def candidate_activities(*, situation: Situation, today: date) -> QuerySet[ActivityPage]:
    """Current activities that can possibly fit (no display data); the rules have the last word.

    Only what rules an activity out is filtered here (hard mismatches, and current sessions all
    on another day *and* at another time of day: two soft mismatches), each one generously, so
    nothing that `assess` would show is ever dropped.
    """
    s = situation
    qs = activity_list_current(today=today)
    if s.free_only:
        qs = qs.filter(cost__istartswith="free")
    if s.interests:
        qs = qs.filter(_linked(ActivityPage.categories.through, category__slug__in=s.interests))
    if s.words:  # the same search as browse, the export and the feeds
        qs = activity_search(qs, understand(s.words))
    if s.referral:
        qs = qs.filter(accepts_routes(s.referral))
    if s.age is not None:
        qs = qs.exclude(age_min__gt=s.age).exclude(age_max__lt=s.age)
    audiences = ActivityPage.audiences.through
    unwanted = _unwanted_restrictions(s)
    if unwanted:
        qs = qs.exclude(_linked(audiences, audience__restriction__in=unwanted))
    if s.single_sex in ONLY_SINGLE_SEX:
        wanted = WANTED_RESTRICTION[s.single_sex]
        qs = qs.filter(_linked(audiences, audience__restriction=wanted))
    if s.support:
        need = SUPPORT_ORDER.index(s.support)
        qs = qs.exclude(support_level__in=SUPPORT_ORDER[: max(need - 1, 0)])
    if s.days and s.times:  # a slot on another day at another time is two soft mismatches
        qs = qs.filter(_meets_on_a_day_or_time(s, today) | ~Exists(_linked_slots()))
    qs = _filter_place(qs, s)
    for code in s.access:
        qs = _exclude_recorded_no(qs, code, s)
    return qs.order_by("pk")


def _linked_slots() -> QuerySet[Schedule]:
    return Schedule.objects.filter(activity=OuterRef("pk"))


def _meets_on_a_day_or_time(s: Situation, today: date) -> Exists:
    """A current slot on one of their days or at one of their times of day (`TimeOfDay.of`)."""
    fits = Q(weekday__in=s.days)
    for name in s.times:
        begin, end = TIME_RANGES[name]
        if name == TimeOfDay.EVENING:  # `TimeOfDay.of` counts anything later as evening too
            fits |= Q(start_time__gte=begin)
        else:
            fits |= Q(start_time__gte=begin, start_time__lt=end)
    current = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    return Exists(_linked_slots().filter(current, fits))


def _unwanted_restrictions(s: Situation) -> list[str]:
    restricted = [Audience.Restriction.WOMEN, Audience.Restriction.MEN]
    if s.single_sex == SingleSex.MIXED:
        return restricted
    wanted = WANTED_RESTRICTION.get(s.single_sex)
    return [r for r in restricted if wanted and r != wanted]


def _filter_place(qs: QuerySet, s: Situation) -> QuerySet:
    remote = Q(online=True) | Q(venue__isnull=True)
    if s.where == Where.ONLINE:
        return qs.filter(remote)
    if s.location is None:  # no distance to judge: every venue, each with a check
        nearby = Q(venue__isnull=False)
    else:
        # A venue in the box, or one not on the map (shown with a check).
        nearby = Q(venue__latitude__isnull=True) | in_box(s.location.point, s.near_miss_miles)
    if s.where == Where.IN_PERSON:
        return qs.filter(nearby, venue__isnull=False)
    return qs.filter(remote | nearby)


def _outdoors() -> Exists:
    return Exists(ActivityFeature.objects.filter(activity=OuterRef("pk"), code=OUTDOOR_ROUTE))


def _exclude_recorded_no(qs: QuerySet, code: str, s: Situation) -> QuerySet:
    """Leave out what records "no" for `code`, unless a way they could take part in it is one
    the need does not apply to (`rules.need_applies`), generously."""
    if FEATURES[code].on_session:
        no = ActivityFeature.objects.filter(
            activity=OuterRef("pk"), code=code, status=FeatureStatus.NO
        )
    else:
        no = VenueFeature.objects.filter(
            venue=OuterRef("venue"), code=code, status=FeatureStatus.NO
        )
    condition = Exists(no)
    if not need_applies(code, mode=Mode.IN_PERSON, outdoors=False):
        condition &= ~_in_person_possible(s)
    elif not need_applies(code, mode=Mode.IN_PERSON, outdoors=True):
        condition &= ~(_in_person_possible(s) & _outdoors())
    if not need_applies(code, mode=Mode.ONLINE, outdoors=False):
        remote = Q(venue__isnull=True)
        condition &= ~(remote if s.where == Where.IN_PERSON else remote | Q(online=True))
    return qs.exclude(condition)


def _in_person_possible(s: Situation) -> Q:
    """Activities `rules.judge` may judge as taken part in in person."""
    if s.where == Where.ONLINE:
        return Q(venue__isnull=False, online=False)
    return Q(venue__isnull=False)


# --- The whole search ------------------------------------------------------------------------


def find(
    *,
    situation: Situation,
    today: date,
    good_limit: int = GOOD_LIMIT,
    near_limit: int = NEAR_LIMIT,
) -> FinderResult:
    """Good fits and near misses, best first, capped; the counts say how many there were.

    Every candidate is judged from plain column values (`_candidate_facts`); only the ones
    shown are loaded as pages and assessed in full. The result is the same as assessing every
    candidate in full and sorting (tests/activities/finder/test_finder_equivalence.py checks this).
    """
    s = situation
    candidates = candidate_activities(situation=s, today=today)
    good: list[_Ranked] = []
    near: list[_Ranked] = []
    # geopy's distance from them, worked out once per venue (many activities share one) and
    # forgotten with the search.
    miles_to = cache(partial(distance_miles, s.location.point)) if s.location else None
    for facts in _candidate_facts(candidates, s, miles_to):
        a = judge(facts, situation=s, today=today)
        if a.is_shown:
            (near if a.misses else good).append(_Ranked.of(a))
    ranking = {"situation": s, "today": today, "miles_to": miles_to}
    best_good = _best(good, limit=good_limit, scored=True, **ranking)
    best_near = _best(near, limit=near_limit, scored=False, **ranking)
    shown = [a.pk for a in best_good + best_near]
    pages = with_display_data(candidates.filter(pk__in=shown))
    full = {page.pk: assess(page, situation=s, today=today) for page in pages}
    return FinderResult(
        good=sorted((full[a.pk] for a in best_good), key=lambda a: good_key(a, s)),
        near=sorted((full[a.pk] for a in best_near), key=lambda a: near_key(a, s)),
        good_count=len(good),
        near_count=len(near),
        origin=s.location,
    )


def approx_error_miles(miles: float) -> float:
    """How far the quick distance formula (`approx_distance_sq_factors`) may be from geopy's.

    Its error grows with the square of the distance: within 30 miles at UK latitudes it is
    under 0.0001 miles per square mile (test_finder_equivalence checks this bound holds).
    """
    return 0.00025 * miles * miles + 0.001


def _grouped(rows) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for key, *rest in rows:
        grouped.setdefault(key, []).append(tuple(rest))
    return grouped


# The candidate columns `_candidate_facts` reads, in order, before the annotations.
_COLUMNS = [
    "pk", "title", "online", "venue_id", "venue__latitude", "venue__longitude", "age_min",
    "age_max", "languages", "support_level", "cost", "capacity_status", *ROUTE_FIELDS.values(),
]  # fmt: skip
_ROUTES = tuple(route.value for route in ROUTE_FIELDS)  # in the order of their columns


def _feature_status(model, code: str, **link) -> Subquery:
    """The status of the last `code` row, as the dict `facts_of` builds keeps the last."""
    rows = model.objects.filter(code=code, **link).order_by("-sort_order", "-pk")
    return Subquery(rows.values("status")[:1])


def _candidate_facts(candidates: QuerySet, s: Situation, miles_to) -> Iterator[Facts]:
    """Facts for every candidate from one query (two with topics), with no page objects.

    One row per candidate and schedule. Only what decides whether and where an activity is
    shown is read: its single-sex audiences, the statuses of the access needs asked about and
    the topics chosen. Distances use the SQL browse filter's quick formula, with
    `distance_error` saying how far out it may be; near the distances that decide good fit,
    near miss or not shown, geopy gives the exact figure, so those decisions are the ones
    `assess` makes.
    """
    audiences = ActivityPage.audiences.through.objects.filter(activitypage=OuterRef("pk"))
    restrictions = [Audience.Restriction.WOMEN, Audience.Restriction.MEN]
    annotations = {
        f"restricted_{r}": Exists(audiences.filter(audience__restriction=r)) for r in restrictions
    }
    annotations["outdoors"] = _outdoors()
    for i, code in enumerate(s.access):
        annotations[f"venue_feature_{i}"] = _feature_status(
            VenueFeature, code, venue=OuterRef("venue")
        )
        annotations[f"activity_feature_{i}"] = _feature_status(
            ActivityFeature, code, activity=OuterRef("pk")
        )
    slot_columns = [f"schedules__{name}" for name in ("pk", *SlotFacts._fields)]
    rows = (
        candidates.annotate(**annotations)
        .order_by("pk", "schedules__sort_order", "schedules__pk")
        .values_list(*_COLUMNS, *annotations, *slot_columns)
    )
    categories: dict[int, list[tuple]] = {}
    if s.interests:
        categories = _grouped(
            ActivityPage.categories.through.objects.filter(
                activitypage__in=candidates.values("pk"), category__slug__in=s.interests
            ).values_list("activitypage_id", "category__slug", "category__name")
        )
    origin = s.location.point if s.location else None
    per_lat, per_lon = approx_distance_sq_factors(origin) if origin else (0.0, 0.0)
    thresholds = (s.radius_miles, s.near_miss_miles)
    n_columns, n_access = len(_COLUMNS), len(s.access)
    for pk, group in groupby(rows, key=itemgetter(0)):
        group = list(group)
        row = group[0]
        (pk, title, online, venue_id, lat, lon, age_min, age_max, languages) = row[:9]
        (support, cost, capacity), accepts = row[9:12], row[12:n_columns]
        women, men, outdoors, *statuses = row[n_columns : n_columns + 3 + 2 * n_access]
        point = (lat, lon) if venue_id is not None and lat is not None and lon is not None else None
        distance, error = None, 0.0
        if origin and point:
            distance = math.hypot((lat - origin[0]) * per_lat, (lon - origin[1]) * per_lon)
            error = approx_error_miles(distance)
            if any(abs(distance - limit) <= error for limit in thresholds):
                distance, error = miles_to(point), 0.0
        slots = [r[-len(SlotFacts._fields) :] for r in group if r[-len(slot_columns)] is not None]
        venue_features, activity_features = {}, {}
        for code, venue_status, activity_status in zip(
            s.access, statuses[::2], statuses[1::2], strict=True
        ):
            if venue_status is not None:
                venue_features[code] = RecordedFeature(code, venue_status)
            if activity_status is not None:
                activity_features[code] = RecordedFeature(code, activity_status)
        yield Facts(
            pk=pk,
            title=title,
            online=online,
            has_venue=venue_id is not None,
            distance=distance,
            slots=tuple(SlotFacts(*slot) for slot in slots),
            categories=tuple(categories.get(pk, ())),
            audiences=tuple(
                ("", r) for r, on in zip(restrictions, (women, men), strict=True) if on
            ),
            age_min=age_min,
            age_max=age_max,
            languages=tuple(part.strip() for part in languages.split(",") if part.strip()),
            support_level=support,
            cost=cost,
            is_free=cost.strip().lower().startswith("free"),
            referral_routes=tuple(r for r, on in zip(_ROUTES, accepts, strict=True) if on),
            capacity_status=capacity,
            activity_features=activity_features,
            venue_features=venue_features,
            point=point,
            distance_error=error,
            outdoors=outdoors,
        )


class _Ranked(NamedTuple):
    """What ranks a good fit or near miss. Plain values only: Python's garbage collector stops
    tracking such tuples, and `find` keeps one per good fit or near miss, up to thousands."""

    score: int
    distance: float | None  # in person only
    error: float  # how far the true distance may be from `distance`
    pk: int
    title: str
    point: LatLon | None

    @classmethod
    def of(cls, a: Assessment) -> _Ranked:
        error = a.facts.distance_error if a.distance is not None else 0.0
        return cls(a.score, a.distance, error, a.facts.pk, a.facts.title, a.facts.point)


def _rank_distance(a: _Ranked, s: Situation, *, error: float = 0.0) -> float:
    """The distance the order uses: online sessions count as at the edge of their distance."""
    return a.distance + error if a.distance is not None else s.radius_miles


def _lead(a: _Ranked, s: Situation, scored: bool, *, error: float = 0.0) -> tuple:
    """The first parts of `good_key` (scored) or `near_key`."""
    distance = _rank_distance(a, s, error=error)
    return (-a.score, distance) if scored else (distance,)


def _best(
    assessments: list[_Ranked],
    *,
    limit: int,
    situation: Situation,
    today: date,
    scored: bool,
    miles_to,
) -> list[_Ranked]:
    """The first `limit` in the order of `good_key` (scored) or `near_key`, exactly.

    Quick distances may be out by `distance_error`: anything whose best case beats the worst
    case of one of the first `limit` stays in contention and gets its exact distance; those
    that still tie with the last place on (score and) distance are settled by the next session
    (good fits only), then title and id.
    """
    s = situation
    if limit <= 0 or not assessments:
        return []
    ranked = sorted(assessments, key=lambda a: _lead(a, s, scored))
    ceiling = max(_lead(a, s, scored, error=a.error) for a in ranked[:limit])
    contenders = []
    for a in assessments:
        if _lead(a, s, scored, error=-a.error) <= ceiling:
            if a.error:
                a = a._replace(distance=miles_to(a.point), error=0.0)
            contenders.append(a)
    contenders.sort(key=lambda a: _lead(a, s, scored))
    last = _lead(contenders[min(limit, len(contenders)) - 1], s, scored)
    contenders = [a for a in contenders if _lead(a, s, scored) <= last]
    if scored:
        starts = _next_starts(contenders, today=today)
        contenders.sort(key=lambda a: (_lead(a, s, True), starts[a.pk], a.title, a.pk))
    else:
        contenders.sort(key=lambda a: (_lead(a, s, False), a.title, a.pk))
    return contenders[:limit]


def _next_starts(assessments: list[_Ranked], *, today: date) -> dict[int, datetime]:
    """When each one's next session starts (naive, as `good_key` compares them)."""
    pks = [a.pk for a in assessments]
    cancelled = _grouped(
        Cancellation.objects.filter(activity_id__in=pks).values_list(
            "activity_id", "date", "reason"
        )
    )
    rules = _grouped(
        Schedule.objects.filter(activity_id__in=pks).values_list(
            "activity_id", *recurrence.RULE_FIELDS
        )
    )
    starts = {}
    for a in assessments:
        cancellations = dict(cancelled.get(a.pk, ()))
        upcoming = [
            occurrence.start.replace(tzinfo=None)
            for rule in rules.get(a.pk, ())
            if (
                occurrence := recurrence.next_occurrence(
                    recurrence.Rule(*rule), after=today, cancellations=cancellations
                )
            )
        ]
        starts[a.pk] = min(upcoming, default=datetime.max)
    return starts


def language_choices() -> list[str]:
    """Every language other than English that a live activity is run in, A to Z."""
    seen: dict[str, str] = {}
    values = ActivityPage.objects.live().exclude(languages="").values_list("languages", flat=True)
    for value in values.distinct():
        for part in value.split(","):
            name = part.strip()
            if name:
                seen.setdefault(name.casefold(), name)
    return sorted(seen.values(), key=str.casefold)
