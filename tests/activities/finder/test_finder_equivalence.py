"""finder.find judges candidates from column values and loads only what it shows: it must show
exactly what assessing every current activity in full, then sorting, would show."""

import datetime as dt
import math
import random

import pytest
from geopy.distance import geodesic

from activities import finder
from activities.enums import ActivityKind, CapacityStatus, Frequency, SupportLevel
from activities.finder.rules import good_key, near_key
from activities.selectors import activity_list_current, with_display_data
from tests.activities.finder.support import ORIGIN_POSTCODE
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    AudienceFactory,
    CancellationFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
from venues.accessibility import FeatureStatus
from venues.geo import approx_distance_sq_factors, locate_postcode

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 3)
ORIGIN = locate_postcode(ORIGIN_POSTCODE)
# Miles from ORIGIN: either side of every radius and near-miss limit (1, 1.5, 2, 3, 4.5, 5,
# 7.5, 10, 15, 20) by under a metre, where the quick SQL distance is not precise enough, and
# some plain ones.
DISTANCES = [0.3, 0.8, 0.9995, 1.0005, 1.4996, 1.5004, 1.9996, 2.0004, 2.6, 2.9996, 3.0004]
DISTANCES += [4.4996, 4.5004, 4.9996, 5.0004, 7.4995, 7.5005, 9.9995, 10.0005, 14.999, 15.001]
DISTANCES += [19.999, 20.001]
ACTIVITY_CODES = ["small_group", "bsl_interpreter", "step_free_route"]
VENUE_CODES = ["step_free_entrance", "hearing_loop", "parking_nearby"]
TIMES = [dt.time(9, 30), dt.time(11, 59), dt.time(12, 0), dt.time(14, 0), dt.time(18, 30)]
AGES = [(None, None), (None, None), (16, 25), (18, None), (None, 65), (50, 65)]
LANGUAGES = ["", "", "Arabic", "Polish, Arabic", "arabic"]


def find_brute_force(*, situation, today, good_limit, near_limit) -> finder.FinderResult:
    """The reference: every current activity (no SQL pre-filter) assessed in full, sorted."""
    good, near = [], []
    for activity in with_display_data(activity_list_current(today=today)):
        assessment = finder.assess(activity, situation=situation, today=today)
        if assessment.is_shown:
            (near if assessment.misses else good).append(assessment)
    good.sort(key=lambda a: good_key(a, situation))
    near.sort(key=lambda a: near_key(a, situation))
    return finder.FinderResult(
        good=good[:good_limit],
        near=near[:near_limit],
        good_count=len(good),
        near_count=len(near),
        origin=situation.location,
    )


def _point(rng: random.Random, miles: float) -> dict:
    there = geodesic(miles=miles).destination(ORIGIN.point, bearing=rng.uniform(0, 360))
    return {"latitude": there.latitude, "longitude": there.longitude}


def _some(rng: random.Random, items, most: int) -> list:
    return rng.sample(list(items), rng.randint(0, most))


def _build(rng: random.Random) -> None:
    statuses = list(FeatureStatus)
    venues = [VenueFactory(**_point(rng, miles)) for miles in DISTANCES]
    venues.append(VenueFactory(latitude=None, longitude=None))  # not on the map
    for venue in venues:
        for code in _some(rng, VENUE_CODES, 3):
            VenueFeatureFactory(venue=venue, code=code, status=rng.choice(statuses))
    topics = [CategoryFactory(name=name) for name in ("Art", "Walking", "Cooking")]
    audiences = [
        AudienceFactory(name="Women", restriction="women"),
        AudienceFactory(name="Men", restriction="men"),
        AudienceFactory(name="Carers"),
    ]
    providers = [ProviderFactory() for _ in range(3)]
    for _ in range(60):
        place = rng.random()
        online = place < 0.1 or rng.random() < 0.2
        venue = None if place < 0.15 else rng.choice(venues)
        activity = ActivityFactory(
            kind=ActivityKind.SERVICE if venue is None and not online else ActivityKind.GROUP,
            parent=rng.choice(providers),
            title=f"Group {rng.choice('ABCDEF')}",  # shared titles: ties go to the id
            venue=venue,
            online=online,
            meeting_link="https://example.org/meet" if online else "",
            cost=rng.choice(["Free", "Free", "£2", ""]),
            support_level=rng.choice(["", *SupportLevel.values]),
            **dict(zip(("age_min", "age_max"), rng.choice(AGES), strict=True)),
            languages=rng.choice(LANGUAGES),
            capacity_status=rng.choice(CapacityStatus.values),
            self_referral=rng.random() < 0.7,
            professional_referral=rng.random() < 0.5,
            gp_referral=rng.random() < 0.3,
            categories=_some(rng, topics, 2),
            audiences=_some(rng, audiences, 2) if rng.random() < 0.4 else [],
        )
        for code in _some(rng, ACTIVITY_CODES, 2):
            ActivityFeatureFactory(activity=activity, code=code, status=rng.choice(statuses))
        for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
            first = TODAY + dt.timedelta(days=rng.randint(-60, 20))
            ended = rng.random() < 0.15
            ScheduleFactory(
                activity=activity,
                frequency=rng.choice([*Frequency.values, Frequency.WEEKLY]),
                first_date=first,
                start_time=rng.choice(TIMES),
                end_time=dt.time(20, 0),
                last_date=TODAY - dt.timedelta(days=1) if ended and first < TODAY else None,
                sessions=rng.choice([None, None, 6, 30]),
            )
        if rng.random() < 0.3:
            CancellationFactory(activity=activity, date=TODAY + dt.timedelta(rng.randint(0, 14)))


def _situation(rng: random.Random) -> finder.Situation:
    """Random answers, each often left blank so that something is usually shown."""

    def maybe(items, most: int) -> list:
        return _some(rng, items, most) if rng.random() < 0.5 else []

    where = rng.choice(list(finder.Where))
    return finder.Situation(
        location=None if where == finder.Where.ONLINE and rng.random() < 0.5 else ORIGIN,
        where=where,
        radius_miles=float(rng.choice([1, 2, 3, 5, 10])),
        days=frozenset(maybe(range(7), 4)),
        times=frozenset(maybe(["morning", "afternoon", "evening"], 2)),
        access=tuple(maybe(ACTIVITY_CODES + VENUE_CODES, 2)),
        interests=tuple(maybe(["art", "walking", "cooking"], 2)),
        age=rng.choice([None, None, 17, 30, 70]),
        single_sex=rng.choice(["", "", *finder.SingleSex.values]),
        language=rng.choice(["", "", "Arabic", "Polish", "Urdu"]),
        free_only=rng.random() < 0.2,
        referral=frozenset(maybe(["self", "professional", "gp"], 2)),
        support=rng.choice(["", "", *SupportLevel.values]),
    )


def _shown(result: finder.FinderResult) -> tuple:
    def describe(a: finder.Assessment) -> tuple:
        checks = [(c.label, c.text) for c in a.checks]
        return (a.activity.pk, a.mode, a.fits, a.misses, checks, a.score, a.distance)

    return (
        [describe(a) for a in result.good],
        [describe(a) for a in result.near],
        result.good_count,
        result.near_count,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_find_shows_exactly_what_assessing_every_activity_shows(seed):
    rng = random.Random(seed)
    _build(rng)
    shown_any = 0

    for _ in range(50):
        situation = _situation(rng)
        limits = {"good_limit": rng.choice([1, 3, 5, 20]), "near_limit": rng.choice([1, 2, 10])}

        fast = finder.find(situation=situation, today=TODAY, **limits)
        reference = find_brute_force(situation=situation, today=TODAY, **limits)

        assert _shown(fast) == _shown(reference), (situation, limits)
        shown_any += bool(reference.good) + bool(reference.near)
    assert shown_any > 25  # the random answers are not so narrow that nothing is ever shown


def test_find_with_only_a_distance_matches_assessing_every_activity():
    """The broad case, where the ranking and the limits decide almost everything."""
    _build(random.Random(3))

    for radius in (1, 2, 3, 5, 10):
        situation = finder.Situation(location=ORIGIN, radius_miles=float(radius))
        for limits in ({"good_limit": 20, "near_limit": 10}, {"good_limit": 4, "near_limit": 2}):
            fast = finder.find(situation=situation, today=TODAY, **limits)
            reference = find_brute_force(situation=situation, today=TODAY, **limits)

            assert _shown(fast) == _shown(reference), (radius, limits)
            assert reference.good_count > 4


def test_quick_distance_is_within_the_error_find_allows_for():
    """`find` trusts approx_error_miles to decide when geopy's exact figure is needed."""
    rng = random.Random(4)
    for _ in range(3000):
        centre = (rng.uniform(49.9, 60.9), rng.uniform(-8.2, 1.8))  # the UK
        miles = rng.uniform(0.01, 30)
        there = geodesic(miles=miles).destination(centre, bearing=rng.uniform(0, 360))
        per_lat, per_lon = approx_distance_sq_factors(centre)
        quick = math.hypot(
            (there.latitude - centre[0]) * per_lat, (there.longitude - centre[1]) * per_lon
        )

        assert abs(quick - miles) <= finder.approx_error_miles(quick) / 2, (centre, miles)
