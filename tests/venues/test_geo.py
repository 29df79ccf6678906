"""venues.geo (offline postcodes and distances) and venues.geocoders (the live-geocoder boundary).

Runs without the Django plugin; nothing here touches the network. The only thing faked is
geopy's Nominatim class inside venues.geocoders.
"""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from geopy.distance import geodesic
from geopy.exc import GeocoderTimedOut

from venues import geocoders
from venues.geo import (
    DATA_DIR,
    Location,
    PostcodeError,
    PostcodeNotFoundError,
    approx_distance_km,
    approx_distance_sq_factors,
    bounding_box,
    distance_miles,
    locate_postcode,
    normalise_postcode,
)

REPO = Path(__file__).resolve().parents[2]

# Rows copied from venues/data/postcodes/*.csv.
LIME_STREET = (53.40795, -2.97823)  # L1 1JD
BELLE_VALE = (53.38981, -2.86501)  # L25 2RA
# L1 1JD -> L25 2RA by the haversine formula on a 3958.7613-mile sphere, computed once by hand
# (not by geopy). Geodesic and haversine agree to within 0.5%.
LIME_STREET_TO_BELLE_VALE_MILES = 4.8297
LIME_STREET_TO_BELLE_VALE_KM = 7.7727

# Liverpool City Region and neighbours: city centre, Belle Vale, Birkenhead, Southport,
# Preston, Skelmersdale, Widnes.
REGION_CENTRES = [
    LIME_STREET,
    BELLE_VALE,
    (53.39483, -3.03093),
    (53.64, -3.00),
    (53.75786, -2.70179),
    (53.55223, -2.77204),
    (53.37252, -2.73930),
]


# --- normalise_postcode ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l81aa", "L8 1AA"),
        (" L8  1AA ", "L8 1AA"),
        ("L8 1AA", "L8 1AA"),
        ("\tl8\u00a01aa\n", "L8 1AA"),
        ("L 8 1 A A", "L8 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("ch416ab", "CH41 6AB"),
        ("w1m 1aa", "W1M 1AA"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_normalise_postcode_full_postcode(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("l8", "L8"), (" CH41 ", "CH41"), ("ec1a", "EC1A"), ("l8 1", "L8 1"), ("L8   1", "L8 1")],
)
def test_normalise_postcode_district_or_sector(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ABC",
        "L8 1A",
        "12345",
        "L8 1AAA",
        "L8-1AA",
        "ZZ9 9ZZ",  # Z is never a second letter
        "GIR 1AA",
        "L8 1AA'; DROP TABLE venues;--",
        "<b>L8</b>",
        "L8%201AA",
    ],
)
def test_normalise_postcode_malformed_raises(text):
    with pytest.raises(PostcodeError):
        normalise_postcode(text)


def test_normalise_postcode_malformed_message_quotes_input():
    with pytest.raises(PostcodeError) as caught:
        normalise_postcode(" L8 1A ")

    assert str(caught.value) == (
        "“L8 1A” is not a full UK postcode or postcode district. Try something like L8 1AA or L8."
    )


def test_normalise_postcode_long_junk_is_cut_short_in_message():
    with pytest.raises(PostcodeError) as caught:
        normalise_postcode("<script>alert(1)</script>")

    assert str(caught.value) == (
        "“<script>alert(1)</s…” is not a full UK postcode or postcode district. "
        "Try something like L8 1AA or L8."
    )


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_normalise_postcode_empty_asks_for_one(text):
    with pytest.raises(PostcodeError) as caught:
        normalise_postcode(text)

    assert str(caught.value) == "Enter a postcode, like L8 1AA, or a postcode district, like L8."


@pytest.mark.parametrize(
    "filename", ["merseyside_postcodes.csv", "uk_sector_centroids.csv", "uk_outcode_centroids.csv"]
)
def test_normalise_postcode_every_shipped_code_is_already_normal(filename):
    with (DATA_DIR / filename).open(newline="", encoding="utf-8") as f:
        codes = [row[0] for row in csv.reader(f)][1:]

    changed = [code for code in codes if normalise_postcode(code) != code]

    assert changed == []


# --- locate_postcode ----------------------------------------------------------------------


def test_locate_postcode_known_postcode_uses_its_own_point():
    assert locate_postcode("l11jd") == Location(53.40795, -2.97823, "postcode", "L1 1JD")


def test_locate_postcode_unknown_postcode_in_known_sector_uses_sector():
    assert locate_postcode("L8 1ZZ") == Location(53.39491, -2.96714, "sector", "L8 1")


def test_locate_postcode_unknown_sector_uses_district():
    # L28 has no sector 2 in the ONS data.
    assert locate_postcode("L28 2ZZ") == Location(53.43520, -2.86677, "district", "L28")


def test_locate_postcode_district_alone_uses_district_centroid():
    assert locate_postcode("l8") == Location(53.39016, -2.96416, "district", "L8")


def test_locate_postcode_sector_alone_uses_sector_centroid():
    assert locate_postcode("L8 7") == Location(53.39821, -2.96322, "sector", "L8 7")


def test_locate_postcode_outside_merseyside_uses_sector():
    location = locate_postcode("SW1A 1AA")

    assert (location.precision, location.label) == ("sector", "SW1A 1")


def test_locate_postcode_london_parent_district_from_its_children():
    # The ONS files have EC1A, EC1M, ... but no EC1.
    location = locate_postcode("EC1")

    assert (location.precision, location.label) == ("district", "EC1")
    assert location.point == pytest.approx((51.5233, -0.1038), abs=1e-4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("L99 9ZZ", "We could not find the postcode L99 9ZZ. Check it and try again."),
        ("l99 9", "We could not find the postcode sector L99 9. Check it and try again."),
        ("L99", "We could not find the postcode district L99. Check it and try again."),
        ("GIR 0AA", "We could not find the postcode GIR 0AA. Check it and try again."),
    ],
)
def test_locate_postcode_unknown_district_raises_not_found(text, message):
    with pytest.raises(PostcodeNotFoundError) as caught:
        locate_postcode(text)

    assert isinstance(caught.value, PostcodeError)
    assert str(caught.value) == message


def test_locate_postcode_malformed_raises_plain_postcode_error():
    with pytest.raises(PostcodeError) as caught:
        locate_postcode("L8 1A")

    assert type(caught.value) is PostcodeError


def test_locate_postcode_prints_nothing(capsys):
    locate_postcode("L25 2RA")

    assert capsys.readouterr() == ("", "")


def test_geo_import_does_not_import_django():
    code = "import sys, venues.geo; print('django' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )

    assert result.stdout == "False\n"


# --- distances ----------------------------------------------------------------------------


def test_distance_miles_lime_street_to_belle_vale_matches_haversine():
    miles = distance_miles(LIME_STREET, BELLE_VALE)

    assert abs(miles - LIME_STREET_TO_BELLE_VALE_MILES) / LIME_STREET_TO_BELLE_VALE_MILES < 0.005


def test_approx_distance_km_lime_street_to_belle_vale_matches_haversine():
    km = approx_distance_km(LIME_STREET, BELLE_VALE)

    assert abs(km - LIME_STREET_TO_BELLE_VALE_KM) / LIME_STREET_TO_BELLE_VALE_KM < 0.005


def test_approx_distance_km_agrees_with_geopy_within_a_metre_up_to_5_km():
    # Every venue of the duplicates' labelled set (real Merseyside postcodes).
    with (REPO / "bench" / "duplicates_eval" / "venues.csv").open(encoding="utf-8") as file:
        postcodes = {row["postcode"] for row in csv.DictReader(file) if row["postcode"]}
    points = sorted({locate_postcode(postcode).point for postcode in postcodes})

    compared = 0
    for first in points:
        for second in points:
            km = geodesic(first, second).km
            if 0 < km <= 5:
                assert abs(approx_distance_km(first, second) - km) < 0.001, (first, second)
                compared += 1

    assert compared >= 20


def test_distance_miles_same_point_is_zero():
    assert distance_miles(LIME_STREET, LIME_STREET) == 0.0


def test_distance_miles_is_symmetric():
    assert distance_miles(LIME_STREET, BELLE_VALE) == pytest.approx(
        distance_miles(BELLE_VALE, LIME_STREET), rel=1e-12
    )


# --- bounding_box -------------------------------------------------------------------------


def _inside(box, lat, lon):
    min_lat, max_lat, min_lon, max_lon = box
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


@pytest.mark.parametrize("centre", REGION_CENTRES)
@pytest.mark.parametrize("miles", [0.5, 5, 30])
def test_bounding_box_contains_points_exactly_at_radius(centre, miles):
    box = bounding_box(centre, miles)
    # The four compass points, then the whole circle every quarter degree (the most easterly
    # point of a circle is not due east).
    bearings = [0, 90, 180, 270] + [quarter / 4 for quarter in range(360 * 4)]
    points = [geodesic(miles=miles).destination(centre, bearing) for bearing in bearings]

    outside = [
        (p.latitude, p.longitude) for p in points if not _inside(box, p.latitude, p.longitude)
    ]

    assert outside == []


@pytest.mark.parametrize("centre", REGION_CENTRES)
def test_bounding_box_excludes_compass_points_just_beyond_radius(centre):
    box = bounding_box(centre, 30)
    points = [
        geodesic(miles=30 * 1.02).destination(centre, bearing) for bearing in (0, 90, 180, 270)
    ]

    inside = [(p.latitude, p.longitude) for p in points if _inside(box, p.latitude, p.longitude)]

    assert inside == []


def test_bounding_box_zero_radius_is_the_point():
    assert bounding_box(LIME_STREET, 0) == (53.40795, 53.40795, -2.97823, -2.97823)


def test_bounding_box_reaching_pole_spans_all_longitudes():
    assert bounding_box((89.9, 10.0), 30)[1:] == (90.0, -180.0, 180.0)


def test_bounding_box_negative_radius_raises():
    with pytest.raises(ValueError):
        bounding_box(LIME_STREET, -1)


# --- approx_distance_sq_factors -----------------------------------------------------------


@pytest.mark.parametrize("centre", REGION_CENTRES)
def test_approx_distance_sq_factors_match_geodesic_scale_at_centre(centre):
    lat, lon = centre
    per_degree_lat = geodesic((lat - 0.005, lon), (lat + 0.005, lon)).miles / 0.01
    per_degree_lon = geodesic((lat, lon - 0.005), (lat, lon + 0.005)).miles / 0.01

    assert approx_distance_sq_factors(centre) == pytest.approx(
        (per_degree_lat, per_degree_lon), rel=1e-5
    )


@pytest.mark.parametrize("centre", [*REGION_CENTRES, (50.07, -5.71), (58.64, -3.07)])
def test_approx_distance_sq_factors_error_under_half_percent_within_30_miles(centre):
    a, b = approx_distance_sq_factors(centre)
    errors = []
    for miles in (0.25, 1, 5, 10, 20, 30):
        for bearing in range(0, 360, 10):
            point = geodesic(miles=miles).destination(centre, bearing)
            # Exactly the arithmetic the SQL does.
            approx_sq = ((point.latitude - centre[0]) * a) ** 2 + (
                (point.longitude - centre[1]) * b
            ) ** 2
            errors.append(abs(approx_sq**0.5 - miles) / miles)

    assert max(errors) < 0.005


# --- geocoders ----------------------------------------------------------------------------


class FakeNominatim:
    """Stands in for geopy's Nominatim; records how it was built and asked."""

    instances: list["FakeNominatim"] = []
    answer: object = None
    error: Exception | None = None

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.queries: list[tuple[str, dict]] = []
        FakeNominatim.instances.append(self)

    def geocode(self, query, **kwargs):
        self.queries.append((query, kwargs))
        if self.error is not None:
            raise self.error
        return self.answer


class FakePlace:
    latitude = 54.59728
    longitude = -5.93012


@pytest.fixture
def nominatim(monkeypatch):
    monkeypatch.setattr(FakeNominatim, "instances", [])
    monkeypatch.setattr(FakeNominatim, "answer", FakePlace())
    monkeypatch.setattr(FakeNominatim, "error", None)
    monkeypatch.setattr(geocoders, "Nominatim", FakeNominatim)
    return FakeNominatim


def test_geocode_address_offline_returns_none_without_asking(nominatim):
    assert geocoders.geocode_address("1 Lime Street, Liverpool", backend="offline") is None
    assert nominatim.instances == []


def test_geocode_address_default_backend_is_offline(nominatim):
    # No Django settings here (or the project's, where GEOCODER defaults to "offline").
    assert geocoders.geocode_address("1 Lime Street, Liverpool") is None
    assert nominatim.instances == []


def test_geocode_address_nominatim_returns_point_and_asks_for_gb(nominatim):
    point = geocoders.geocode_address("1 Lime Street, Liverpool", backend="nominatim")

    assert point == (54.59728, -5.93012)
    [geocoder] = nominatim.instances
    assert geocoder.kwargs == {"user_agent": "no-wrong-door", "timeout": 5}
    assert geocoder.queries == [("1 Lime Street, Liverpool", {"country_codes": "gb"})]


def test_geocode_address_nominatim_no_result_returns_none_and_warns(nominatim, caplog):
    nominatim.answer = None

    assert geocoders.geocode_address("Nowhere Street", backend="nominatim") is None
    assert [r.levelname for r in caplog.records] == ["WARNING"]


def test_geocode_address_nominatim_error_returns_none_and_warns(nominatim, caplog):
    nominatim.error = GeocoderTimedOut("Service timed out")

    assert geocoders.geocode_address("1 Lime Street", backend="nominatim") is None
    assert [r.levelname for r in caplog.records] == ["WARNING"]


def test_geocode_address_blank_query_returns_none_without_asking(nominatim):
    assert geocoders.geocode_address("  ", backend="nominatim") is None
    assert nominatim.instances == []


def test_geocode_address_unknown_backend_raises(nominatim):
    with pytest.raises(ValueError):
        geocoders.geocode_address("1 Lime Street", backend="google")


def test_locate_known_postcode_stays_offline_even_with_nominatim(nominatim):
    location = geocoders.locate("L1 1JD", "Lime Street", backend="nominatim")

    assert location == Location(53.40795, -2.97823, "postcode", "L1 1JD")
    assert nominatim.instances == []


def test_locate_unknown_postcode_with_nominatim_asks_with_address(nominatim):
    location = geocoders.locate("bt1 5gs", " 1 Donegall Square ", backend="nominatim")

    assert location == Location(54.59728, -5.93012, "postcode", "BT1 5GS")
    assert nominatim.instances[0].queries == [
        ("1 Donegall Square, BT1 5GS", {"country_codes": "gb"})
    ]


def test_locate_unknown_postcode_nominatim_finds_nothing_raises_not_found(nominatim):
    nominatim.answer = None

    with pytest.raises(PostcodeNotFoundError) as caught:
        geocoders.locate("BT1 5GS", backend="nominatim")

    assert str(caught.value) == "We could not find the postcode BT1 5GS. Check it and try again."
    assert nominatim.instances[0].queries == [("BT1 5GS", {"country_codes": "gb"})]


def test_locate_unknown_postcode_offline_raises_not_found(nominatim):
    with pytest.raises(PostcodeNotFoundError):
        geocoders.locate("BT1 5GS", "1 Donegall Square", backend="offline")

    assert nominatim.instances == []


def test_locate_malformed_postcode_never_asks_nominatim(nominatim):
    with pytest.raises(PostcodeError) as caught:
        geocoders.locate("L8 1A", "1 Lime Street", backend="nominatim")

    assert type(caught.value) is PostcodeError
    assert nominatim.instances == []
