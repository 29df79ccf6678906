"""Writes for the stored duplicate scan: what the city report reads instead of scanning.

``stored_pairs_refresh_all`` replaces every stored pair with a whole-city scan (the nightly
``refresh_duplicates`` command). ``stored_pairs_refresh_for`` rescans only some activities
against their candidates (the single check the editor's panel uses, which agrees with the
scan), after they are published, unpublished or imported; a deleted activity's pairs go with
it (the foreign keys cascade). Pairs are stored whatever was decided about them: the report
leaves out "not a duplicate" pairs whose sides still match the decision's fingerprints.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from ..models import StoredDuplicatePair
from ..selectors import activity_list_current
from ..wording import slot_summary
from .fingerprint import record_fingerprint
from .matching import clusters, find_matches, match_one
from .reasons import describe_place
from .records import CLASH, ActivityRecord, Match
from .selectors import (
    activity_list_candidates,
    activity_record_list,
    policy_from_settings,
    record_area,
)

# More activities than this changed at once (a big import): rescan the whole city instead.
REFRESH_ALL_FROM = 200


def _side(record: ActivityRecord, suffix: str, sides: dict) -> dict:
    """One side's stored columns. ``sides`` keeps each record's once per scan: an activity is
    in many pairs, and its fingerprint and area are the costly part (30,000 pairs at 10,000
    activities took 60 s to store when each pair worked them out again)."""
    values = sides.get(record.key)
    if values is None:
        values = sides[record.key] = {
            "activity_{}_id": record.key,
            "provider_{}_id": record.provider_key,
            "ref_{}": record.ref,
            "title_{}": record.title[:255],
            "provider_title_{}": record.provider[:255],
            "place_{}": describe_place(record),
            "area_{}": record_area(record)[:255],
            "times_{}": [slot_summary(s) for s in record.slots],
            "fingerprint_{}": record_fingerprint(record),
        }
    return {name.format(suffix): value for name, value in values.items()}


def _stored(match: Match, cluster: int, sides: dict, now) -> StoredDuplicatePair:
    low, high = (match.a, match.b) if match.a.key < match.b.key else (match.b, match.a)
    return StoredDuplicatePair(
        kind=match.kind,
        score=float(match.score),
        cluster=cluster,
        reasons=list(match.reasons),
        differences=list(match.differences),
        distance_km=match.distance_km,
        scanned_at=now,
        **_side(low, "a", sides),
        **_side(high, "b", sides),
    )


def _pairs_drop(pairs) -> None:
    """DELETE the pairs in one statement. QuerySet.delete() would first read every row back
    (a post_delete receiver is connected for all models, so Django cannot fast-delete): at
    100,000 activities that was hundreds of thousands of pairs loaded to be thrown away. No
    receiver cares about these rows, and nothing refers to them."""
    pairs._raw_delete(pairs.db)


def _cluster_order(matches: list[Match]) -> dict:
    """Cluster numbers for a whole scan: clashes first, then bigger groups (as the live
    report ordered them)."""
    groups = clusters(matches)
    number_of = {key: n for n, group in enumerate(groups) for key in group}
    has_clash = {number_of[m.a.key] for m in matches if m.kind == CLASH}
    ranked = sorted(range(len(groups)), key=lambda n: (n not in has_clash, -len(groups[n]), n))
    rank = {n: position for position, n in enumerate(ranked, start=1)}
    return {key: rank[n] for key, n in number_of.items()}


@transaction.atomic
def stored_pairs_refresh_all(*, today: date | None = None) -> int:
    """Scan the whole city and replace every stored pair. Returns how many pairs it stored."""
    records = activity_record_list(activities=activity_list_current(today=today), today=today)
    matches = find_matches(records, policy=policy_from_settings())
    cluster_of = _cluster_order(matches)
    now, sides = timezone.now(), {}
    _pairs_drop(StoredDuplicatePair.objects.all())
    # A thousand rows built and written at a time: bulk_create makes a list of whatever it is
    # given, and a regional scan finds hundreds of thousands of pairs.
    for start in range(0, len(matches), 1000):
        StoredDuplicatePair.objects.bulk_create(
            [_stored(m, cluster_of[m.a.key], sides, now) for m in matches[start : start + 1000]]
        )
    return len(matches)


@transaction.atomic
def stored_pairs_refresh_for(*, page_ids: Iterable[int], today: date | None = None) -> int:
    """Rescan these activities: drop their stored pairs, and store what each (if it is still
    current) pairs with now. Returns how many pairs it stored. Many at once rescan the city."""
    page_ids = set(page_ids)
    if not page_ids:
        return 0
    if len(page_ids) > REFRESH_ALL_FROM:
        return stored_pairs_refresh_all(today=today)
    involving = Q(activity_a__in=page_ids) | Q(activity_b__in=page_ids)
    _pairs_drop(StoredDuplicatePair.objects.filter(involving))
    policy = policy_from_settings()
    records = activity_record_list(
        activities=activity_list_current(today=today).filter(pk__in=page_ids), today=today
    )
    found: dict[tuple, Match] = {}
    for record in records:
        candidates = activity_record_list(
            activities=activity_list_candidates(record=record, policy=policy, today=today),
            today=today,
        )
        for match in match_one(record, candidates, policy=policy):
            found.setdefault(tuple(sorted(match.keys)), match)
    if not found:
        return 0
    # A new pair joins the group of an activity already in one, else starts a new group.
    keys = {key for pair in found for key in pair}
    existing = {}
    for a, b, cluster in StoredDuplicatePair.objects.filter(
        Q(activity_a__in=keys) | Q(activity_b__in=keys)
    ).values_list("activity_a_id", "activity_b_id", "cluster"):
        existing.setdefault(a, cluster)
        existing.setdefault(b, cluster)
    next_cluster = (StoredDuplicatePair.objects.aggregate(top=Max("cluster"))["top"] or 0) + 1
    now, sides, stored = timezone.now(), {}, []
    for pair, match in found.items():
        cluster = existing.get(pair[0]) or existing.get(pair[1])
        if cluster is None:
            cluster, next_cluster = next_cluster, next_cluster + 1
        existing.setdefault(pair[0], cluster)
        existing.setdefault(pair[1], cluster)
        stored.append(_stored(match, cluster, sides, now))
    StoredDuplicatePair.objects.bulk_create(stored, ignore_conflicts=True)
    return len(stored)


def stored_pairs_refresh_on_commit(*, page_ids: Iterable[int]) -> None:
    """Rescan these activities once the current transaction has committed (signals, imports):
    a failed scan must never undo the publish or import that asked for it."""
    page_ids = [pk for pk in page_ids if pk is not None]
    if page_ids:
        transaction.on_commit(lambda: stored_pairs_refresh_for(page_ids=page_ids), robust=True)


def stored_pair_activity_ids() -> set[int]:
    """Every activity in a stored pair (for tests and the command's summary)."""
    pairs = StoredDuplicatePair.objects.values_list("activity_a_id", "activity_b_id")
    return {pk for pair in pairs for pk in pair}
