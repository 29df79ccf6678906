"""The shortlist's pure parts: ids in cookies and links, limits, and the words it shows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from activities.enums import CapacityStatus
from activities.shortlist.ids import (
    MAX_ITEMS,
    format_cookie,
    format_path,
    format_query,
    parse_ids,
    with_added,
    without,
)
from activities.shortlist.selectors import first_visit_notes
from activities.wording import how_to_join
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    VenueFactory,
    VenueFeatureFactory,
)


def test_parse_ids_keeps_order_from_any_separator():
    assert parse_ids("34.12.56") == [34, 12, 56]
    assert parse_ids("34,12,56") == [34, 12, 56]
    assert parse_ids("34-12-56") == [34, 12, 56]


@pytest.mark.parametrize(
    "text",
    [None, "", "abc", "<script>", "0", "-", "..", "99999999999", "١٢", "12a", "1e3"],
)
def test_parse_ids_junk_gives_nothing(text):
    assert parse_ids(text) == []


def test_parse_ids_skips_junk_and_repeats_between_good_ids():
    assert parse_ids("12.abc.34..12.0.99999999999.%20.56") == [12, 34, 56]


def test_parse_ids_stops_at_the_limit():
    text = ".".join(str(n) for n in range(1, 100))

    assert parse_ids(text) == list(range(1, MAX_ITEMS + 1))


def test_parse_ids_ignores_overlong_values():
    assert parse_ids("1." + "0" * 1000) == []


def test_formats_round_trip_through_parse():
    ids = [7, 3, 250]

    assert format_cookie(ids) == "7.3.250"
    assert format_query(ids) == "7,3,250"
    assert format_path(ids) == "7-3-250"
    for text in (format_cookie(ids), format_query(ids), format_path(ids)):
        assert parse_ids(text) == ids


def test_with_added_appends_once():
    assert with_added([3, 1], 2) == [3, 1, 2]
    assert with_added([3, 1], 3) == [3, 1]


def test_with_added_full_list_is_unchanged():
    full = list(range(1, MAX_ITEMS + 1))

    assert with_added(full, 999) == full


def test_without_removes_only_that_id():
    assert without([3, 1, 2], 1) == [3, 2]
    assert without([3, 2], 1) == [3, 2]


def _routes(self_referral, professional_referral=False, gp_referral=False):
    return SimpleNamespace(
        self_referral=self_referral,
        professional_referral=professional_referral,
        gp_referral=gp_referral,
    )


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        (_routes(True), "Just come along or refer yourself"),
        (
            _routes(True, gp_referral=True),
            "Just come along or refer yourself; your GP can also refer you",
        ),
        (
            _routes(False, professional_referral=True, gp_referral=True),
            "You need to be referred by a professional (such as a social prescriber) or your GP",
        ),
        (_routes(False), "Contact the organisation to ask how to join"),
    ],
)
def test_how_to_join_names_each_route(routes, expected):
    assert how_to_join(routes) == expected


@pytest.mark.django_db
def test_first_visit_notes_use_what_the_listing_records():
    # Arrange
    venue = VenueFactory(name="Hope Hall", access_notes="Ring the bell by the blue door.")
    VenueFeatureFactory(venue=venue, code="step_free_entrance")
    VenueFeatureFactory(venue=venue, code="hearing_loop", status="no")
    VenueFeatureFactory(venue=venue, code="quiet_space", status="on_request")
    activity = ActivityFactory(
        venue=venue,
        booking_required=True,
        how_to_join="Call Sam on the number below.",
        capacity_status=CapacityStatus.WAITING_LIST,
    )
    ActivityFeatureFactory(activity=activity, code="meet_at_door", details="Sam wears a badge")
    ActivityFeatureFactory(activity=activity, code="bring_companion", status="no")

    # Act
    notes = first_visit_notes(activity)

    # Assert
    assert notes == [
        "Book a place before you go.",
        "There is a waiting list: call before you go.",
        "Call Sam on the number below.",
        "Someone will meet you on your first visit: Sam wears a badge.",
        "Ring the bell by the blue door.",
        "At Hope Hall: Step-free way in; Quiet room or space to take a break (on request).",
    ]


@pytest.mark.django_db
def test_first_visit_notes_for_online_drop_in():
    activity = ActivityFactory(
        venue=None, online=True, self_referral=True, meeting_link="https://meet.example/x"
    )

    assert first_visit_notes(activity) == [
        "You can just turn up: there is no need to book.",
        "Online: the joining link is on the activity's page.",
    ]
