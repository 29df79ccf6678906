"""The finder's rules on a fixed date: finder.find and finder.assess without the web page."""

import datetime as dt

import pytest

from activities import finder
from activities.enums import ActivityKind, Frequency
from tests.activities.finder.support import NEAR, ONLINE, ORIGIN_POSTCODE, WALTON
from tests.factories import ActivityFactory, ScheduleFactory, VenueFactory, VenueFeatureFactory
from venues.accessibility import FeatureStatus
from venues.geo import locate_postcode

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 3)  # a Tuesday
NEXT_TUESDAY = dt.date(2026, 3, 10)


def here(**answers) -> finder.Situation:
    return finder.Situation(location=locate_postcode(ORIGIN_POSTCODE), **answers)


def group(title, *, place=NEAR, first_date=TODAY - dt.timedelta(weeks=2), **kwargs):
    activity = ActivityFactory(
        title=title, venue=VenueFactory(**place) if place else None, **kwargs
    )
    ScheduleFactory(activity=activity, first_date=first_date)
    return activity


def only(result: finder.FinderResult) -> finder.Assessment:
    (assessment,) = result.good + result.near
    return assessment


def test_one_off_session_reads_a_tuesday():
    activity = ActivityFactory(title="Taster", venue=VenueFactory(**NEAR))
    ScheduleFactory(activity=activity, first_date=NEXT_TUESDAY, frequency=Frequency.ONCE)

    result = finder.find(situation=here(days=frozenset({1})), today=TODAY)

    assert only(result).fits[1] == "Meets on a Tuesday, the day you chose"


def test_hybrid_group_is_in_person_when_near_and_online_when_far():
    group("Near Hybrid", **ONLINE)
    group("Far Hybrid", place=WALTON, **ONLINE)

    result = finder.find(situation=here(radius_miles=1.0), today=TODAY)

    assert [(a.activity.title, a.mode, a.fits[0]) for a in result.good] == [
        ("Near Hybrid", finder.Mode.IN_PERSON, "0.4 miles away"),
        ("Far Hybrid", finder.Mode.ONLINE, "Online, so no travel needed"),
    ]
    assert result.near == []


def test_hybrid_group_with_no_step_free_way_in_is_offered_online():
    hybrid = group("Hybrid", **ONLINE)
    VenueFeatureFactory(venue=hybrid.venue, code="step_free_entrance", status=FeatureStatus.NO)

    result = finder.find(situation=here(access=("step_free_entrance",)), today=TODAY)

    assert only(result).mode == finder.Mode.ONLINE


def test_service_without_sessions_or_place_says_to_arrange_both():
    ActivityFactory(title="Text Line", venue=None, kind=ActivityKind.SERVICE)

    result = finder.find(situation=here(days=frozenset({0})), today=TODAY)

    checks = {c.label: c.text for c in only(result).checks}
    assert checks["When"] == "No regular sessions: contact them to arrange a time"
    assert checks["Where"] == "No fixed place: ask how and where it runs"


def test_venue_without_coordinates_is_shown_with_a_check_not_a_distance():
    group("Unmapped", place={"latitude": None, "longitude": None, "postcode": ""})

    result = finder.find(situation=here(radius_miles=1.0), today=TODAY)

    assessment = only(result)
    assert assessment.distance is None
    assert assessment.checks[0].label == "Where"
    assert assessment.checks[0].text.endswith(": check how far it is for them")


def test_without_a_location_every_venue_is_a_candidate_to_check():
    group("Anywhere")

    result = finder.find(situation=finder.Situation(), today=TODAY)

    assert [a.activity.title for a in result.good] == ["Anywhere"]


def test_ended_slot_does_not_count_for_the_day():
    activity = group("Changed Day")  # Tuesdays, still running
    ScheduleFactory(activity=activity, first_date=TODAY - dt.timedelta(days=20), sessions=2)

    result = finder.find(situation=here(days=frozenset({1})), today=TODAY)

    assert only(result).fits[1] == "Meets on Tuesdays, the day you chose"


def test_good_fits_rank_by_next_session_when_equally_near():
    group("Later", first_date=TODAY + dt.timedelta(days=6))
    group("Sooner", first_date=TODAY + dt.timedelta(days=2))

    result = finder.find(situation=here(), today=TODAY)

    assert [a.activity.title for a in result.good] == ["Sooner", "Later"]
