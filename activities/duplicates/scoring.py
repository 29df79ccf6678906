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

import hashlib
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from functools import cache

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer

from venues.geo import approx_distance_sq_factors

from ..recurrence import monthly_week
from . import lexicon

__all__ = [
    "CLASH",
    "DUPLICATE",
    "ActivityRecord",
    "BlockingIndex",
    "Match",
    "Policy",
    "Slot",
    "clusters",
    "compare",
    "distance_km",
    "find_matches",
    "match_one",
    "normalise_text",
    "record_fingerprint",
    "title_likeness",
]

DUPLICATE = "duplicate"
CLASH = "clash"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_KIND_FAMILY = {"course": "taught", "one-off": "taught", "group": "ongoing", "drop-in": "ongoing"}
_KIND_LABEL = {
    "course": "course",
    "one-off": "one-off session",
    "group": "group",
    "drop-in": "drop-in",
    "service": "service",
}
_EARTH_RADIUS_KM = 6371.0088
_KM_PER_MILE = 1.609344
# Grid cells are this much wider than the "nearby" distance, so that two activities within it
# always fall in the same or neighbouring cells despite the flat-earth projection.
_CELL_MARGIN = 1.1
# How many candidate pairs are featurised at once: bounds memory at any directory size.
_CHUNK = 200_000


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Slot:
    """One regular time slot. ``first_date``/``ends_on`` bound the series (None: not known /
    open-ended); ``frequency`` is once, weekly, fortnightly or monthly."""

    weekday: int
    start: time
    end: time
    frequency: str = "weekly"
    first_date: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class ActivityRecord:
    """What the scorer knows about one activity. Everything but ``key`` may be missing."""

    key: int | str
    provider_key: int | str | None = None
    provider: str = ""
    ref: str = ""
    title: str = ""
    description: str = ""
    kind: str = ""
    categories: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    # "women" / "men", from the audiences' restriction field.
    restrictions: frozenset[str] = frozenset()
    age_min: int | None = None
    age_max: int | None = None
    venue_key: int | str | None = None
    venue_name: str = ""
    address: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    online: bool = False
    slots: tuple[Slot, ...] = ()

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class Policy:
    """The overlap rules. Admin-editable through settings (see duplicate_selectors)."""

    concept_threshold: float = 0.5  # "same kind of activity" from this concept score up
    nearby_km: float = 2.0  # a duplicate meets within this distance (or same venue / online)
    clash_km: float = 1.5  # a clash meets within this distance (or same venue / online)
    clash_start_minutes: int = 90  # same day, and starts at most this far apart, is a clash
    same_building_m: float = 50.0  # two venue records this close, same postcode: one building


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Match:
    """A reported pair. ``a`` is the record checked (single check) or the earlier one (scan)."""

    a: ActivityRecord
    b: ActivityRecord
    score: float  # the concept score, 0..1: how alike the two offers are
    kind: str  # DUPLICATE or CLASH
    reasons: tuple[str, ...]  # why they look like the same offer in the same place
    differences: tuple[str, ...] = ()  # what tells them apart (day, time, format...)
    distance_km: float | None = None
    # The concept score's inputs, in FEATURES order (a tuple: a scan may hold many matches).
    feature_values: tuple[float, ...] = field(default=(), compare=False)

    @property
    def keys(self) -> tuple[int | str, int | str]:
        return (self.a.key, self.b.key)

    @property
    def features(self) -> dict[str, float]:
        """The concept score's inputs by name, for explanations and debugging."""
        return dict(zip(FEATURES, self.feature_values, strict=True))


# --------------------------------------------------------------------------- text


_APOSTROPHES = re.compile(r"[\u2019'`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PHRASE_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(lexicon.PHRASES, key=len, reverse=True)) + r")\b"
)
_WORD_CONCEPTS: dict[str, tuple[str, ...]] = {}
for _label, (_strong, _words) in lexicon.CONCEPTS.items():
    for _word in _words:
        _WORD_CONCEPTS[_word] = (*_WORD_CONCEPTS.get(_word, ()), _label)
_STRONG = frozenset(label for label, (strong, _) in lexicon.CONCEPTS.items() if strong)
_STRONG_WORDS = frozenset(w for w, labels in _WORD_CONCEPTS.items() if set(labels) & _STRONG)
_DESCRIPTION_STOP = lexicon.STOP_WORDS | ENGLISH_STOP_WORDS
# Age bands in normalised audience names: "18-25" is "18 25", "60+" is "60 plus".
_AGE_RANGE = re.compile(r"\b(\d{1,2}) (?:to )?(\d{1,2})\b")
_AGE_FROM = re.compile(r"\b(?:over|aged) (\d{1,2})s?\b|\b(\d{1,2})s? (?:plus|and over)\b")


def normalise_text(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: "Knit & Natter!" -> "knit and natter"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _APOSTROPHES.sub("", text).replace("&", " and ").replace("+", " plus ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def _words(text: str) -> list[str]:
    return _PHRASE_RE.sub(lambda m: lexicon.PHRASES[m.group(1)], normalise_text(text)).split()


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _concepts(words: Iterable[str]) -> tuple[list[str], set[str]]:
    """(words with known ones replaced by their concept labels, the set of concepts named)."""
    mapped: list[str] = []
    found: set[str] = set()
    for word in words:
        labels = _WORD_CONCEPTS.get(word)
        if labels:
            found.update(labels)
            mapped.extend(label.replace(" ", "_") for label in labels)
        else:
            mapped.append(_singular(word))
    return list(dict.fromkeys(mapped)), found


@dataclass(frozen=True)
class _Text:
    canon_title: str  # concept-mapped title words, for token_set_ratio
    clean_title: str  # title words without stop/place words, for character n-grams
    title_strong: frozenset[str]
    all_strong: frozenset[str]  # title and description
    description: str  # concept-mapped description words, for word n-grams
    title_restrictions: frozenset[str]
    title_audiences: frozenset[str]  # "carers" in "Carers' Cafe"
    title: str  # normalised, for the title reason
    postcode: str  # normalised
    venue_name: str  # normalised


@dataclass(frozen=True)
class _Title:
    raw: list[str]  # every word, phrases joined
    kept: list[str]  # without stop words and place or provider names
    canon: list[str]  # kept, with known words replaced by their concepts
    concepts: set[str]


def _title(record: ActivityRecord) -> _Title:
    raw = _words(record.title)
    # Place and provider names say where and who, not what: "Walk and Talk, Sefton Park".
    place = set(_words(f"{record.venue_name} {record.address} {record.provider}"))
    place -= _STRONG_WORDS
    kept = [w for w in raw if w not in lexicon.STOP_WORDS]
    kept = [w for w in kept if w not in place] or kept
    canon, concepts = _concepts(kept)
    return _Title(raw, kept, canon, concepts)


def _tokens(record: ActivityRecord, title: _Title | None = None) -> frozenset[str]:
    """Blocking keys: the title's concepts and words, and the categories."""
    title = title or _title(record)
    tokens = {f"c:{c}" for c in title.concepts} | {f"w:{w}" for w in title.canon if len(w) > 2}
    tokens |= {f"k:{normalise_text(c)}" for c in record.categories if c.strip()}
    return frozenset(tokens) or frozenset({"*"})


def _analyse(record: ActivityRecord) -> _Text:
    title = _title(record)
    restrictions = set()
    if any(w in lexicon.WOMEN_WORDS for w in title.raw):
        restrictions.add("women")
    if any(w in lexicon.MEN_WORDS for w in title.raw):
        restrictions.add("men")
    if len(restrictions) == 2:  # "men and women": no restriction after all
        restrictions = set()
    strong = frozenset(c for c in title.concepts if c in _STRONG)
    description_words = [w for w in _words(record.description) if w not in _DESCRIPTION_STOP]
    description, description_concepts = _concepts(description_words)
    return _Text(
        canon_title=" ".join(title.canon),
        clean_title=" ".join(title.kept),
        title_strong=strong,
        all_strong=strong | frozenset(c for c in description_concepts if c in _STRONG),
        description=" ".join(description),
        title_restrictions=frozenset(restrictions),
        title_audiences=frozenset(
            lexicon.AUDIENCE_WORDS[w] for w in title.raw if w in lexicon.AUDIENCE_WORDS
        ),
        title=normalise_text(record.title),
        postcode=normalise_text(record.postcode),
        venue_name=normalise_text(record.venue_name),
    )


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


# --------------------------------------------------------------------------- audiences


@dataclass(frozen=True)
class _Audience:
    restrictions: frozenset[str]
    ages: tuple[int, int] | None  # only when the activity is for an age band
    names: frozenset[str]  # other specific groups: "arabic speakers", "lgbtq plus"

    def compatible(self, other: _Audience) -> bool:
        """Do both serve the same people? A group for a particular audience (women, men, an
        age band, a language community) is never a duplicate of one for everyone, nor of one
        for a different audience: it exists for people the other does not serve."""
        if self.restrictions != other.restrictions:
            return False
        if (self.ages is None) != (other.ages is None):
            return False
        if (
            self.ages
            and other.ages
            and (self.ages[0] > other.ages[1] or other.ages[0] > self.ages[1])
        ):
            return False
        if self.names == other.names:
            return True
        return bool(self.names and other.names and self.names & other.names)

    def shared(self, other: _Audience) -> _Audience:
        """What two compatible audiences have in common."""
        ages = None
        if self.ages and other.ages:
            ages = (max(self.ages[0], other.ages[0]), min(self.ages[1], other.ages[1]))
        return _Audience(self.restrictions & other.restrictions, ages, self.names & other.names)

    def describe(self) -> str:
        parts = sorted({"women": "women only", "men": "men only"}[r] for r in self.restrictions)
        if self.ages:
            low, high = self.ages
            parts.append(f"ages {low} and over" if high >= 120 else f"ages {low} to {high}")
        parts += sorted(self.names)
        return ", ".join(parts)


def _audience(record: ActivityRecord, text: _Text) -> _Audience:
    restrictions = set(record.restrictions) | set(text.title_restrictions)
    names = set(text.title_audiences)
    age_min, age_max = record.age_min, record.age_max
    for name in record.audiences:
        folded = normalise_text(name)
        if folded in lexicon.GENERIC_AUDIENCES:
            continue
        words = folded.split()
        if any(w in lexicon.WOMEN_WORDS for w in words):
            restrictions.add("women")
        if any(w in lexicon.MEN_WORDS for w in words):
            restrictions.add("men")
        words = [w for w in words if w not in lexicon.WOMEN_WORDS | lexicon.MEN_WORDS]
        words = [w for w in words if w != "only"]
        if match := _AGE_RANGE.search(folded):
            if age_min is None and age_max is None:
                age_min, age_max = int(match[1]), int(match[2])
            continue
        if match := _AGE_FROM.search(folded):
            if age_min is None:
                age_min = int(match[1] or match[2])
            continue
        labelled = {lexicon.AUDIENCE_WORDS[w] for w in words if w in lexicon.AUDIENCE_WORDS}
        if labelled:
            names |= labelled
        elif words:
            names.add(" ".join(words))
    if {"women", "men"} <= restrictions:
        restrictions -= {"women", "men"}
    ages = None
    # Only a band aimed at young or older people singles out an audience; "18+" does not.
    if (age_max is not None and age_max <= 30) or (age_min is not None and age_min >= 50):
        ages = (age_min or 0, age_max if age_max is not None else 120)
    return _Audience(frozenset(restrictions), ages, frozenset(names))


# --------------------------------------------------------------------------- prepared batch


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


class _Batch:
    """Everything the pair features need, computed once per record."""

    def __init__(self, records: Sequence[ActivityRecord]):
        self.records = list(records)
        self.texts = [_analyse(r) for r in self.records]
        self.audiences = [_audience(r, t) for r, t in zip(self.records, self.texts, strict=True)]
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
        self.specific_audience = np.array(
            [bool(a.restrictions or a.ages or a.names) for a in self.audiences]
        )

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


def _rowdot(matrix: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.asarray(matrix[i].multiply(matrix[j]).sum(axis=1)).ravel()


def _haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (lat1, lon1, lat2, lon2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


# Concept-score weights: hand-set (v0 in the design notes), checked against the labelled set
# in tests/duplicates/eval (bench/bench_duplicates_quality.py). All "alike" weights are
# positive and all "different" weights negative, so the score only rises as texts agree.
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


FEATURES = tuple(name for name in WEIGHTS if name != "bias")


def _dice(inter: np.ndarray, na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    total = na + nb
    return np.divide(2 * inter, total, out=np.zeros(len(inter)), where=total > 0)


def _features(batch: _Batch, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
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
    return {
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


def _score(features: dict[str, np.ndarray]) -> np.ndarray:
    """The concept score: a logistic function of the weighted features."""
    z = np.full(len(features["title_fuzzy"]), WEIGHTS["bias"])
    for name, values in features.items():
        z += WEIGHTS[name] * values
    return 1 / (1 + np.exp(-z))


# --------------------------------------------------------------------------- schedules


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _format_slot(slot: Slot) -> str:
    return f"{slot.start:%H:%M}–{slot.end:%H:%M}"


def _part_of_day(value: time) -> str:
    if value < time(12):
        return "morning"
    return "afternoon" if value < time(17) else "evening"


def _dates_overlap(a: Slot, b: Slot) -> bool:
    if a.first_date and b.ends_on and a.first_date > b.ends_on:
        return False
    return not (b.first_date and a.ends_on and b.first_date > a.ends_on)


def _meets_on(slot: Slot, day: date) -> bool:
    if slot.first_date is None:
        return True
    if day < slot.first_date or (slot.ends_on and day > slot.ends_on):
        return False
    if slot.frequency == "once":
        return day == slot.first_date
    if slot.frequency == "fortnightly":
        return (day - slot.first_date).days % 14 == 0
    if slot.frequency == "monthly":
        return monthly_week(day) == monthly_week(slot.first_date)
    return True


def _same_weeks(a: Slot, b: Slot) -> bool:
    """Can two slots on the same weekday fall on the same date?"""
    if a.first_date is None or b.first_date is None:
        return True
    if a.frequency == "once":
        return _meets_on(b, a.first_date)
    if b.frequency == "once":
        return _meets_on(a, b.first_date)
    if a.frequency == b.frequency == "fortnightly":
        return (a.first_date - b.first_date).days % 14 == 0
    if a.frequency == b.frequency == "monthly":
        return monthly_week(a.first_date) == monthly_week(b.first_date)
    return True


def _close_in_time(a: Slot, b: Slot, policy: Policy) -> bool:
    overlap = a.start < b.end and b.start < a.end
    gap = abs(_minutes(a.start) - _minutes(b.start))
    return overlap or gap <= policy.clash_start_minutes


@dataclass(frozen=True)
class _Timing:
    clash: tuple[Slot, Slot] | None  # the slots that meet at the same time
    differences: tuple[str, ...]


def _timing(a: ActivityRecord, b: ActivityRecord, policy: Policy) -> _Timing:
    if not a.slots or not b.slots:
        return _Timing(None, ("one of them has no regular time",))
    same_day = [(x, y) for x in a.slots for y in b.slots if x.weekday == y.weekday]
    if not same_day:
        days_a = _join([WEEKDAYS[d] for d in sorted({s.weekday for s in a.slots})])
        days_b = _join([WEEKDAYS[d] for d in sorted({s.weekday for s in b.slots})])
        return _Timing(None, (f"different days: {days_a} vs {days_b}",))
    for x, y in same_day:
        if _close_in_time(x, y, policy) and _dates_overlap(x, y) and _same_weeks(x, y):
            return _Timing((x, y), ())
    x, y = same_day[0]
    day = WEEKDAYS[x.weekday]
    if not _close_in_time(x, y, policy):
        return _Timing(
            None,
            (f"both on {day} but at different times: {_format_slot(x)} and {_format_slot(y)}",),
        )
    if not _dates_overlap(x, y):
        return _Timing(None, (f"both on {day}, but their dates do not overlap",))
    return _Timing(None, (f"both on {day}, but never on the same date",))


def _describe_clash(x: Slot, y: Slot) -> str:
    day = WEEKDAYS[x.weekday]
    times = f"{_format_slot(x)} and {_format_slot(y)}"
    part = _part_of_day(x.start)
    if part == _part_of_day(y.start):
        return f"both {day} {part}s: {times}"
    return f"both on {day}: {times}"


# --------------------------------------------------------------------------- pairs


def title_likeness(first: str, second: str) -> int:
    """How alike two titles read, 0 to 100, word order aside (what a reason quotes)."""
    return round(fuzz.token_sort_ratio(normalise_text(first), normalise_text(second)))


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance on the WGS84 ellipsoid, by its local radii of curvature at the midpoint.

    Within the few kilometres duplicate detection cares about this agrees with geopy's
    geodesic to well under a metre (tests check it), at about 2 µs a pair instead of ~100 µs:
    geodesic alone took half of a 50,000-activity scan.
    """
    per_degree_lat, per_degree_lon = approx_distance_sq_factors(
        ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    )
    miles = math.hypot((a[0] - b[0]) * per_degree_lat, (a[1] - b[1]) * per_degree_lon)
    return miles * _KM_PER_MILE


def _place(
    a: ActivityRecord, b: ActivityRecord, text_a: _Text, text_b: _Text, policy: Policy
) -> tuple[str, float | None, bool]:
    """(place reason or "", km apart or None, close enough to clash). "" means too far."""
    if a.venue_key is not None and a.venue_key == b.venue_key:
        distance = 0.0 if a.point and b.point else None
        return (f"same venue: {a.venue_name}" if a.venue_name else "same venue"), distance, True
    distance = distance_km(a.point, b.point) if a.point and b.point else None
    if (
        text_a.postcode
        and text_a.postcode == text_b.postcode
        and (
            (distance is not None and distance * 1000 <= policy.same_building_m)
            or fuzz.token_set_ratio(text_a.venue_name, text_b.venue_name) >= 85
        )
    ):
        return f"same building: {a.venue_name} and {b.venue_name}, {a.postcode}", distance, True
    if a.online and b.online:
        return "both online", None, True
    if distance is not None and distance <= policy.nearby_km:
        shown = f"{distance:.1f} km apart" if distance >= 0.1 else "under 0.1 km apart"
        venues = f": {a.venue_name} and {b.venue_name}" if a.venue_name and b.venue_name else ""
        return shown + venues, distance, distance <= policy.clash_km
    return "", distance, False


def _build(
    a: ActivityRecord,
    b: ActivityRecord,
    score: float,
    features: dict[str, float],
    text_a: _Text,
    text_b: _Text,
    audience_a: _Audience,
    audience_b: _Audience,
    policy: Policy,
) -> Match | None:
    place, distance, close = _place(a, b, text_a, text_b, policy)
    if not place:
        return None
    reasons = [place]
    differences: list[str] = []
    timing = _timing(a, b, policy)
    kind = DUPLICATE
    if timing.clash and close:
        kind = CLASH
        reasons.append(_describe_clash(*timing.clash))
    else:
        if timing.clash:
            x, _ = timing.clash
            day = WEEKDAYS[x.weekday]
            differences.append(
                f"same time on {day}, {distance:.1f} km apart"
                if distance is not None
                else f"same time on {day}, in different places"
            )
        differences.extend(timing.differences)
    title_similarity = round(fuzz.token_sort_ratio(text_a.title, text_b.title))
    if title_similarity == 100:
        reasons.append("same title")
    elif title_similarity >= 70:
        reasons.append(f"similar titles ({title_similarity}% alike)")
    # A concept at least one title names, that both texts mention: "both about walking", not
    # "both about coffee mornings" because both walks end with a cuppa.
    shared_concepts = sorted(
        (text_a.title_strong | text_b.title_strong) & text_a.all_strong & text_b.all_strong
    )
    if shared_concepts:
        reasons.append(f"both about {_join(shared_concepts)}")
    if features["description"] >= 0.3:
        reasons.append("similar descriptions")
    shared_categories = sorted(
        {c.strip() for c in a.categories if c.strip()}
        & {c.strip() for c in b.categories if c.strip()}
    )
    if shared_categories:
        reasons.append(f"both listed under {_join(shared_categories)}")
    audience = audience_a.shared(audience_b)
    if audience.restrictions or audience.ages or audience.names:
        reasons.append(f"same audience: {audience.describe()}")
    if a.kind and b.kind and a.kind != b.kind:
        differences.append(
            f"different formats: {_KIND_LABEL.get(a.kind, a.kind)} "
            f"and {_KIND_LABEL.get(b.kind, b.kind)}"
        )
    return Match(
        a=a,
        b=b,
        score=round(float(score), 3),
        kind=kind,
        reasons=tuple(reasons),
        differences=tuple(differences),
        distance_km=None if distance is None else round(distance, 3),
        feature_values=tuple(round(float(features[name]), 3) for name in FEATURES),
    )


def _evaluate(batch: _Batch, i: np.ndarray, j: np.ndarray, policy: Policy) -> list[Match]:
    """Score candidate pairs (index arrays into the batch) and build the reported matches."""
    if len(i) == 0:
        return []
    # Cheap gates first: other provider, compatible audiences, somewhere near each other.
    keep = (batch.provider[i] != batch.provider[j]) | (batch.provider[i] < 0)
    keep &= batch.audiences_compatible(i, j)
    # A course and an ongoing group on the same topic complement each other (one often leads
    # to the other); they are not the same offer. An unknown format matches any.
    family_i, family_j = batch.family[i], batch.family[j]
    keep &= (family_i < 0) | (family_j < 0) | (family_i == family_j)
    distance = _haversine_km(batch.lat[i], batch.lon[i], batch.lat[j], batch.lon[j])
    near = np.nan_to_num(distance, nan=np.inf) <= policy.nearby_km * 1.01  # _place decides
    same_venue = (batch.venue[i] >= 0) & (batch.venue[i] == batch.venue[j])
    same_postcode = (batch.postcode[i] >= 0) & (batch.postcode[i] == batch.postcode[j])
    keep &= near | same_venue | same_postcode | (batch.online[i] & batch.online[j])
    i, j = i[keep], j[keep]
    matches: list[Match] = []
    for start in range(0, len(i), _CHUNK):
        ci, cj = i[start : start + _CHUNK], j[start : start + _CHUNK]
        features = _features(batch, ci, cj)
        scores = _score(features)
        for k in np.flatnonzero(scores >= policy.concept_threshold):
            a, b = int(ci[k]), int(cj[k])
            match = _build(
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


# --------------------------------------------------------------------------- blocking


def _cells(record: ActivityRecord, policy: Policy, lon_ref: float) -> list[tuple]:
    """The blocking cells a record belongs to: a grid square, "online", or its venue."""
    cells: list[tuple] = []
    if record.online:
        cells.append(("online",))
    if record.point is not None:
        size = policy.nearby_km * _CELL_MARGIN
        y = record.latitude * 110.574
        x = (record.longitude - lon_ref) * 111.320 * math.cos(math.radians(record.latitude))
        cells.append(("grid", math.floor(x / size), math.floor(y / size)))
    elif record.venue_key is not None:
        cells.append(("venue", record.venue_key))
    elif record.postcode:
        cells.append(("postcode", normalise_text(record.postcode)))
    return cells


_FORWARD = ((0, 1), (1, -1), (1, 0), (1, 1))


def _neighbours(cell: tuple) -> list[tuple]:
    if cell[0] != "grid":
        return [cell]
    _, x, y = cell
    return [("grid", x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


class BlockingIndex:
    """Finds, for one activity, the others worth scoring: near it (or online, or at its
    venue) and sharing a topic token. Build once for many single checks."""

    def __init__(self, records: Sequence[ActivityRecord], *, policy: Policy = DEFAULT_POLICY):
        self.policy = policy
        self.records = list(records)
        points = [r.longitude for r in self.records if r.point is not None]
        self.lon_ref = float(np.median(points)) if points else 0.0
        self.groups: dict[tuple, list[int]] = defaultdict(list)
        for index, record in enumerate(self.records):
            tokens = _tokens(record)
            for cell in _cells(record, policy, self.lon_ref):
                for token in tokens:
                    self.groups[(token, *cell)].append(index)

    def candidate_indices(self, record: ActivityRecord) -> list[int]:
        """Positions (in the indexed records) of the record's candidates, in order."""
        found: set[int] = set()
        tokens = _tokens(record)
        for cell in _cells(record, self.policy, self.lon_ref):
            for neighbour in _neighbours(cell):
                for token in tokens:
                    found.update(self.groups.get((token, *neighbour), ()))
        return [
            k
            for k in sorted(found)
            if self.records[k].key != record.key
            and (record.provider_key is None or self.records[k].provider_key != record.provider_key)
        ]

    def candidates(self, record: ActivityRecord) -> list[ActivityRecord]:
        return [self.records[k] for k in self.candidate_indices(record)]

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every candidate pair (i < j) once, as two index arrays.

        A self-join of (token, cell) memberships in numpy: each membership looks up its own
        cell and four "forward" neighbours (so each neighbouring pair of cells is joined
        once) among the memberships sorted by key.
        """
        token_ids: dict[str, int] = {}
        special_ids: dict[tuple, int] = {}
        grid: tuple[list[int], ...] = ([], [], [], [])  # token, x, y, record
        other: tuple[list[int], ...] = ([], [], [])  # token, cell, record
        for (token, *cell), members in self.groups.items():
            token_id = token_ids.setdefault(token, len(token_ids))
            if cell[0] == "grid":
                grid[0].extend([token_id] * len(members))
                grid[1].extend([cell[1]] * len(members))
                grid[2].extend([cell[2]] * len(members))
                grid[3].extend(members)
            else:
                cell_id = special_ids.setdefault(tuple(cell), len(special_ids))
                other[0].extend([token_id] * len(members))
                other[1].extend([cell_id] * len(members))
                other[2].extend(members)
        lefts: list[np.ndarray] = []
        rights: list[np.ndarray] = []
        if grid[3]:
            token, x, y, members = (np.array(column, dtype=np.int64) for column in grid)
            x, y = x - x.min() + 1, y - y.min() + 1
            width, height = int(x.max()) + 2, int(y.max()) + 2
            keys = (token * width + x) * height + y
            for dx, dy in ((0, 0), *_FORWARD):
                left, right = _key_join(
                    keys, members, keys + dx * height + dy, same=(dx, dy) == (0, 0)
                )
                lefts.append(left)
                rights.append(right)
        if other[2]:
            token, cell, members = (np.array(column, dtype=np.int64) for column in other)
            keys = token * len(special_ids) + cell
            left, right = _key_join(keys, members, keys, same=True)
            lefts.append(left)
            rights.append(right)
        if not lefts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        left, right = np.concatenate(lefts), np.concatenate(rights)
        low, high = np.minimum(left, right), np.maximum(left, right)
        n = len(self.records)
        keys = np.unique(low[low != high] * n + high[low != high])
        return keys // n, keys % n


def _key_join(
    keys: np.ndarray, members: np.ndarray, wanted: np.ndarray, *, same: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (members[k], members[m]) for every k and every m with keys[m] == wanted[k].
    ``same``: wanted is keys itself, so keep each unordered pair once."""
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_members = keys[order], members[order]
    low = np.searchsorted(sorted_keys, wanted, side="left")
    count = np.searchsorted(sorted_keys, wanted, side="right") - low
    total = int(count.sum())
    left = np.repeat(members, count)
    starts = np.repeat(low - (np.cumsum(count) - count), count)
    right = sorted_members[np.arange(total) + starts]
    if same:
        keep = left < right
        return left[keep], right[keep]
    return left, right


# --------------------------------------------------------------------------- public API


def find_matches(
    records: Sequence[ActivityRecord], *, policy: Policy = DEFAULT_POLICY
) -> list[Match]:
    """Every cross-provider duplicate and clash among the records, clashes first, then by
    score. Cost grows with the number of blocked candidate pairs, not with n squared."""
    index = BlockingIndex(records, policy=policy)
    i, j = index.pairs()
    if len(i) == 0:
        return []
    batch = _Batch(records)
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
    batch = _Batch([record, *(others[k] for k in wanted)])
    return _ordered(
        _evaluate(batch, np.zeros(len(wanted), dtype=int), np.arange(1, len(wanted) + 1), policy)
    )


def compare(
    a: ActivityRecord, b: ActivityRecord, *, policy: Policy = DEFAULT_POLICY
) -> Match | None:
    """The pair as a duplicate or clash, or None if it is neither."""
    matches = match_one(a, [b], policy=policy)
    return matches[0] if matches else None


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


@cache
def _fingerprint_cached(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def record_fingerprint(record: ActivityRecord) -> str:
    """A digest of the facts a duplicate decision rests on: what the activity is (title words,
    format, categories), who it is for, where and when it meets. Rewording the description or
    moving a course to new dates does not change it; a new title, venue, day or time does."""
    text = _analyse(record)
    audience = _audience(record, text)
    payload = json.dumps(
        {
            "title": sorted(set(normalise_text(record.title).split()) - lexicon.STOP_WORDS),
            "kind": record.kind,
            "categories": sorted(normalise_text(c) for c in record.categories),
            "audience": [
                sorted(audience.restrictions),
                audience.ages,
                sorted(audience.names),
            ],
            "venue": str(record.venue_key) if record.venue_key is not None else None,
            "postcode": normalise_text(record.postcode),
            "point": [round(record.latitude, 3), round(record.longitude, 3)]
            if record.point
            else None,
            "online": record.online,
            "slots": sorted(
                [s.weekday, f"{s.start:%H:%M}", f"{s.end:%H:%M}", s.frequency] for s in record.slots
            ),
        },
        sort_keys=True,
    )
    return _fingerprint_cached(payload)
