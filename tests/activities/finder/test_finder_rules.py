"""The finder's rules on a fixed date: finder.find and finder.assess without the web page."""

import datetime as dt

import pytest

from activities import finder
from activities.enums import ActivityKind, Frequency
from tests.activities.finder.support import NEAR, ONLINE, ORIGIN_POSTCODE, WALTON
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
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


# --- Access needs that do not apply ----------------------------------------------------------


def walk(title="Park Walk", **kwargs):
    activity = group(title, **kwargs)
    ActivityFeatureFactory(activity=activity, code="step_free_route", status=FeatureStatus.YES)
    return activity


def test_outdoor_walk_is_a_good_fit_when_a_hearing_loop_is_not_known():
    walk()
    group("Indoor Group")

    result = finder.find(situation=here(access=("hearing_loop",)), today=TODAY)

    assert [a.activity.title for a in result.good] == ["Park Walk"]
    assert "Outdoors, so hearing loop does not apply" in result.good[0].fits
    assert [(a.activity.title, a.misses) for a in result.near] == [
        ("Indoor Group", ["Hearing loop: not known"])
    ]


def test_outdoor_walk_is_shown_when_its_meeting_place_records_no_hearing_loop_or_lift():
    activity = walk()
    VenueFeatureFactory(venue=activity.venue, code="hearing_loop", status=FeatureStatus.NO)
    VenueFeatureFactory(venue=activity.venue, code="lift", status=FeatureStatus.NO)

    result = finder.find(situation=here(access=("hearing_loop", "lift")), today=TODAY)

    assert "Outdoors, so hearing loop and lift to the room used do not apply" in only(result).fits


def test_outdoor_walk_still_counts_an_accessible_toilet():
    walk()

    result = finder.find(situation=here(access=("accessible_toilet",)), today=TODAY)

    assert only(result).misses == ["Accessible toilet: not known"]


def test_online_group_does_not_count_a_building_or_a_walk_route():
    group("Online Social", place=None, **ONLINE)

    situation = here(where="online", access=("step_free_entrance", "step_free_route"))
    result = finder.find(situation=situation, today=TODAY)

    assert only(result).misses == []
    assert (
        "Online, so step-free way in and walk or outdoor route is level and step-free do not apply"
    ) in only(result).fits


def test_in_person_group_does_not_count_live_captions_even_when_it_records_no():
    activity = group("Indoor Group")
    ActivityFeatureFactory(activity=activity, code="captions", status=FeatureStatus.NO)

    result = finder.find(situation=here(access=("captions",)), today=TODAY)

    assert (
        "In person, so live captions or subtitles (online sessions) does not apply"
        in only(result).fits
    )


def test_online_group_recording_no_captions_is_left_out():
    activity = group("Online Social", place=None, **ONLINE)
    ActivityFeatureFactory(activity=activity, code="captions", status=FeatureStatus.NO)

    result = finder.find(situation=here(access=("captions",)), today=TODAY)

    assert (result.good, result.near) == ([], [])
