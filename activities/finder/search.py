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

* Who it is for: a women-only group unless "Groups for" is women, a men's group unless it is
  men (so nobody who has not said is shown either); any such group when they would rather not
  join one; a group open to everyone when they want only a women-only or men's group.
* Age outside the activity's age range (when the age is given).
* An access need the listing records as "no" (for an online session, the venue's features do
  not count, because they do not go there).
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
* An access need the listing does not record at all ("Hearing loop: not known"): not known is
  never treated as no.
* One step short on the support scale ("Peer-led, light touch: may be less support than they
  need").
* Not run in the language they chose.
* A waiting list, or full at the moment (the provider may know when places come up).

Unknowns that are neither (no support level recorded, no age given, a venue we cannot place on
the map) become things to check. Good fits rank by what they asked for (a chosen language, a
women-only or men's group they prefer, more of their topics), then distance (online sessions
count as at the edge of their travel distance), then the next session, then title. Near misses
rank by distance, then title.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache, partial
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from venues.accessibility import AVAILABLE_STATUSES, FEATURES, FeatureStatus
from venues.geo import LatLon, Location, approx_distance_sq_factors, bounding_box, distance_miles
from venues.models import VenueFeature

from .. import recurrence
from ..enums import (
    CapacityStatus,
    Frequency,
    GroupsFor,
    Mode,
    ReferralRoute,
    SingleSex,
    SupportLevel,
    TimeOfDay,
    Where,
)
from ..filters import TIME_RANGES
from ..models import ActivityFeature, ActivityPage, Audience, Cancellation, Schedule
from ..selectors import ActivityRow, activity_list_current, activity_row, with_display_data
from ..time_limits import long_date
from ..time_limits import summary as time_limit_summary
from ..wording import how_to_join

GOOD_LIMIT = 20
NEAR_LIMIT = 10

# The support scale, least to most.
SUPPORT_ORDER = [
    SupportLevel.PEER,
    SupportLevel.FACILITATED,
    SupportLevel.STRUCTURED,
    SupportLevel.ONE_TO_ONE,
]
WEEKDAY_PLURALS = [
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
]
TIME_OF_DAY_WORDS = {
    TimeOfDay.MORNING: "in the morning",
    TimeOfDay.AFTERNOON: "in the afternoon",
    TimeOfDay.EVENING: "in the evening",
}
RESTRICTION_WORDS = {Audience.Restriction.WOMEN: "For women", Audience.Restriction.MEN: "For men"}
RESTRICTION_GROUPS = {
    Audience.Restriction.WOMEN: "a women-only group",
    Audience.Restriction.MEN: "a men's group",
}
ROUTE_FITS = {
    ReferralRoute.SELF: "They can refer themselves or just come along",
    ReferralRoute.PROFESSIONAL: "Takes referrals from professionals",
    ReferralRoute.GP: "Takes GP referrals",
}

# Eligibility first, then practicalities, then how to get in touch.
CHECK_ORDER = [
    "Who it suits",
    "Who it may not suit",
    "Who it is for",
    "Ages",
    "Support",
    "Access",
    "Where",
    "When",
    "Length",
    "Places",
    "Cost",
    "How to join",
    "What they need to know",
    "Phone",
    "Email",
]


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
    age: int | None = None
    groups_for: str = GroupsFor.ANYONE
    single_sex: str = SingleSex.NO_PREFERENCE
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


# Slots and tuples: `find` keeps one of these per good fit or near miss, up to thousands, and
# every extra object Python's garbage collector tracks makes its full passes come sooner.
@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read about one activity, so one set of rules serves both passes.

    `facts_of` builds it from a page loaded with `with_display_data`; `find` builds it from
    plain column values for every candidate (`_candidate_facts`). Those carry only what decides
    whether and where an activity is shown: the chosen topics, the single-sex audiences (no
    names), the statuses of the access needs asked about (no details), a distance that may be
    out by `distance_error`, and no venue address. The text the rules write from them is never
    shown: `find` shows only what `assess` writes from the full page.
    """

    pk: int
    title: str
    online: bool
    has_venue: bool
    distance: float | None  # miles, or None if there is no venue on the map (or no origin)
    slots: tuple  # objects with weekday, start_time, frequency and ends_on (e.g. Schedule)
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
    distance_error: float = 0.0  # how far the true distance may be from `distance`


def _recorded(features) -> dict[str, RecordedFeature]:
    return {f.code: RecordedFeature(f.code, f.status, f.details) for f in features}


def facts_of(activity: ActivityPage, *, distance: float | None) -> Facts:
    """The facts of a page loaded with `with_display_data` (no further queries)."""
    venue = activity.venue
    return Facts(
        pk=activity.pk,
        title=activity.title,
        online=activity.online,
        has_venue=venue is not None,
        distance=distance,
        slots=tuple(activity.schedules.all()),
        categories=tuple((c.slug, c.name) for c in activity.categories.all()),
        audiences=tuple((x.name, x.restriction) for x in activity.audiences.all()),
        age_min=activity.age_min,
        age_max=activity.age_max,
        languages=tuple(activity.language_list),
        support_level=activity.support_level,
        cost=activity.cost,
        is_free=activity.is_free,
        referral_routes=tuple(activity.referral_routes),
        capacity_status=activity.capacity_status,
        activity_features=_recorded(activity.features.all()),
        venue_features=_recorded(venue.features.all()) if venue else {},
        venue_address=venue.full_address if venue else "",
        point=venue.coordinates if venue else None,
    )


@dataclass(slots=True)
class Assessment:
    """How one activity fits. `excluded` says why it is not shown (a hard mismatch).

    `row` (the display row) is set only for the activities `find` shows.
    """

    facts: Facts
    mode: str
    fits: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    score: int = 0
    excluded: str | None = None
    row: ActivityRow | None = None

    @property
    def activity(self) -> ActivityPage:
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


@dataclass
class FinderResult:
    good: list[Assessment]
    near: list[Assessment]
    good_count: int
    near_count: int
    origin: Location | None


# --- SQL: the coarse filter ------------------------------------------------------------------


def _linked(model, **lookups) -> Exists:
    return Exists(model.objects.filter(activitypage=OuterRef("pk"), **lookups))


def candidate_activities(*, situation: Situation, today: date) -> QuerySet[ActivityPage]:
    """Current activities that can possibly fit (no display data); the rules have the last word.

    Only what rules an activity out is filtered here (hard mismatches, and current sessions all
    on another day *and* at another time of day: two soft mismatches), each one generously, so
    nothing that `assess` would show is ever dropped.
    """
    s = situation
    qs = activity_list_current(today=today)
    if s.free_only:
        qs = qs.filter(cost__istartswith="free")
    if s.interests:
        qs = qs.filter(_linked(ActivityPage.categories.through, category__slug__in=s.interests))
    if s.referral:
        routes = Q()
        for route in s.referral:
            routes |= Q(**{f"{route}_referral": True})
        qs = qs.filter(routes)
    if s.age is not None:
        qs = qs.exclude(age_min__gt=s.age).exclude(age_max__lt=s.age)
    audiences = ActivityPage.audiences.through
    unwanted = _unwanted_restrictions(s)
    if unwanted:
        qs = qs.exclude(_linked(audiences, audience__restriction__in=unwanted))
    if s.single_sex == SingleSex.ONLY:
        qs = qs.filter(_linked(audiences, audience__restriction=s.groups_for))
    if s.support:
        need = SUPPORT_ORDER.index(s.support)
        qs = qs.exclude(support_level__in=SUPPORT_ORDER[: max(need - 1, 0)])
    if s.days and s.times:  # a slot on another day at another time is two soft mismatches
        qs = qs.filter(_meets_on_a_day_or_time(s, today) | ~Exists(_linked_slots()))
    qs = _filter_place(qs, s)
    for code in s.access:
        qs = _exclude_recorded_no(qs, code, s)
    return qs.order_by("pk")


def _linked_slots() -> QuerySet[Schedule]:
    return Schedule.objects.filter(activity=OuterRef("pk"))


def _meets_on_a_day_or_time(s: Situation, today: date) -> Exists:
    """A current slot on one of their days or at one of their times of day (`_time_of_day`)."""
    fits = Q(weekday__in=s.days)
    for name in s.times:
        begin, end = TIME_RANGES[name]
        if name == TimeOfDay.EVENING:  # `_time_of_day` counts anything later as evening too
            fits |= Q(start_time__gte=begin)
        else:
            fits |= Q(start_time__gte=begin, start_time__lt=end)
    current = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    return Exists(_linked_slots().filter(current, fits))


def _unwanted_restrictions(s: Situation) -> list[str]:
    restricted = [Audience.Restriction.WOMEN, Audience.Restriction.MEN]
    if s.single_sex == SingleSex.AVOID:
        return restricted
    return [r for r in restricted if r != s.groups_for]


def _filter_place(qs: QuerySet, s: Situation) -> QuerySet:
    remote = Q(online=True) | Q(venue__isnull=True)
    if s.where == Where.ONLINE:
        return qs.filter(remote)
    if s.location is None:  # no distance to judge: every venue, each with a check
        nearby = Q(venue__isnull=False)
    else:
        min_lat, max_lat, min_lon, max_lon = bounding_box(s.location.point, s.near_miss_miles)
        nearby = Q(venue__latitude__isnull=True) | Q(  # not on the map: shown with a check
            venue__latitude__range=(min_lat, max_lat), venue__longitude__range=(min_lon, max_lon)
        )
    if s.where == Where.IN_PERSON:
        return qs.filter(nearby, venue__isnull=False)
    return qs.filter(remote | nearby)


def _exclude_recorded_no(qs: QuerySet, code: str, s: Situation) -> QuerySet:
    if FEATURES[code].kind == "A":
        no = ActivityFeature.objects.filter(
            activity=OuterRef("pk"), code=code, status=FeatureStatus.NO
        )
        return qs.exclude(Exists(no))
    if s.where == Where.ONLINE:
        return qs  # they will not go to the venue
    no = VenueFeature.objects.filter(venue=OuterRef("venue"), code=code, status=FeatureStatus.NO)
    if s.where == Where.EITHER:
        return qs.exclude(Exists(no) & Q(online=False))
    return qs.exclude(Exists(no))


# --- Python: explaining one activity ---------------------------------------------------------


def assess(activity: ActivityPage, *, situation: Situation, today: date) -> Assessment:
    """How `activity` fits `situation`, with what to check. Reads only prefetched data.

    The activity must be loaded with `with_display_data`.
    """
    row = activity_row(activity, today=today, origin=situation.location)
    assessment = judge(facts_of(activity, distance=row.distance), situation=situation, today=today)
    assessment.row = row
    _add_checks(assessment, activity, today)
    return assessment


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


def miles_text(miles: float) -> str:
    figure = f"{miles:.1f}"
    return f"{figure} mile away" if figure == "1.0" else f"{figure} miles away"


def _judge_place(a: Assessment, s: Situation) -> None:
    distance = a.facts.distance
    if a.mode == Mode.IN_PERSON:
        if s.where == Where.ONLINE:
            a.exclude("Meets in person only")
        elif distance is None:
            address = a.facts.venue_address
            a.checks.append(Check("Where", f"{address}: check how far it is for them"))
        elif distance <= s.radius_miles:
            a.fits.append(miles_text(distance))
        elif distance <= s.near_miss_miles:
            a.misses.append(miles_text(distance))
        else:
            a.exclude(miles_text(distance))
    elif s.where == Where.IN_PERSON:
        a.exclude("Online only" if a.mode == Mode.ONLINE else "No place to meet in person")
    elif a.mode == Mode.ONLINE:
        a.fits.append("Online" if s.where == Where.ONLINE else "Online, so no travel needed")
    else:
        a.checks.append(Check("Where", "No fixed place: ask how and where it runs"))


def _time_of_day(start: time) -> str:
    for name, (begin, end) in TIME_RANGES.items():
        if begin <= start < end:
            return name
    return TimeOfDay.EVENING


def _days_text(slots) -> str:
    """E.g. "Tuesdays and Thursdays", or "a Tuesday" for a one-off session."""
    repeats: dict[int, bool] = {}
    for slot in slots:
        repeats[slot.weekday] = repeats.get(slot.weekday, False) or (
            slot.frequency != Frequency.ONCE
        )
    names = [
        WEEKDAY_PLURALS[day] if repeats[day] else f"a {WEEKDAY_PLURALS[day][:-1]}"
        for day in sorted(repeats)
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _judge_timing(a: Assessment, s: Situation, today: date) -> None:
    slots = [slot for slot in a.facts.slots if slot.ends_on is None or slot.ends_on >= today]
    if not slots:
        a.checks.append(Check("When", "No regular sessions: contact them to arrange a time"))
        return
    if not s.days and not s.times:
        return

    def misses(slot) -> tuple[bool, bool]:
        wrong_day = bool(s.days) and slot.weekday not in s.days
        wrong_time = bool(s.times) and _time_of_day(slot.start_time) not in s.times
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
    words = TIME_OF_DAY_WORDS[_time_of_day(slot.start_time)]
    return f"Starts at {slot.start_time:%H:%M}, {words}"


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
    if others:
        a.checks.append(Check("Who it is for", ", ".join(others)))
    if not restrictions:
        if s.single_sex == SingleSex.ONLY:
            a.exclude("Open to everyone, not a women-only or men's group")
        return
    if len(restrictions) > 1 or s.groups_for not in restrictions:
        a.exclude(f"{RESTRICTION_WORDS[sorted(restrictions)[0]]} only")
    elif s.single_sex == SingleSex.AVOID:
        a.exclude(f"It is {RESTRICTION_GROUPS[s.groups_for]}")
    else:
        a.fits.append(RESTRICTION_WORDS[s.groups_for])
        if s.single_sex in (SingleSex.PREFER, SingleSex.ONLY):
            a.score += 2


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


def _judge_access(a: Assessment, s: Situation) -> None:
    recorded = _recorded_features(a)
    for code in s.access:
        feature = FEATURES[code]
        if feature.kind != "A" and a.mode != Mode.IN_PERSON:
            continue  # a building's features do not matter to someone not going there
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


def _add_checks(a: Assessment, activity: ActivityPage, today: date) -> None:
    """What to check before referring: eligibility, length, places, how to join, contact."""
    if activity.who_for:
        a.checks.append(Check("Who it suits", activity.who_for))
    if activity.not_suitable_for:
        a.checks.append(Check("Who it may not suit", activity.not_suitable_for))
    if length := time_limit_summary(activity, today=today):
        a.checks.append(Check("Length", length))
    if activity.capacity_status != CapacityStatus.PLACES:
        places = activity.get_capacity_status_display()
        if activity.capacity_updated:
            places += f" (updated {long_date(activity.capacity_updated)})"
        a.checks.append(Check("Places", places))
    a.checks.append(Check("How to join", how_to_join_text(activity)))
    if activity.referrer_needs:
        a.checks.append(Check("What they need to know", activity.referrer_needs))
    phone = activity.contact_phone or (activity.provider.contact_phone if activity.provider else "")
    if phone:
        a.checks.append(Check("Phone", phone))
    elif activity.contact_email:
        a.checks.append(Check("Email", activity.contact_email))
    a.checks.sort(key=lambda check: CHECK_ORDER.index(check.label))


def how_to_join_text(activity: ActivityPage) -> str:
    """Who can refer (the shortlist's wording), then booking and the provider's own words."""
    parts = [how_to_join(activity) + "."]
    if activity.booking_required:
        parts.append("Booking needed.")
    if activity.how_to_join:
        parts.append(activity.how_to_join)
    return " ".join(parts)


# --- The whole search ------------------------------------------------------------------------


def _good_key(a: Assessment, s: Situation) -> tuple:
    distance = a.distance if a.distance is not None else s.radius_miles
    start = a.row.next.start.replace(tzinfo=None) if a.row.next else datetime.max
    return (-a.score, distance, start, a.activity.title, a.activity.pk)


def _near_key(a: Assessment, s: Situation) -> tuple:
    distance = a.distance if a.distance is not None else s.radius_miles
    return (distance, a.activity.title, a.activity.pk)


def find(
    *,
    situation: Situation,
    today: date,
    good_limit: int = GOOD_LIMIT,
    near_limit: int = NEAR_LIMIT,
) -> FinderResult:
    """Good fits and near misses, best first, capped; the counts say how many there were.

    Every candidate is judged from plain column values (`_candidate_facts`); only the ones
    shown are loaded as pages and assessed in full. The result is the same as assessing every
    candidate in full and sorting (tests/activities/test_finder_equivalence.py checks this).
    """
    s = situation
    candidates = candidate_activities(situation=s, today=today)
    good: list[_Ranked] = []
    near: list[_Ranked] = []
    # geopy's distance from them, worked out once per venue (many activities share one) and
    # forgotten with the search.
    miles_to = cache(partial(distance_miles, s.location.point)) if s.location else None
    for facts in _candidate_facts(candidates, s, miles_to):
        a = judge(facts, situation=s, today=today)
        if a.is_shown:
            (near if a.misses else good).append(_Ranked.of(a))
    ranking = {"situation": s, "today": today, "miles_to": miles_to}
    best_good = _best(good, limit=good_limit, scored=True, **ranking)
    best_near = _best(near, limit=near_limit, scored=False, **ranking)
    shown = [a.pk for a in best_good + best_near]
    pages = with_display_data(candidates.filter(pk__in=shown))
    full = {page.pk: assess(page, situation=s, today=today) for page in pages}
    return FinderResult(
        good=sorted((full[a.pk] for a in best_good), key=lambda a: _good_key(a, s)),
        near=sorted((full[a.pk] for a in best_near), key=lambda a: _near_key(a, s)),
        good_count=len(good),
        near_count=len(near),
        origin=s.location,
    )


class _Slot(NamedTuple):
    """A schedule's columns that `_judge_timing` reads."""

    weekday: int
    start_time: time
    frequency: str
    ends_on: date | None


def approx_error_miles(miles: float) -> float:
    """How far the quick distance formula (`approx_distance_sq_factors`) may be from geopy's.

    Its error grows with the square of the distance: within 30 miles at UK latitudes it is
    under 0.0001 miles per square mile (test_finder_equivalence checks this bound holds).
    """
    return 0.00025 * miles * miles + 0.001


def _grouped(rows) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for key, *rest in rows:
        grouped.setdefault(key, []).append(tuple(rest))
    return grouped


# The candidate columns `_candidate_facts` reads, in order, before the annotations.
_COLUMNS = [
    "pk", "title", "online", "venue_id", "venue__latitude", "venue__longitude", "age_min",
    "age_max", "languages", "support_level", "cost", "self_referral", "professional_referral",
    "gp_referral", "capacity_status",
]  # fmt: skip


def _feature_status(model, code: str, **link) -> Subquery:
    """The status of the last `code` row, as the dict `facts_of` builds keeps the last."""
    rows = model.objects.filter(code=code, **link).order_by("-sort_order", "-pk")
    return Subquery(rows.values("status")[:1])


def _candidate_facts(candidates: QuerySet, s: Situation, miles_to) -> Iterator[Facts]:
    """Facts for every candidate from one query (two with topics), with no page objects.

    One row per candidate and schedule. Only what decides whether and where an activity is
    shown is read: its single-sex audiences, the statuses of the access needs asked about and
    the topics chosen. Distances use the SQL browse filter's quick formula, with
    `distance_error` saying how far out it may be; near the distances that decide good fit,
    near miss or not shown, geopy gives the exact figure, so those decisions are the ones
    `assess` makes.
    """
    audiences = ActivityPage.audiences.through.objects.filter(activitypage=OuterRef("pk"))
    restrictions = [Audience.Restriction.WOMEN, Audience.Restriction.MEN]
    annotations = {
        f"restricted_{r}": Exists(audiences.filter(audience__restriction=r)) for r in restrictions
    }
    for i, code in enumerate(s.access):
        annotations[f"venue_feature_{i}"] = _feature_status(
            VenueFeature, code, venue=OuterRef("venue")
        )
        annotations[f"activity_feature_{i}"] = _feature_status(
            ActivityFeature, code, activity=OuterRef("pk")
        )
    slot_columns = [f"schedules__{name}" for name in ("pk", *_Slot._fields)]
    rows = (
        candidates.annotate(**annotations)
        .order_by("pk", "schedules__sort_order", "schedules__pk")
        .values_list(*_COLUMNS, *annotations, *slot_columns)
    )
    categories: dict[int, list[tuple]] = {}
    if s.interests:
        categories = _grouped(
            ActivityPage.categories.through.objects.filter(
                activitypage__in=candidates.values("pk"), category__slug__in=s.interests
            ).values_list("activitypage_id", "category__slug", "category__name")
        )
    origin = s.location.point if s.location else None
    per_lat, per_lon = approx_distance_sq_factors(origin) if origin else (0.0, 0.0)
    thresholds = (s.radius_miles, s.near_miss_miles)
    n_columns, n_access = len(_COLUMNS), len(s.access)
    for pk, group in groupby(rows, key=itemgetter(0)):
        group = list(group)
        row = group[0]
        (pk, title, online, venue_id, lat, lon, age_min, age_max, languages) = row[:9]
        (support, cost, self_ref, professional_ref, gp_ref, capacity) = row[9:n_columns]
        women, men, *statuses = row[n_columns : n_columns + 2 + 2 * n_access]
        point = (lat, lon) if venue_id is not None and lat is not None and lon is not None else None
        distance, error = None, 0.0
        if origin and point:
            distance = math.hypot((lat - origin[0]) * per_lat, (lon - origin[1]) * per_lon)
            error = approx_error_miles(distance)
            if any(abs(distance - limit) <= error for limit in thresholds):
                distance, error = miles_to(point), 0.0
        routes = (("self", self_ref), ("professional", professional_ref), ("gp", gp_ref))
        slots = [r[-len(_Slot._fields) :] for r in group if r[-len(slot_columns)] is not None]
        venue_features, activity_features = {}, {}
        for code, venue_status, activity_status in zip(
            s.access, statuses[::2], statuses[1::2], strict=True
        ):
            if venue_status is not None:
                venue_features[code] = RecordedFeature(code, venue_status)
            if activity_status is not None:
                activity_features[code] = RecordedFeature(code, activity_status)
        yield Facts(
            pk=pk,
            title=title,
            online=online,
            has_venue=venue_id is not None,
            distance=distance,
            slots=tuple(_Slot(*slot) for slot in slots),
            categories=tuple(categories.get(pk, ())),
            audiences=tuple(
                ("", r) for r, on in zip(restrictions, (women, men), strict=True) if on
            ),
            age_min=age_min,
            age_max=age_max,
            languages=tuple(part.strip() for part in languages.split(",") if part.strip()),
            support_level=support,
            cost=cost,
            is_free=cost.strip().lower().startswith("free"),
            referral_routes=tuple(route for route, on in routes if on),
            capacity_status=capacity,
            activity_features=activity_features,
            venue_features=venue_features,
            point=point,
            distance_error=error,
        )


class _Ranked(NamedTuple):
    """What ranks a good fit or near miss. Plain values only: Python's garbage collector stops
    tracking such tuples, and `find` keeps one per good fit or near miss, up to thousands."""

    score: int
    distance: float | None  # in person only
    error: float  # how far the true distance may be from `distance`
    pk: int
    title: str
    point: LatLon | None

    @classmethod
    def of(cls, a: Assessment) -> _Ranked:
        error = a.facts.distance_error if a.distance is not None else 0.0
        return cls(a.score, a.distance, error, a.facts.pk, a.facts.title, a.facts.point)


def _rank_distance(a: _Ranked, s: Situation, *, error: float = 0.0) -> float:
    """The distance the order uses: online sessions count as at the edge of their distance."""
    return a.distance + error if a.distance is not None else s.radius_miles


def _lead(a: _Ranked, s: Situation, scored: bool, *, error: float = 0.0) -> tuple:
    """The first parts of `_good_key` (scored) or `_near_key`."""
    distance = _rank_distance(a, s, error=error)
    return (-a.score, distance) if scored else (distance,)


def _best(
    assessments: list[_Ranked],
    *,
    limit: int,
    situation: Situation,
    today: date,
    scored: bool,
    miles_to,
) -> list[_Ranked]:
    """The first `limit` in the order of `_good_key` (scored) or `_near_key`, exactly.

    Quick distances may be out by `distance_error`: anything whose best case beats the worst
    case of one of the first `limit` stays in contention and gets its exact distance; those
    that still tie with the last place on (score and) distance are settled by the next session
    (good fits only), then title and id.
    """
    s = situation
    if limit <= 0 or not assessments:
        return []
    ranked = sorted(assessments, key=lambda a: _lead(a, s, scored))
    ceiling = max(_lead(a, s, scored, error=a.error) for a in ranked[:limit])
    contenders = []
    for a in assessments:
        if _lead(a, s, scored, error=-a.error) <= ceiling:
            if a.error:
                a = a._replace(distance=miles_to(a.point), error=0.0)
            contenders.append(a)
    contenders.sort(key=lambda a: _lead(a, s, scored))
    last = _lead(contenders[min(limit, len(contenders)) - 1], s, scored)
    contenders = [a for a in contenders if _lead(a, s, scored) <= last]
    if scored:
        starts = _next_starts(contenders, today=today)
        contenders.sort(key=lambda a: (_lead(a, s, True), starts[a.pk], a.title, a.pk))
    else:
        contenders.sort(key=lambda a: (_lead(a, s, False), a.title, a.pk))
    return contenders[:limit]


def _next_starts(assessments: list[_Ranked], *, today: date) -> dict[int, datetime]:
    """When each one's next session starts (naive, as `_good_key` compares them)."""
    pks = [a.pk for a in assessments]
    cancelled = _grouped(
        Cancellation.objects.filter(activity_id__in=pks).values_list(
            "activity_id", "date", "reason"
        )
    )
    # The columns of a recurrence.Rule, in its order.
    rule_columns = ("frequency", "first_date", "start_time", "end_time", "sessions", "last_date")
    rules = _grouped(
        Schedule.objects.filter(activity_id__in=pks).values_list("activity_id", *rule_columns)
    )
    starts = {}
    for a in assessments:
        cancellations = dict(cancelled.get(a.pk, ()))
        upcoming = [
            occurrence.start.replace(tzinfo=None)
            for rule in rules.get(a.pk, ())
            if (
                occurrence := recurrence.next_occurrence(
                    recurrence.Rule(*rule), after=today, cancellations=cancellations
                )
            )
        ]
        starts[a.pk] = min(upcoming, default=datetime.max)
    return starts


def language_choices() -> list[str]:
    """Every language other than English that a live activity is run in, A to Z."""
    seen: dict[str, str] = {}
    values = ActivityPage.objects.live().exclude(languages="").values_list("languages", flat=True)
    for value in values.distinct():
        for part in value.split(","):
            name = part.strip()
            if name:
                seen.setdefault(name.casefold(), name)
    return sorted(seen.values(), key=str.casefold)
