"""What the duplicate scorer reads and reports: plain records, the overlap policy, a match.

Pure Python values (no Django, no numpy), so anything can build records: the database reads,
the labelled evaluation set, the benchmarks and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

DUPLICATE = "duplicate"
CLASH = "clash"

# The concept score's inputs, in the order a Match keeps their values (scoring.WEIGHTS weighs
# each one, plus a bias).
FEATURES = (
    "title_fuzzy",
    "title_chars",
    "topic",
    "all_concepts",
    "description",
    "categories",
    "concept_conflict",
    "same_audience",
)


@dataclass(frozen=True)
class SlotRecord:
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
    slots: tuple[SlotRecord, ...] = ()

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class Policy:
    """The overlap rules. Admin-editable through settings (see duplicates.selectors)."""

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
