"""Reads for the stored duplicate scan: the city report's pairs, filters and choices, in SQL.

Every function here asks a fixed number of queries whatever the number of pairs, so a page of
the report costs the same at 100 activities and 100,000. A pair marked "not a duplicate" is
left out while both sides' stored fingerprints still equal the decision's (the live scan's
rule, asked in SQL); once either side has changed, the refreshed pair carries a new fingerprint
and comes back, "reopened", beside the old decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from directory.models import ProviderPage

from ..models import ActivityPage, Category, DuplicateDecision, StoredDuplicatePair
from .records import ActivityRecord, Match
from .selectors import Finding


def _decisions(status: str) -> QuerySet[DuplicateDecision]:
    return DuplicateDecision.objects.filter(
        activity_a=OuterRef("activity_a"), activity_b=OuterRef("activity_b"), status=status
    )


def stored_pair_list(
    *,
    provider_ids: set[int] | None = None,
    provider: int | None = None,
    area: str = "",
    category: str = "",
) -> QuerySet[StoredDuplicatePair]:
    """Stored pairs people should see, grouped (clashes' groups first) then by score.

    ``provider_ids`` limits them to pairs involving those providers (an editor's own); None
    means all (city admins). ``provider``, ``area`` and ``category`` keep a pair if either side
    matches each one given.
    """
    unchanged_dismissal = _decisions(DuplicateDecision.Status.NOT_DUPLICATE).filter(
        fingerprint_a=OuterRef("fingerprint_a"), fingerprint_b=OuterRef("fingerprint_b")
    )
    pairs = StoredDuplicatePair.objects.exclude(Exists(unchanged_dismissal))
    if provider_ids is not None:
        pairs = pairs.filter(Q(provider_a__in=provider_ids) | Q(provider_b__in=provider_ids))
    if provider is not None:
        pairs = pairs.filter(Q(provider_a=provider) | Q(provider_b=provider))
    if area:
        pairs = pairs.filter(Q(area_a=area) | Q(area_b=area))
    if category:
        tagged = ActivityPage.categories.through.objects.filter(category__name=category)
        pairs = pairs.filter(
            Exists(tagged.filter(activitypage=OuterRef("activity_a")))
            | Exists(tagged.filter(activitypage=OuterRef("activity_b")))
        )
    return pairs.order_by("cluster", "-score", "activity_a_id", "activity_b_id")


@dataclass
class FilterChoices:
    providers: list[tuple[int, str]]
    areas: list[str]
    categories: list[str]


def stored_filter_choices(*, pairs: QuerySet[StoredDuplicatePair]) -> FilterChoices:
    """The organisations, areas and topics the given pairs involve (five queries). Each side
    is asked on its own and the two joined in Python: PostgreSQL plans ``IN (...) OR IN (...)``
    over every stored pair badly."""
    pairs = pairs.order_by()
    provider_ids = {
        pk
        for side in ("provider_a", "provider_b")
        for pk in pairs.values_list(side, flat=True).distinct()
        if pk is not None
    }
    providers = ProviderPage.objects.filter(pk__in=provider_ids)
    areas = set(
        pairs.values_list("area_a", flat=True).union(pairs.values_list("area_b", flat=True))
    )
    sides = pairs.values_list("activity_a_id", "activity_b_id")
    categories = Category.objects.filter(
        Exists(
            ActivityPage.categories.through.objects.filter(category=OuterRef("pk")).filter(
                Q(activitypage__in=sides.values("activity_a_id"))
                | Q(activitypage__in=sides.values("activity_b_id"))
            )
        )
    )
    return FilterChoices(
        providers=sorted(providers.values_list("pk", "title"), key=lambda p: p[1].lower()),
        areas=sorted(a for a in areas if a),
        categories=sorted(categories.values_list("name", flat=True), key=str.lower),
    )


def _record(pair: StoredDuplicatePair, side: str) -> ActivityRecord:
    return ActivityRecord(
        key=getattr(pair, f"activity_{side}_id"),
        provider_key=getattr(pair, f"provider_{side}_id"),
        provider=getattr(pair, f"provider_title_{side}"),
        ref=getattr(pair, f"ref_{side}"),
        title=getattr(pair, f"title_{side}"),
    )


def stored_findings(pairs: list[StoredDuplicatePair]) -> list[Finding]:
    """The stored pairs as findings (the live report's shape), with their decisions attached
    (one query). Each finding's ``stored`` is its row (place, times, cluster)."""
    decisions = {}
    if pairs:
        firsts = {p.activity_a_id for p in pairs}
        for decision in DuplicateDecision.objects.filter(activity_a__in=firsts).select_related(
            "decided_by"
        ):
            decisions[(decision.activity_a_id, decision.activity_b_id)] = decision
    findings = []
    for pair in pairs:
        decision = decisions.get((pair.activity_a_id, pair.activity_b_id))
        finding = Finding(
            match=Match(
                a=_record(pair, "a"),
                b=_record(pair, "b"),
                score=pair.score,
                kind=pair.kind,
                reasons=tuple(pair.reasons),
                differences=tuple(pair.differences),
                distance_km=pair.distance_km,
            ),
            decision=decision,
            reopened=bool(
                decision is not None and decision.status == DuplicateDecision.Status.NOT_DUPLICATE
            ),
            areas=(pair.area_a, pair.area_b),
            stored=pair,
        )
        findings.append(finding)
    return findings
