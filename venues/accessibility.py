"""The accessibility vocabulary (shared/design/accessibility-vocabulary.md).

The codes are a public interface (spreadsheet, filters, open data): keep them stable. Labels may
be reworded. `kind` says whether a feature belongs to the venue (V), to how a session is run (A)
or is derived from the surroundings (D, stored on the venue).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class FeatureKind(StrEnum):
    """Where a feature is recorded (the vocabulary's V, A and D)."""

    VENUE = "V"  # the building: stored on the venue
    SESSION = "A"  # how a session is run: stored on the activity
    SURROUNDINGS = "D"  # derived from the surroundings: stored on the venue


ON_VENUE = frozenset({FeatureKind.VENUE, FeatureKind.SURROUNDINGS})


@dataclass(frozen=True)
class Feature:
    code: str
    label: str
    kind: FeatureKind
    group: str

    @property
    def on_session(self) -> bool:
        """Recorded on the activity (how a session is run), not on the venue."""
        return self.kind == FeatureKind.SESSION


_GROUPS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Getting in and around",
        [
            ("step_free_entrance", "Step-free way in", "V"),
            ("step_free_inside", "Rooms we use are step-free (or reached by lift)", "V"),
            ("lift", "Lift to the room used", "V"),
            ("easy_doors", "Automatic or easy-to-open doors", "V"),
            ("seating_rest", "Chairs with arms and places to rest", "V"),
            ("accessible_toilet", "Accessible toilet", "V"),
            ("changing_places", "Changing Places toilet (hoist and adult changing bench)", "V"),
            ("gender_neutral_toilet", "Gender-neutral toilet", "V"),
            ("step_free_route", "Walk or outdoor route is level and step-free", "A"),
        ],
    ),
    (
        "Getting there",
        [
            ("blue_badge_parking", "Blue Badge parking on site", "V"),
            ("parking_nearby", "Car park nearby", "D"),
            ("drop_off", "Drop-off point by the entrance", "V"),
            ("bus_stop_nearby", "Bus stop within a short walk", "D"),
            ("rail_nearby", "Train station within a short walk", "D"),
        ],
    ),
    (
        "Hearing and communication",
        [
            ("hearing_loop", "Hearing loop", "V"),
            ("bsl_interpreter", "BSL interpreter at sessions (or on request)", "A"),
            ("deaf_aware_staff", "Staff or volunteers who sign or are deaf-aware", "A"),
            ("captions", "Live captions or subtitles (online sessions)", "A"),
            ("text_contact", "Contact by text, email or Relay UK (not phone only)", "A"),
        ],
    ),
    (
        "Sight, reading and understanding",
        [
            ("large_print", "Large print or other formats on request", "A"),
            ("easy_read", "Easy Read information", "A"),
            ("clear_signage", "Clear signs and good lighting", "V"),
            ("assistance_dogs", "Assistance dogs welcome", "V"),
        ],
    ),
    (
        "Sensory and emotional comfort",
        [
            ("quiet_space", "Quiet room or space to take a break", "V"),
            (
                "low_sensory_session",
                "Quiet, low-sensory session (no music, softer lighting, smaller group)",
                "A",
            ),
            ("small_group", "Small group (about 8 people or fewer)", "A"),
            ("meet_at_door", "Someone will meet you on your first visit", "A"),
            ("bring_companion", "You can bring a friend, carer or support worker", "A"),
            ("private_room", "A private room, away from other people using the building", "V"),
        ],
    ),
]

FEATURES: dict[str, Feature] = {
    code: Feature(code=code, label=label, kind=FeatureKind(kind), group=group)
    for group, items in _GROUPS
    for code, label, kind in items
}
GROUPS: list[tuple[str, list[Feature]]] = [
    (group, [FEATURES[code] for code, _, _ in items]) for group, items in _GROUPS
]
VENUE_CODES = frozenset(code for code, f in FEATURES.items() if f.kind in ON_VENUE)
ACTIVITY_CODES = frozenset(code for code, f in FEATURES.items() if f.on_session)
FEATURE_CHOICES = [(f.code, f.label) for f in FEATURES.values()]
VENUE_FEATURE_CHOICES = [(f.code, f.label) for f in FEATURES.values() if f.code in VENUE_CODES]
ACTIVITY_FEATURE_CHOICES = [
    (f.code, f.label) for f in FEATURES.values() if f.code in ACTIVITY_CODES
]


class FeatureStatus(models.TextChoices):
    """Recorded statuses. "Not known" is the absence of a record, never a stored value."""

    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    ON_REQUEST = "on_request", "On request"
    NO = "no", "No"


# Filters treat these as "has it" (the vocabulary's rule).
AVAILABLE_STATUSES = (FeatureStatus.YES, FeatureStatus.PARTLY, FeatureStatus.ON_REQUEST)


class UnknownFeatureError(ValueError):
    pass


def parse_feature_list(text: str) -> dict[str, str]:
    """Parse the spreadsheet form `step_free_entrance;lift:partly;hearing_loop:on_request`.

    Returns code -> status. Raises UnknownFeatureError naming every unknown code or status.
    """
    result: dict[str, str] = {}
    problems: list[str] = []
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        code, _, status = item.partition(":")
        code, status = code.strip().lower(), (status.strip().lower() or FeatureStatus.YES)
        status = status.replace("-", "_").replace(" ", "_")
        if code not in FEATURES:
            problems.append(f"“{code}” is not an accessibility code")
        elif status not in FeatureStatus.values:
            problems.append(
                f"“{status}” is not a status for {code} (use yes, partly, on_request or no)"
            )
        else:
            result[code] = status
    if problems:
        raise UnknownFeatureError("; ".join(problems))
    return result


def format_feature_list(statuses: dict[str, str]) -> str:
    """The inverse of parse_feature_list, in vocabulary order (stable for round-trips)."""
    parts = []
    for code in FEATURES:
        if code in statuses:
            status = statuses[code]
            parts.append(code if status == FeatureStatus.YES else f"{code}:{status}")
    return ";".join(parts)
