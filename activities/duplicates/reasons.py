"""What a reported pair says: its place, its reasons and its differences, in words.

Every reason is built from a fact checked here for that pair (the distance, the venue, the
slots, the shared concepts, categories and audience), so it is literally true. The place check
is also the last gate: a pair with no place reason is too far apart to report.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from venues.geo import approx_distance_km

from ..enums import TimeOfDay
from ..wording import DAY_NAMES, clock_range, join_words
from .audience import Audience
from .records import CLASH, DUPLICATE, FEATURES, ActivityRecord, Match, Policy, SlotRecord
from .text import Text
from .timing import Apart, Timing, compare_timing

_KIND_LABEL = {
    "course": "course",
    "one-off": "one-off session",
    "group": "group",
    "drop-in": "drop-in",
    "service": "service",
}


def describe_place(record: ActivityRecord) -> str:
    """Where the activity is, in short: "Old Swan Library, L13 5XG", "Online", or both."""
    parts = [p for p in (record.venue_name, record.postcode) if p]
    place = ", ".join(parts)
    if record.online:
        return f"{place} and online" if place else "Online"
    return place or "Place not known"


def _place(
    a: ActivityRecord, b: ActivityRecord, text_a: Text, text_b: Text, policy: Policy
) -> tuple[str, float | None, bool]:
    """(place reason or "", km apart or None, close enough to clash). "" means too far."""
    if a.venue_key is not None and a.venue_key == b.venue_key:
        distance = 0.0 if a.point and b.point else None
        return (f"same venue: {a.venue_name}" if a.venue_name else "same venue"), distance, True
    distance = approx_distance_km(a.point, b.point) if a.point and b.point else None
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


def _slot_times(x: SlotRecord, y: SlotRecord) -> str:
    return f"{clock_range(x.start, x.end)} and {clock_range(y.start, y.end)}"


def _describe_clash(x: SlotRecord, y: SlotRecord) -> str:
    day = DAY_NAMES[x.weekday]
    part = TimeOfDay.of(x.start)
    if part == TimeOfDay.of(y.start):
        return f"both {day} {part.value}s: {_slot_times(x, y)}"
    return f"both on {day}: {_slot_times(x, y)}"


def _days(record: ActivityRecord) -> str:
    return join_words(DAY_NAMES[d] for d in sorted({s.weekday for s in record.slots}))


def _timing_differences(a: ActivityRecord, b: ActivityRecord, timing: Timing) -> tuple[str, ...]:
    if timing.apart is None:
        return ()
    if timing.apart == Apart.NO_TIME:
        return ("one of them has no regular time",)
    if timing.apart == Apart.OTHER_DAYS:
        return (f"different days: {_days(a)} vs {_days(b)}",)
    x, y = timing.slots
    day = DAY_NAMES[x.weekday]
    if timing.apart == Apart.OTHER_TIMES:
        return (f"both on {day} but at different times: {_slot_times(x, y)}",)
    if timing.apart == Apart.DATES_APART:
        return (f"both on {day}, but their dates do not overlap",)
    return (f"both on {day}, but never on the same date",)


_SAME_PLACE = ("same venue", "same building")
_TAUGHT = frozenset({"course", "one-off"})
_ONGOING = frozenset({"group", "drop-in"})


def _complementary(a: ActivityRecord, b: ActivityRecord) -> bool:
    """One is taught (a course or a one-off) and the other ongoing (a group or a drop-in)."""
    kinds = {a.kind, b.kind}
    return bool(kinds & _TAUGHT) and bool(kinds & _ONGOING)


def reasoned_match(
    a: ActivityRecord,
    b: ActivityRecord,
    score: float,
    features: dict[str, float],
    text_a: Text,
    text_b: Text,
    audience_a: Audience,
    audience_b: Audience,
    policy: Policy,
) -> Match | None:
    """The pair as reported, with its reasons and differences; None if it is too far apart.

    ``score`` and ``features`` are the pair's concept score and its inputs (by name);
    ``text_*`` and ``audience_*`` are each record's text and audience as the scorer read them.
    """
    place, distance, close = _place(a, b, text_a, text_b, policy)
    if not place:
        return None
    complementary = _complementary(a, b)
    if complementary and not (place.startswith(_SAME_PLACE) or place == "both online"):
        return None  # a course and a group in different buildings: not worth a warning
    reasons = [place]
    differences: list[str] = []
    timing = compare_timing(a, b, policy)
    kind = DUPLICATE
    if timing.clash and close:
        kind = CLASH
        reasons.append(_describe_clash(*timing.clash))
    else:
        if timing.clash:
            x, _ = timing.clash
            day = DAY_NAMES[x.weekday]
            differences.append(
                f"same time on {day}, {distance:.1f} km apart"
                if distance is not None
                else f"same time on {day}, in different places"
            )
        differences.extend(_timing_differences(a, b, timing))
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
        reasons.append(f"both about {join_words(shared_concepts)}")
    if features["description"] >= 0.3:
        reasons.append("similar descriptions")
    shared_categories = sorted(
        {c.strip() for c in a.categories if c.strip()}
        & {c.strip() for c in b.categories if c.strip()}
    )
    if shared_categories:
        reasons.append(f"both listed under {join_words(shared_categories)}")
    audience = audience_a.shared(audience_b)
    if audience.particular:
        reasons.append(f"same audience: {audience.describe()}")
    if complementary:
        differences.append(
            "a course and an ongoing group on the same topic: the course may lead into the group"
        )
    elif a.kind and b.kind and a.kind != b.kind:
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
