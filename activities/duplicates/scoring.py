"""The concept score ("are they the same kind of activity?") for many pairs at once.

A :class:`Batch` prepares every record once (text, audience, sparse vectors, codes); the pairs
to score are two index arrays into it. :func:`pair_features` gives each pair's features,
:func:`concept_score` weighs them (``WEIGHTS``). The batch also applies the cheap policy gates
(other provider, compatible audiences, the same format, somewhere near each other) before
anything is scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from . import lexicon
from .audience import audience_of
from .records import FEATURES, ActivityRecord, Policy
from .text import analyse, normalise_text

_KIND_FAMILY = {"course": "taught", "one-off": "taught", "group": "ongoing", "drop-in": "ongoing"}
_EARTH_RADIUS_KM = 6371.0088

_TITLE_VECTORIZER = HashingVectorizer(
    analyzer="char_wb", ngram_range=(3, 4), n_features=2**18, alternate_sign=False, norm="l2"
)
_DESCRIPTION_VECTORIZER = HashingVectorizer(
    analyzer="word",
    ngram_range=(1, 2),
    n_features=2**18,
    alternate_sign=False,
    norm="l2",
    binary=True,
)


class _Vocabulary:
    def __init__(self):
        self.index: dict[str, int] = {}

    def __call__(self, item: str) -> int:
        return self.index.setdefault(item, len(self.index))


def _indicator(rows: list[Iterable[str]], weights=None) -> sparse.csr_matrix:
    vocabulary = _Vocabulary()
    indptr, indices, data = [0], [], []
    for row in rows:
        for item in row:
            indices.append(vocabulary(item))
            data.append(1.0 if weights is None else weights(item))
        indptr.append(len(indices))
    shape = (len(rows), max(len(vocabulary.index), 1))
    return sparse.csr_matrix((np.array(data), np.array(indices), np.array(indptr)), shape=shape)


def _codes(values: list) -> np.ndarray:
    """Equal values get equal non-negative codes; None gets -1."""
    vocabulary: dict = {}
    return np.array(
        [-1 if v is None or v == "" else vocabulary.setdefault(v, len(vocabulary)) for v in values],
        dtype=np.int64,
    )


def _category_weight(name: str) -> float:
    return 0.4 if name in lexicon.GENERIC_CATEGORIES else 1.0


def _haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (lat1, lon1, lat2, lon2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


class Batch:
    """Everything the pair features need, computed once per record."""

    def __init__(self, records: Sequence[ActivityRecord]):
        self.records = list(records)
        self.texts = [analyse(r) for r in self.records]
        self.audiences = [audience_of(r, t) for r, t in zip(self.records, self.texts, strict=True)]
        self.canon = [t.canon_title for t in self.texts]
        self.titles = _TITLE_VECTORIZER.transform([t.clean_title for t in self.texts]).tocsr()
        self.descriptions = _DESCRIPTION_VECTORIZER.transform(
            [t.description for t in self.texts]
        ).tocsr()
        self.has_description = np.array([bool(t.description) for t in self.texts])
        self.title_strong = _indicator([t.title_strong for t in self.texts])
        self.all_strong = _indicator([t.all_strong for t in self.texts])
        categories = [{normalise_text(c) for c in r.categories if c.strip()} for r in self.records]
        # sqrt weights, so a row-wise dot product sums the weights of shared categories
        self.categories = _indicator(categories, lambda c: math.sqrt(_category_weight(c)))
        self.category_total = np.array([sum(_category_weight(c) for c in cs) for cs in categories])
        self.n_title_strong = np.diff(self.title_strong.indptr)
        self.n_all_strong = np.diff(self.all_strong.indptr)
        self.family = _codes([_KIND_FAMILY.get(r.kind, r.kind or None) for r in self.records])
        self.provider = _codes([r.provider_key for r in self.records])
        self.venue = _codes([r.venue_key for r in self.records])
        self.postcode = _codes([normalise_text(r.postcode) or None for r in self.records])
        self.online = np.array([r.online for r in self.records], dtype=bool)
        self.lat = np.array([np.nan if r.point is None else r.latitude for r in self.records])
        self.lon = np.array([np.nan if r.point is None else r.longitude for r in self.records])
        self.audience_code = _codes(self.audiences)
        self.audience_of = {
            code: audience
            for code, audience in zip(self.audience_code, self.audiences, strict=True)
        }
        self.specific_audience = np.array([a.particular for a in self.audiences])

    def audiences_compatible(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Row-wise compatibility, judged once per distinct pair of audiences."""
        first, second = self.audience_code[i], self.audience_code[j]
        size = len(self.audience_of)
        keys, inverse = np.unique(first * size + second, return_inverse=True)
        verdicts = np.array(
            [
                self.audience_of[key // size].compatible(self.audience_of[key % size])
                for key in keys.tolist()
            ],
            dtype=bool,
        )
        return verdicts[inverse.ravel()] if len(keys) else np.zeros(len(i), dtype=bool)

    def passes_gates(self, i: np.ndarray, j: np.ndarray, policy: Policy) -> np.ndarray:
        """Row-wise: may the pair be a duplicate at all, before its texts are compared?

        Other provider, compatible audiences, the same format, somewhere near each other.
        """
        keep = (self.provider[i] != self.provider[j]) | (self.provider[i] < 0)
        keep &= self.audiences_compatible(i, j)
        distance = _haversine_km(self.lat[i], self.lon[i], self.lat[j], self.lon[j])
        # A little generous: the place reason (duplicates.reasons) decides exactly.
        near = np.nan_to_num(distance, nan=np.inf) <= policy.nearby_km * 1.01
        same_venue = (self.venue[i] >= 0) & (self.venue[i] == self.venue[j])
        same_postcode = (self.postcode[i] >= 0) & (self.postcode[i] == self.postcode[j])
        both_online = self.online[i] & self.online[j]
        # A course and an ongoing group on the same topic are worth showing only in the same
        # building (or both online): the providers may say "the course leads into the group".
        # An unknown format matches any.
        family_i, family_j = self.family[i], self.family[j]
        same_family = (family_i < 0) | (family_j < 0) | (family_i == family_j)
        keep &= same_family | same_venue | same_postcode | both_online
        return keep & (near | same_venue | same_postcode | both_online)


def _rowdot(matrix: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.asarray(matrix[i].multiply(matrix[j]).sum(axis=1)).ravel()


# Concept-score weights: hand-set (v0 in the design notes), checked against the labelled set
# in bench/duplicates_eval (bench/bench_duplicates_quality.py). All "alike" weights are
# positive and all "different" weights negative, so the score only rises as texts agree.
# The keys are "bias" and then records.FEATURES, in order.
WEIGHTS = {
    "bias": -4.5,
    "title_fuzzy": 2.0,
    "title_chars": 1.0,
    "topic": 3.0,
    "all_concepts": 1.0,
    "description": 2.0,
    "categories": 1.5,
    "concept_conflict": -2.5,
    "same_audience": 1.0,
}


def _dice(inter: np.ndarray, na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    total = na + nb
    return np.divide(2 * inter, total, out=np.zeros(len(inter)), where=total > 0)


def pair_features(batch: Batch, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """The concept score's inputs for the pairs (i[k], j[k]) of the batch, by name (FEATURES)."""
    fuzzy = process.cpdist(
        [batch.canon[k] for k in i],
        [batch.canon[k] for k in j],
        scorer=fuzz.token_set_ratio,
        workers=-1,
        dtype=np.float32,
    ) / np.float32(100)
    both_strong = (batch.n_title_strong[i] > 0) & (batch.n_title_strong[j] > 0)
    strong_inter = _rowdot(batch.title_strong, i, j)
    described = batch.has_description[i] & batch.has_description[j]
    categories = _dice(
        _rowdot(batch.categories, i, j), batch.category_total[i], batch.category_total[j]
    )
    features = {
        "title_fuzzy": fuzzy.astype(np.float64),
        "title_chars": _rowdot(batch.titles, i, j),
        # What the activity is: the concepts both titles name; when a title names none
        # ("Women's Wellbeing Circle"), the categories its provider chose say it instead.
        "topic": np.where(
            both_strong,
            _dice(strong_inter, batch.n_title_strong[i], batch.n_title_strong[j]),
            categories,
        ),
        "all_concepts": _dice(
            _rowdot(batch.all_strong, i, j), batch.n_all_strong[i], batch.n_all_strong[j]
        ),
        "description": np.where(described, _rowdot(batch.descriptions, i, j), 0.0),
        "categories": categories,
        "concept_conflict": (both_strong & (strong_inter == 0)).astype(np.float64),
        # Compatible audiences are checked before scoring; a shared particular one (women,
        # 18-25s) is evidence of the same offer in its own right.
        "same_audience": batch.specific_audience[i].astype(np.float64),
    }
    return {name: features[name] for name in FEATURES}


def concept_score(features: dict[str, np.ndarray]) -> np.ndarray:
    """The concept score: a logistic function of the weighted features."""
    z = np.full(len(features["title_fuzzy"]), WEIGHTS["bias"])
    for name, values in features.items():
        z += WEIGHTS[name] * values
    return 1 / (1 + np.exp(-z))
