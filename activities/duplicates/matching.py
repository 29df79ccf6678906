"""Duplicates and clashes between providers' activities, with reasons people can check.

Pure Python over plain records (no Django), so the admin warning, the city report, the
command line, the benchmarks and the tests all score pairs the same way.

Two questions, answered separately (see shared/design/duplicates-notes.md):

1. **Are they the same kind of activity?** A *concept score* from 0 to 1 computed from the
   text: title similarity (rapidfuzz ``token_set_ratio`` on normalised titles, and cosine of
   scikit-learn character n-grams), description similarity (word n-grams), the concepts the
   curated lexicon (``duplicates.lexicon``) recognises ("walking", "knitting"), shared
   categories, and a shared particular audience. Hand-set weights (``WEIGHTS``).
2. **Do they overlap?** Deterministic policy (:class:`Policy` and a few fixed rules): other
   provider; compatible audiences (a women-only group and a men's group never are, nor a
   group for a particular audience and one for everyone); the same format (a course and an
   ongoing group on one topic complement each other); the same building, within
   ``nearby_km``, or both online. A *duplicate* passes these; a *clash* is a duplicate that
   also meets on the same weekday at overlapping or close times, on dates that can coincide,
   in the same building, within ``clash_km`` or online.

Every reason is built from a fact that was checked for that pair, so it is literally true.
A pair's score depends only on the two records and the policy, never on what else is in the
directory, so the editor's warning and the city report always agree.

Cost: comparing every pair is quadratic, so candidates are *blocked*: two activities are
compared only if they are within a grid cell of each other (cells a little wider than
``Policy.nearby_km``), or both online, or at the same venue, and they share a topic token (a
concept, a title word or a category). The full scan and the single check apply the same
rule, so they agree; the labelled set measures what blocking misses (nothing, there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from .blocking import BlockingIndex
from .reasons import reasoned_match
from .records import CLASH, DEFAULT_POLICY, ActivityRecord, Match, Policy
from .scoring import Batch, concept_score, pair_features

# How many candidate pairs are featurised at once: bounds memory at any directory size.
_CHUNK = 200_000


def _evaluate(batch: Batch, i: np.ndarray, j: np.ndarray, policy: Policy) -> list[Match]:
    """Score candidate pairs (index arrays into the batch) and build the reported matches."""
    if len(i) == 0:
        return []
    # Cheap gates first: other provider, compatible audiences, somewhere near each other.
    keep = batch.passes_gates(i, j, policy)
    i, j = i[keep], j[keep]
    matches: list[Match] = []
    for start in range(0, len(i), _CHUNK):
        ci, cj = i[start : start + _CHUNK], j[start : start + _CHUNK]
        features = pair_features(batch, ci, cj)
        scores = concept_score(features)
        for k in np.flatnonzero(scores >= policy.concept_threshold):
            a, b = int(ci[k]), int(cj[k])
            match = reasoned_match(
                batch.records[a],
                batch.records[b],
                scores[k],
                {name: values[k] for name, values in features.items()},
                batch.texts[a],
                batch.texts[b],
                batch.audiences[a],
                batch.audiences[b],
                policy,
            )
            if match is not None:
                matches.append(match)
    return matches


def _ordered(matches: list[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (m.kind != CLASH, -m.score, str(m.a.key), str(m.b.key)))


def find_matches(
    records: Sequence[ActivityRecord], *, policy: Policy = DEFAULT_POLICY
) -> list[Match]:
    """Every cross-provider duplicate and clash among the records, clashes first, then by
    score. Cost grows with the number of blocked candidate pairs, not with n squared."""
    index = BlockingIndex(records, policy=policy)
    i, j = index.pairs()
    if len(i) == 0:
        return []
    batch = Batch(records)
    return _ordered(_evaluate(batch, i, j, policy))


def match_one(
    record: ActivityRecord,
    candidates: Sequence[ActivityRecord],
    *,
    policy: Policy = DEFAULT_POLICY,
) -> list[Match]:
    """The record's duplicates and clashes among the candidates (``a`` is always the record).

    Candidates are filtered by the same blocking rule as a full scan, so the answer for a
    pair is the same whichever way it is asked.
    """
    others = [c for c in candidates if c.key != record.key]
    wanted = BlockingIndex(others, policy=policy).candidate_indices(record)
    if not wanted:
        return []
    # Only the record and its blocked candidates are featurised: the rest cannot match.
    batch = Batch([record, *(others[k] for k in wanted)])
    return _ordered(
        _evaluate(batch, np.zeros(len(wanted), dtype=int), np.arange(1, len(wanted) + 1), policy)
    )


def clusters(matches: Iterable[Match]) -> list[list[int | str]]:
    """Groups of activities linked by matches (connected components), biggest first."""
    parent: dict = {}

    def root(key):
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    order: dict = {}
    for match in matches:
        for key in match.keys:
            order.setdefault(key, len(order))
        parent[root(match.a.key)] = root(match.b.key)
    groups: dict = defaultdict(list)
    for key in order:
        groups[root(key)].append(key)
    return sorted(groups.values(), key=lambda g: (-len(g), order[g[0]]))
