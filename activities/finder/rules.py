"""Find a group for someone: which current activities suit a person, why, and what to check.

For social prescribers, link workers and people choosing for themselves. The caller describes
the person as a `Situation` (built from a GET form and never stored or logged). `find` narrows
the current activities in SQL, judges each candidate in Python from a few columns (`judge`),
then loads only the ones it shows and explains them in full (`assess`) with the same rules, from
facts on that activity only, so every reason shown is true of the listing.

Each activity ends up as one of:

* a good fit: nothing we know of is wrong;
* a near miss: exactly one soft mismatch, shown with what does not fit;
* not shown: any hard mismatch, or two or more soft mismatches.

Hard mismatches (never shown)

* Who it is for (one question, "Women-only and men's groups"): a men's group when they choose
  women-only groups (first, or only), a women-only group when they choose men's groups; any
  such group when they want only groups open to everyone; a group open to everyone when they
  want only a women-only (or only a men's) group. The default shows every group, a women-only
  or men's group with "Who it is for" to check, so nothing is dropped without their saying.
* Age outside the activity's age range (when the age is given).
* An access need the listing records as "no", when the need applies (`need_applies`).
* Not free, when they want free activities only.
* In person only, for someone online only; online only (or no meeting place), for someone who
  wants to meet in person.
* None of its ways to join is one they can use (when they say how they can join).
* Further away than the near-miss distance below.
* Peer-led, light-touch support when they need structured or one-to-one support (two or more
  steps short on the support scale: peer < facilitated < structured < one-to-one).
* None of the topics they chose (when they chose any).
* Finished: only current activities (`activity_list_current`) are considered.

Soft mismatches (one makes a near miss; two exclude)

* Further than they can travel, but no further than 1.5 times that distance or one mile more,
  whichever is further, and never more than twice it ("2.4 miles away").
* Timing: each time slot is compared with the days and times of day they chose; the slot with
  fewest mismatches counts. A slot on another day ("Runs on Tuesdays") or at another time of day
  ("Starts at 18:30, in the evening") is soft; another day *and* another time is two. A different
  day is soft rather than hard because a person can often move a day for the right group.
* An access need that applies and the listing does not record at all ("Hearing loop: not
  known"): not known is never treated as no.

Access needs that do not apply to the way they would take part are not counted either way, and
the reasons say so ("Outdoors, so hearing loop does not apply"): online or with no fixed place,
the building's features and the walk route; in person, live captions (for online sessions);
outdoors, the building's inside (a hearing loop, a lift, step-free rooms, easy doors, a private
room). An activity is outdoors when it records its walk or outdoor route (`step_free_route`,
whatever its status): that feature exists only for walks and outdoor routes.
* One step short on the support scale ("Peer-led, light touch: may be less support than they
  need").
* Not run in the language they chose.
* A waiting list, or full at the moment (the provider may know when places come up).

Unknowns that are neither (no support level recorded, no age given, a venue we cannot place on
the map) become things to check. Good fits rank by what they asked for (a chosen language, a
women-only or men's group they chose, more of their topics), then distance (online sessions
count as at the edge of their travel distance), then the next session, then title. Near misses
rank by distance, then title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NamedTuple

from venues.accessibility import AVAILABLE_STATUSES, FEATURES, FeatureStatus
from venues.geo import LatLon, Location

from ..enums import (
    CapacityStatus,
    Frequency,
    Mode,
    SingleSex,
    SupportLevel,
    TimeOfDay,
    Where,
)
from ..wording import (
    DAY_NAMES,
    DAY_PLURALS,
    ROUTE_FITS,
    TIME_OF_DAY_WORDS,
    clock,
    join_words,
    miles_away,
)

# The support scale, least to most.
SUPPORT_ORDER = [
    SupportLevel.PEER,
    SupportLevel.FACILITATED,
    SupportLevel.STRUCTURED,
    SupportLevel.ONE_TO_ONE,
]
# An audience's restriction ("women", "men") and the answers that want it.
RESTRICTION_WORDS = {"women": "For women", "men": "For men"}
RESTRICTION_GROUPS = {"women": "a women-only group", "men": "a men's group"}
WANTED_RESTRICTION = {
    SingleSex.WOMEN: "women",
    SingleSex.WOMEN_ONLY: "women",
    SingleSex.MEN: "men",
    SingleSex.MEN_ONLY: "men",
}
ONLY_SINGLE_SEX = (SingleSex.WOMEN_ONLY, SingleSex.MEN_ONLY)

# Access needs that only some ways of taking part have (see the module docstring).
OUTDOOR_ROUTE = "step_free_route"  # recorded only for walks and outdoor routes
INDOOR_ONLY = frozenset({"step_free_inside", "lift", "easy_doors", "hearing_loop", "private_room"})
ONLINE_ONLY = frozenset({"captions"})

# Eligibility first, then practicalities, then how to get in touch.
CHECK_ORDER = [
    "Who it suits", "Who it may not suit", "Who it is for", "Ages", "Support", "Access",
    "Where", "When", "Length", "Places", "Cost", "How to join", "What they need to know",
    "Phone", "Email",
]  # fmt: skip


@dataclass(frozen=True)
class Situation:
    """What we are told about the person. Built per request; never stored or logged."""

    location: Location | None = None
    where: str = Where.EITHER
    radius_miles: float = 3.0
    days: frozenset[int] = frozenset()
    times: frozenset[str] = frozenset()
    access: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()  # category slugs
    words: str = ""  # their interests in their own words: the browse search (activities.search)
    age: int | None = None
    single_sex: str = SingleSex.ALL
    language: str = ""
    free_only: bool = False
    referral: frozenset[str] = frozenset()  # ReferralRoute values they can use
    support: str = ""  # a SupportLevel value, or "" for no preference

    @property
    def near_miss_miles(self) -> float:
        """How far a near miss may be: see the module docstring."""
        r = self.radius_miles
        return min(2 * r, max(1.5 * r, r + 1))


@dataclass(frozen=True)
class Check:
    """One thing to check before referring, e.g. ("Places", "Waiting list")."""

    label: str
    text: str


class RecordedFeature(NamedTuple):
    """An access feature the listing records: its status ("yes", "no", ...) and any details."""

    code: str
    status: str
    details: str = ""


class SlotFacts(NamedTuple):
    """A time slot's columns that the timing rule reads (a `Schedule` has them too)."""

    weekday: int
    start_time: time
    frequency: str
    ends_on: date | None


# Slots and tuples: `find` keeps one of these per good fit or near miss, up to thousands, and
# every extra object Python's garbage collector tracks makes its full passes come sooner.
@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read about one activity, so one set of rules serves both passes.

    `explain.facts_of` builds it from a page loaded with `with_display_data`; `find` builds it
    from plain column values for every candidate (`search._candidate_facts`). Those carry only
    what decides whether and where an activity is shown: the chosen topics, the single-sex
    audiences (no names), the statuses of the access needs asked about (no details), a
    distance that may be out by `distance_error`, and no venue address. The text the rules
    write from them is never shown: `find` shows only what `assess` writes from the full page.
    """

    pk: int
    title: str
    online: bool
    has_venue: bool
    distance: float | None  # miles, or None if there is no venue on the map (or no origin)
    slots: tuple  # SlotFacts, or objects with the same attributes (e.g. Schedule)
    categories: tuple[tuple[str, str], ...]  # (slug, name)
    audiences: tuple[tuple[str, str], ...]  # (name, restriction)
    age_min: int | None
    age_max: int | None
    languages: tuple[str, ...]
    support_level: str
    cost: str
    is_free: bool
    referral_routes: tuple[str, ...]
    capacity_status: str
    activity_features: dict[str, RecordedFeature]
    venue_features: dict[str, RecordedFeature]
    venue_address: str = ""
    point: LatLon | None = None  # the venue's (latitude, longitude)
    outdoors: bool = False  # it records a walk or outdoor route (OUTDOOR_ROUTE)
    distance_error: float = 0.0  # how far the true distance may be from `distance`


@dataclass(slots=True)
class Assessment:
    """How one activity fits. `excluded` says why it is not shown (a hard mismatch).

    `row` (the display row, a `selectors.ActivityRow`) is set only for the activities `find`
    shows.
    """

    facts: Facts
    mode: str
    fits: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    score: int = 0
    excluded: str | None = None
    row: Any = None

    @property
    def activity(self):
        """The ActivityPage (from the display row)."""
        return self.row.activity

    @property
    def distance(self) -> float | None:
        return self.facts.distance if self.mode == Mode.IN_PERSON else None

    @property
    def is_shown(self) -> bool:
        return self.excluded is None and len(self.misses) <= 1

    def exclude(self, reason: str) -> None:
        if self.excluded is None:
            self.excluded = reason


# --- The order shown -------------------------------------------------------------------------


def good_key(a: Assessment, s: Situation) -> tuple:
    """The order of good fits (see the module docstring); reads the display row."""
    distance = a.distance if a.distance is not None else s.radius_miles
    start = a.row.next.start.replace(tzinfo=None) if a.row.next else datetime.max
    return (-a.score, distance, start, a.activity.title, a.activity.pk)


def near_key(a: Assessment, s: Situation) -> tuple:
    """The order of near misses: distance (online at the edge of theirs), title, then id."""
    distance = a.distance if a.distance is not None else s.radius_miles
    return (distance, a.activity.title, a.activity.pk)


# --- The rules -------------------------------------------------------------------------------


def judge(facts: Facts, *, situation: Situation, today: date) -> Assessment:
    """How an activity fits, from its facts alone (no checks from the full listing).

    A hybrid activity (a venue and online) is judged both ways when either suits them, and
    the better way is kept.
    """
    options = [_judge_mode(facts, mode, situation, today) for mode in _modes(facts, situation)]
    return min(options, key=lambda a: (a.excluded is not None, len(a.misses), -a.score))


def _modes(facts: Facts, s: Situation) -> list[str]:
    if not facts.has_venue:
        return [Mode.ONLINE if facts.online else Mode.REMOTE]
    if not facts.online:
        return [Mode.IN_PERSON]
    return {
        Where.ONLINE: [Mode.ONLINE],
        Where.IN_PERSON: [Mode.IN_PERSON],
    }.get(s.where, [Mode.IN_PERSON, Mode.ONLINE])


def _judge_mode(facts: Facts, mode: str, s: Situation, today: date) -> Assessment:
    a = Assessment(facts=facts, mode=mode)
    _judge_place(a, s)
    _judge_timing(a, s, today)
    _judge_topics(a, s)
    _judge_audience(a, s)
    _judge_age(a, s)
    _judge_language(a, s)
    _judge_support(a, s)
    _judge_access(a, s)
    _judge_cost(a, s)
    _judge_referral(a, s)
    _judge_places(a)
    if len(a.misses) > 1:
        a.exclude("More than one thing does not fit")
    return a


def _judge_place(a: Assessment, s: Situation) -> None:
    distance = a.facts.distance
    if a.mode == Mode.IN_PERSON:
        if s.where == Where.ONLINE:
            a.exclude("Meets in person only")
        elif distance is None:
            address = a.facts.venue_address
            a.checks.append(Check("Where", f"{address}: check how far it is for them"))
        elif distance <= s.radius_miles:
            a.fits.append(miles_away(distance))
        elif distance <= s.near_miss_miles:
            a.misses.append(miles_away(distance))
        else:
            a.exclude(miles_away(distance))
    elif s.where == Where.IN_PERSON:
        a.exclude("Online only" if a.mode == Mode.ONLINE else "No place to meet in person")
    elif a.mode == Mode.ONLINE:
        a.fits.append("Online" if s.where == Where.ONLINE else "Online, so no travel needed")
    else:
        a.checks.append(Check("Where", "No fixed place: ask how and where it runs"))


def _days_text(slots) -> str:
    """E.g. "Tuesdays and Thursdays", or "a Tuesday" for a one-off session."""
    repeats: dict[int, bool] = {}
    for slot in slots:
        repeats[slot.weekday] = repeats.get(slot.weekday, False) or (
            slot.frequency != Frequency.ONCE
        )
    return join_words(
        DAY_PLURALS[day] if repeats[day] else f"a {DAY_NAMES[day]}" for day in sorted(repeats)
    )


def _judge_timing(a: Assessment, s: Situation, today: date) -> None:
    slots = [slot for slot in a.facts.slots if slot.ends_on is None or slot.ends_on >= today]
    if not slots:
        a.checks.append(Check("When", "No regular sessions: contact them to arrange a time"))
        return
    if not s.days and not s.times:
        return

    def misses(slot) -> tuple[bool, bool]:
        wrong_day = bool(s.days) and slot.weekday not in s.days
        wrong_time = bool(s.times) and TimeOfDay.of(slot.start_time) not in s.times
        return wrong_day, wrong_time

    judged = [(sum(misses(slot)), misses(slot), slot) for slot in slots]
    fewest = min(count for count, _, _ in judged)
    best = [(wrong, slot) for count, wrong, slot in judged if count == fewest]
    if fewest == 0:
        if s.days:
            which = "one of the days you chose" if len(s.days) > 1 else "the day you chose"
            a.fits.append(f"Meets on {_days_text(slot for _, slot in best)}, {which}")
        if s.times:
            slot = best[0][1]
            a.fits.append(f"{_starts(slot)}, a time of day you chose")
    elif fewest == 1:
        right_day = [slot for (wrong_day, _), slot in best if not wrong_day]
        if right_day:
            a.misses.append(_starts(right_day[0]))
        else:
            a.misses.append(f"Runs on {_days_text(slot for _, slot in best)}")
    else:
        slot = best[0][1]
        a.exclude(f"Runs on {_days_text([slot])}; {_starts(slot).lower()}")


def _starts(slot) -> str:
    words = TIME_OF_DAY_WORDS[TimeOfDay.of(slot.start_time)]
    return f"Starts at {clock(slot.start_time)}, {words}"


def _judge_topics(a: Assessment, s: Situation) -> None:
    if not s.interests:
        return
    chosen = [name for slug, name in a.facts.categories if slug in s.interests]
    if not chosen:
        a.exclude("Not one of the topics chosen")
        return
    a.score += len(chosen)
    what = "a topic you chose" if len(chosen) == 1 else "topics you chose"
    a.fits.append(f"{', '.join(chosen)}: {what}")


def _judge_audience(a: Assessment, s: Situation) -> None:
    restrictions = {restriction for _, restriction in a.facts.audiences if restriction}
    others = [name for name, restriction in a.facts.audiences if not restriction]
    wanted = WANTED_RESTRICTION.get(s.single_sex)
    marked = ""
    if not restrictions:
        if s.single_sex in ONLY_SINGLE_SEX:
            a.exclude(f"Open to everyone, not {RESTRICTION_GROUPS[wanted]}")
    elif s.single_sex == SingleSex.MIXED:
        a.exclude(f"It is {RESTRICTION_GROUPS[sorted(restrictions)[0]]}")
    elif wanted is None:  # not said: shown, and marked so nobody is sent to the wrong one
        words = join_words(RESTRICTION_WORDS[r].replace("For ", "") for r in sorted(restrictions))
        marked = f"{words[0].upper()}{words[1:]} only: check this suits them"
    elif len(restrictions) > 1 or wanted not in restrictions:
        a.exclude(f"{RESTRICTION_WORDS[sorted(restrictions)[0]]} only")
    else:
        a.fits.append(RESTRICTION_WORDS[wanted])
        a.score += 2
    text = "; ".join(part for part in (marked, ", ".join(others)) if part)
    if text:
        a.checks.append(Check("Who it is for", text))


def age_range_text(age_min: int | None, age_max: int | None) -> str:
    if age_min is not None and age_max is not None:
        return f"Ages {age_min} to {age_max}"
    if age_min is not None:
        return f"Ages {age_min} and over"
    if age_max is not None:
        return f"Ages up to {age_max}"
    return ""


def _judge_age(a: Assessment, s: Situation) -> None:
    facts = a.facts
    ages = age_range_text(facts.age_min, facts.age_max)
    if not ages:
        return
    if s.age is None:
        a.checks.append(Check("Ages", ages))
    elif (facts.age_min is not None and s.age < facts.age_min) or (
        facts.age_max is not None and s.age > facts.age_max
    ):
        a.exclude(f"For {ages.lower()}")
    else:
        a.fits.append(f"For {ages.lower()}, which includes their age")


def _judge_language(a: Assessment, s: Situation) -> None:
    if not s.language:
        return
    spoken = {lang.casefold() for lang in a.facts.languages}
    if s.language.casefold() in spoken:
        a.fits.append(f"Sessions in {s.language}")
        a.score += 2
    else:
        a.misses.append(f"Not run in {s.language}")


def _judge_support(a: Assessment, s: Situation) -> None:
    level = a.facts.support_level
    if not s.support:
        if level:
            a.checks.append(Check("Support", SupportLevel(level).label))
        return
    if not level:
        a.checks.append(Check("Support", "Not recorded: ask how much support it gives"))
        return
    label = SupportLevel(level).label
    short = SUPPORT_ORDER.index(s.support) - SUPPORT_ORDER.index(level)
    if short <= 0:
        a.fits.append(label)
    elif short == 1:
        a.misses.append(f"{label}: may be less support than they need")
    else:
        a.exclude(f"{label}: less support than they need")


def _recorded_features(a: Assessment) -> dict[str, RecordedFeature]:
    if a.mode == Mode.IN_PERSON:
        return a.facts.venue_features | a.facts.activity_features
    return a.facts.activity_features


def need_applies(code: str, *, mode: str, outdoors: bool) -> bool:
    """Whether an access need counts for an activity taken part in this way (`Mode`)."""
    if mode != Mode.IN_PERSON:  # no building to get to, and no route to walk
        return FEATURES[code].on_session and code != OUTDOOR_ROUTE
    if code in ONLINE_ONLY:
        return False
    return not (outdoors and code in INDOOR_ONLY)


def _lower_first(label: str) -> str:
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def _not_applicable(a: Assessment, labels: list[str]) -> str:
    """E.g. "Outdoors, so hearing loop and lift to the room used do not apply"."""
    if a.mode == Mode.ONLINE:
        way = "Online"
    elif a.mode == Mode.REMOTE:
        way = "No fixed place"
    else:
        way = "Outdoors" if a.facts.outdoors else "In person"
    verb = "does" if len(labels) == 1 else "do"
    return f"{way}, so {join_words(_lower_first(label) for label in labels)} {verb} not apply"


def _judge_access(a: Assessment, s: Situation) -> None:
    recorded = _recorded_features(a)
    skipped = []
    for code in s.access:
        feature = FEATURES[code]
        if not need_applies(code, mode=a.mode, outdoors=a.facts.outdoors):
            skipped.append(feature.label)
            continue
        record = recorded.get(code)
        if record is None:
            a.misses.append(f"{feature.label}: not known")
        elif record.status == FeatureStatus.NO:
            a.exclude(f"{feature.label}: no")
        elif record.status in AVAILABLE_STATUSES and record.status != FeatureStatus.YES:
            status = FeatureStatus(record.status).label.lower()
            a.fits.append(f"{feature.label} ({status})")
            details = f": {record.details}" if record.details else ""
            a.checks.append(Check("Access", f"{feature.label}: {status}{details}"))
        else:
            a.fits.append(feature.label)
    if skipped:
        a.fits.append(_not_applicable(a, skipped))


def _judge_cost(a: Assessment, s: Situation) -> None:
    cost = a.facts.cost
    if a.facts.is_free:
        a.fits.append("Free")
    elif s.free_only:
        a.exclude(f"Costs {cost}" if cost else "Cost not given")
    else:
        a.checks.append(Check("Cost", cost or "Not given: ask the organisation"))


def _judge_referral(a: Assessment, s: Situation) -> None:
    if not s.referral:
        return
    usable = [r for r in a.facts.referral_routes if r in s.referral]
    if not usable:
        a.exclude("No way to join that they can use")
    for route in usable:
        a.fits.append(ROUTE_FITS[route])


def _judge_places(a: Assessment) -> None:
    status = a.facts.capacity_status
    if status == CapacityStatus.WAITING_LIST:
        a.misses.append("Waiting list at the moment")
    elif status == CapacityStatus.FULL:
        a.misses.append("Full at the moment")
