"""Reads: the providers' inbox, the navigators' queue, due deadlines, the person's status, counts.

Every list a user sees starts from `permissions.destinations_visible(user)`, so the boundary
between organisations is in the SQL of each page, search and export, never a later check.
List queries select what they show, so their number does not grow with the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from activities.finder.rules import Situation
from activities.finder.search import find
from activities.models import ActivityPage
from activities.selectors import activity_list_current
from activities.wording import how_to_join
from venues.geo import Location

from .enums import FINISHED, UNANSWERED, DeclineReason, Route, State
from .fit import Fit, fit_check
from .models import Destination, Referral
from .permissions import destinations_visible

# What the lists show: narrow rows (no encrypted column) with the organisation's and activity's
# titles as plain values: building 100 page objects for a list of 50 cost more than its SQL.
LIST_COLUMNS = (
    "referral_id",
    "provider_id",
    "activity_id",
    "state",
    "outcome",
    "decline_reason",
    "created_at",
    "due_at",
    "reminded_at",
    "escalated_at",
    "referral__reference",
    "referral__route",
)


def _listed(queryset: QuerySet[Destination]) -> QuerySet[Destination]:
    return (
        queryset.select_related("referral")
        .only(*LIST_COLUMNS)
        .annotate(provider_title=F("provider__title"), activity_title=F("activity__title"))
    )


def destinations_inbox_filtered(
    *, user, state: str = "", open_only: bool = False, reference: str = ""
) -> QuerySet[Destination]:
    """The destinations the user handles (a provider's own; navigators: everyone's),
    optionally by state or reference, unordered and without joins (for counting)."""
    queryset = destinations_visible(user)
    if state in State.values:
        queryset = queryset.filter(state=state)
    if open_only:
        queryset = queryset.exclude(state__in=FINISHED)
    if reference:
        queryset = queryset.filter(referral__reference=reference.strip().upper())
    return queryset


def destinations_inbox(
    *, user, state: str = "", open_only: bool = False, reference: str = ""
) -> QuerySet[Destination]:
    """The inbox's rows, newest first; no personal column is read."""
    found = destinations_inbox_filtered(
        user=user, state=state, open_only=open_only, reference=reference
    )
    return _listed(found).order_by("-created_at", "-pk")


def destinations_navigators_queue_filtered(*, user) -> QuerySet[Destination]:
    """Referrals sent to the navigators, escalated or handed back, still open."""
    return destinations_visible(user).filter(provider__isnull=True).exclude(state__in=FINISHED)


def destinations_navigators_queue(*, user) -> QuerySet[Destination]:
    """The queue's rows, oldest first."""
    found = destinations_navigators_queue_filtered(user=user)
    return _listed(found).order_by("created_at", "pk")


def destination_detail(*, user, pk: int) -> Destination | None:
    return (
        destinations_visible(user)
        .select_related("referral", "provider", "activity", "referral__referred_by")
        .filter(pk=pk)
        .first()
    )


def referral_history(*, referral: Referral) -> list:
    return list(referral.events.select_related("actor", "destination__provider"))


def referral_destinations(*, referral: Referral) -> list[Destination]:
    return list(
        referral.destinations.select_related("provider", "activity")
        .defer("decline_note")
        .order_by("created_at", "pk")
    )


def destinations_due(*, now: dt.datetime | None = None) -> QuerySet[Destination]:
    """Unanswered destinations past their next deadline (reminder, then escalation)."""
    now = now or timezone.now()
    return (
        Destination.objects.filter(state__in=UNANSWERED, due_at__lte=now)
        .defer("decline_note")
        .order_by("due_at", "pk")
    )


def referrals_ended_open() -> QuerySet[Referral]:
    """Open referrals whose every destination has ended (see `services.referral_ended`), each
    with `ended_at`, the time of its last event: the daily command closes them."""
    unended = Q(destinations__state__in=UNANSWERED) | Q(
        destinations__state=State.ACCEPTED, destinations__outcome=""
    )
    return (
        Referral.objects.filter(closed_at__isnull=True, destinations__isnull=False)
        .exclude(pk__in=Referral.objects.filter(unended).values("pk"))
        .annotate(ended_at=Max("events__at"))
        .only("pk")
    )


def referral_by_reference(*, reference: str) -> Referral | None:
    return Referral.objects.filter(reference=reference).first()


def referral_counts(*, since: dt.datetime | None = None, median: bool = True) -> dict:
    """Anonymous counts for the city (they survive erasure): by route and state, how often
    providers accept what they answer, decline reasons (the "unsuitable referral" rate), time
    to first answer, forwarded and re-referred. Two aggregate queries (three with the median),
    whatever the size: the database counts, Python only names the results."""
    destinations = Destination.objects.all()
    referrals = Referral.objects.all()
    if since is not None:
        destinations = destinations.filter(created_at__gte=since)
        referrals = referrals.filter(created_at__gte=since)
    answered = Q(provider__isnull=False, answered_at__isnull=False)
    of_referrals = referrals.aggregate(
        referrals=Count("pk"),
        re_referred=Count("pk", filter=Q(previous__isnull=False)),
        **{f"route_{r}": Count("pk", filter=Q(route=r)) for r in Route.values},
    )
    of_destinations = destinations.aggregate(
        answered=Count("pk", filter=answered),
        declined=Count("pk", filter=answered & ~Q(decline_reason="")),
        **{f"state_{v}": Count("pk", filter=Q(state=v)) for v in State.values},
        **{f"reason_{v}": Count("pk", filter=Q(decline_reason=v)) for v in DeclineReason.values},
    )

    def nonzero(values: dict, prefix: str, keys) -> dict:
        return {key: values[prefix + key] for key in keys if values[prefix + key]}

    answered_count, declined = of_destinations["answered"], of_destinations["declined"]
    medians = (
        _median_hours_by_provider(destinations.filter(answered), overall_only=True)
        if median
        else {}
    )
    return {
        "referrals": of_referrals["referrals"],
        "by_route": nonzero(of_referrals, "route_", Route.values),
        "by_state": nonzero(of_destinations, "state_", State.values),
        "decline_reasons": nonzero(of_destinations, "reason_", DeclineReason.values),
        "acceptance_rate": (
            round((answered_count - declined) / answered_count, 3) if answered_count else None
        ),
        "median_hours_to_answer": medians.get(None) if median else None,
        "forwarded": of_destinations[f"state_{State.FORWARDED}"],
        "re_referred": of_referrals["re_referred"],
    }


@dataclass
class ProviderCounts:
    """One organisation's row on the counts screen: destinations sent to it, never who."""

    provider: str
    received: int
    by_route: dict[str, int]
    answered: int
    accepted: int
    declined: int
    unsuitable: int  # declined as not suitable for their needs, or not eligible
    forwarded: int
    median_hours: float | None = None

    @property
    def route_counts(self) -> list[int]:
        return [self.by_route[route] for route in Route.values]

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.answered if self.answered else None

    @property
    def unsuitable_rate(self) -> float | None:
        return self.unsuitable / self.answered if self.answered else None


UNSUITABLE = (DeclineReason.NOT_SUITABLE, DeclineReason.NOT_ELIGIBLE)


def referral_counts_by_provider(
    *, since: dt.datetime | None = None
) -> tuple[list[ProviderCounts], ProviderCounts]:
    """The city's counts per organisation (routes, answers, acceptance, unsuitable, forwarded,
    median hours to the first answer) and the city's total row: two counting queries at any
    size (the city's row is their sum) and the medians (two aggregates on PostgreSQL, one
    narrow column elsewhere). Anonymous: they survive erasure."""
    answered = Q(answered_at__isnull=False)
    counts = {
        "received": Count("pk"),
        "answered": Count("pk", filter=answered),
        "declined": Count("pk", filter=answered & ~Q(decline_reason="")),
        "unsuitable": Count("pk", filter=Q(decline_reason__in=UNSUITABLE)),
        "forwarded": Count("pk", filter=Q(state=State.FORWARDED)),
        **{f"route_{r}": Count("pk", filter=Q(referral__route=r)) for r in Route.values},
    }
    sent_to_providers = Destination.objects.filter(provider__isnull=False)
    if since is not None:
        sent_to_providers = sent_to_providers.filter(created_at__gte=since)
    rows = (
        sent_to_providers.values("provider_id", "provider__title")
        .annotate(**counts)
        .order_by("provider__title", "provider_id")
    )
    medians = _median_hours_by_provider(sent_to_providers.filter(answered))

    def row(title: str, values: dict, median_hours: float | None) -> ProviderCounts:
        return ProviderCounts(
            provider=title,
            received=values["received"],
            by_route={r: values[f"route_{r}"] for r in Route.values},
            answered=values["answered"],
            accepted=values["answered"] - values["declined"],
            declined=values["declined"],
            unsuitable=values["unsuitable"],
            forwarded=values["forwarded"],
            median_hours=median_hours,
        )

    rows = list(rows)
    providers = [row(r["provider__title"], r, medians.get(r["provider_id"])) for r in rows]
    # Counts add up: the city's row is the sum of the organisations' (no second scan).
    sums = {key: sum(r[key] for r in rows) for key in counts}
    total = row("All organisations", sums, medians.get(None))
    return providers, total


class _Median(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(0.5): the median, interpolated between the two middle
    values as `_median` does."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _wait_seconds() -> Func:
    wait = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
    return Func(wait, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def _median_hours_by_provider(
    answered: QuerySet[Destination], *, overall_only: bool = False
) -> dict[int | None, float | None]:
    """Median hours from sent to first answer per provider, and (key None) over them all.
    PostgreSQL computes them (two aggregate queries, nothing but the medians comes back);
    elsewhere (SQLite) they come from one narrow column."""
    if connection.vendor == "postgresql":
        hours = {}
        if not overall_only:
            per_provider = answered.values("provider_id").annotate(m=_Median(_wait_seconds()))
            hours = {row["provider_id"]: row["m"] for row in per_provider.order_by()}
        hours[None] = answered.aggregate(m=_Median(_wait_seconds()))["m"]
        return {key: None if s is None else round(s / 3600, 1) for key, s in hours.items()}
    wait = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
    waits: dict[int | None, list[float]] = {None: []}
    for provider_id, waited in answered.annotate(wait=wait).values_list("provider_id", "wait"):
        hours = waited.total_seconds() / 3600
        if not overall_only:
            waits.setdefault(provider_id, []).append(hours)
        waits[None].append(hours)
    return {key: _median(values) for key, values in waits.items()}


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    if len(values) % 2:
        return round(values[middle], 1)
    return round((values[middle - 1] + values[middle]) / 2, 1)


# --- the public journey ---------------------------------------------------------------------


def activities_current(*, ids: list[int]) -> list[ActivityPage]:
    """The published, current activities among `ids`, in the order given."""
    found = {
        a.pk: a
        for a in activity_list_current()
        .public()
        .filter(pk__in=ids, provider__isnull=False)
        .prefetch_related("audiences", "categories")
    }
    return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True)
class FitCheck:
    activity: ActivityPage
    fit: Fit
    alternatives: list[ActivityPage] = field(default_factory=list)


def activities_alternatives(*, activity: ActivityPage, limit: int = 3) -> list[ActivityPage]:
    """Current activities on a shared topic that are not full and take self-referrals or
    referrers: near alternatives for one that does not fit."""
    topics = [c.pk for c in activity.categories.all()]
    return list(
        activity_list_current()
        .public()
        .filter(categories__in=topics)
        .exclude(pk=activity.pk)
        .exclude(capacity_status="full")
        .filter(Q(self_referral=True) | Q(professional_referral=True))
        .distinct()
        .order_by("title")[:limit]
    )


def activities_fit(*, ids: list[int], route: Route) -> list[FitCheck]:
    checks = []
    for activity in activities_current(ids=ids):
        fit = fit_check(
            activity,
            route=route,
            audiences=[a.name for a in activity.audiences.all()],
            joining=how_to_join(activity),
        )
        alternatives = [] if fit.fits else activities_alternatives(activity=activity)
        checks.append(FitCheck(activity=activity, fit=fit, alternatives=alternatives))
    return checks


def referrals_with_destinations(*, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Referrals with where each went (no personal column read), newest first."""
    return queryset.defer("details").prefetch_related(
        Prefetch(
            "destinations",
            queryset=Destination.objects.select_related("provider", "activity")
            .defer("decline_note")
            .order_by("created_at", "pk"),
        )
    )


def forward_suggestions(*, destination: Destination, limit: int = 5) -> list[ActivityPage]:
    """Where to forward a referral, ranked by the finder: near the group it was sent to, on
    its topics, meeting the person's access needs, taking referrals through us."""
    activity = destination.activity
    details = destination.referral.details or {}
    venue = activity.venue if activity is not None else None
    location = (
        Location(
            latitude=venue.latitude,
            longitude=venue.longitude,
            precision="postcode",
            label=venue.postcode,
        )
        if venue is not None and venue.latitude is not None
        else None
    )
    situation = Situation(
        location=location,
        radius_miles=3.0,
        access=tuple(details.get("access_needs", [])),
        interests=tuple(c.slug for c in activity.categories.all()) if activity else (),
        referral=frozenset({"self", "professional"}),
    )
    result = find(
        situation=situation, today=timezone.localdate(), good_limit=limit + 1, near_limit=limit
    )
    # Good fits first, then near misses (e.g. an access need the listing does not record).
    ranked = [a.activity for a in result.good + result.near]
    return [a for a in ranked if a.pk != destination.activity_id][:limit]
