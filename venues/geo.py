"""Postcodes and distances, offline.

Pure Python (no Django), so models, forms, importers and scripts can all use it. Postcode
coordinates come from the ONS postcode files in ``venues/data/postcodes/`` (OGL v3; see the
README there for the attribution the site must display).
"""

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geopy.distance import geodesic

LatLon = tuple[float, float]

DATA_DIR = Path(__file__).resolve().parent / "data" / "postcodes"

# WGS84, as used by geopy's geodesic.
_WGS84_A_KM = 6378.137
_WGS84_F = 1 / 298.257223563
_WGS84_E2 = _WGS84_F * (2 - _WGS84_F)
KM_PER_MILE = 1.609344
# IUGG mean radius, the sphere the bounding-box formula works on.
_EARTH_RADIUS_MILES = 6371.0088 / KM_PER_MILE
# Geodesic distances differ from great-circle distances on the mean sphere by at most about
# 0.56% (along the equator's meridians), so a 1% wider circle always contains the true one.
_BOX_MARGIN = 0.01

# The UK government data standard's postcode pattern (outward code), applied after removing
# whitespace and upper-casing. It is deliberately loose about which letters may appear where:
# the ONS files contain real outcodes (e.g. W1M, W1N) that stricter patterns reject.
_OUTCODE = r"(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z]?)"
_OUTCODE_RE = re.compile(_OUTCODE)
_FULL_RE = re.compile(rf"(?P<out>{_OUTCODE})(?P<in>[0-9][A-Z]{{2}})")
# Girobank's old non-geographic postcode, the one exception to the pattern.
_GIROBANK = "GIR0AA"
_SECTOR_DIGIT_RE = re.compile(r"[0-9]")
# How much of a malformed input we echo back in the error message.
_ECHO_LIMIT = 20

_FULL, _SECTOR, _DISTRICT = "postcode", "sector", "district"


class PostcodeError(ValueError):
    """The text is not a usable postcode; ``str(error)`` is a sentence fit to show the public.

    The message may quote what the person typed, so render it escaped (Django does by default).
    """


class PostcodeNotFoundError(PostcodeError):
    """The text is a well-formed postcode, sector or district that our data does not know."""


@dataclass(frozen=True)
class Location:
    """Where a postcode is, and how precisely we know it.

    ``precision`` is "postcode" (the postcode's own point), "sector" (centroid of, e.g., L8 1) or
    "district" (centroid of, e.g., L8); ``label`` is the normalised code that matched.
    """

    latitude: float
    longitude: float
    precision: str
    label: str

    @property
    def point(self) -> LatLon:
        """``(latitude, longitude)``, the shape the distance functions take."""
        return (self.latitude, self.longitude)


def _parse(text: str) -> tuple[str, str]:
    """Return ``(kind, normalised)`` for a full postcode, sector or district, else raise."""
    stripped = " ".join(text.split())
    if not stripped:
        raise PostcodeError("Enter a postcode, like L8 1AA, or a postcode district, like L8.")
    upper = stripped.upper()
    compact = upper.replace(" ", "")
    if compact == _GIROBANK:
        return _FULL, "GIR 0AA"
    if match := _FULL_RE.fullmatch(compact):
        return _FULL, f"{match['out']} {match['in']}"
    parts = upper.split(" ")
    # A sector needs its space: "L81" without one reads as the district L81.
    if len(parts) == 2 and _OUTCODE_RE.fullmatch(parts[0]) and _SECTOR_DIGIT_RE.fullmatch(parts[1]):
        return _SECTOR, upper
    if _OUTCODE_RE.fullmatch(compact):
        return _DISTRICT, compact
    shown = stripped if len(stripped) <= _ECHO_LIMIT else stripped[: _ECHO_LIMIT - 1] + "…"
    raise PostcodeError(
        f"“{shown}” is not a full UK postcode or postcode district. "
        "Try something like L8 1AA or L8."
    )


def normalise_postcode(text: str) -> str:
    """Return the postcode in standard form: "l81aa" -> "L8 1AA", "l8" -> "L8", "L8  1" -> "L8 1".

    Raises PostcodeError if the text does not have the shape of a UK postcode, sector or district.
    It does not check that the postcode exists (``locate_postcode`` does).
    """
    return _parse(text)[1]


def _read_points(filename: str) -> dict[str, LatLon]:
    with (DATA_DIR / filename).open(newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)  # header: code,lat,lon[,postcodes]
        return {row[0].replace(" ", ""): (float(row[1]), float(row[2])) for row in rows}


@cache
def _full_postcodes() -> dict[str, LatLon]:
    """Full postcodes in L, CH, WA, PR and WN, keyed without the space ("L81AA")."""
    return _read_points("merseyside_postcodes.csv")


@cache
def _sectors() -> dict[str, LatLon]:
    """GB sector centroids, keyed without the space ("L81")."""
    return _read_points("uk_sector_centroids.csv")


@cache
def _districts() -> dict[str, LatLon]:
    """GB outcode centroids, plus parents the ONS files lack.

    London's split districts (EC1, SW1, WC2, ...) have no row of their own, only EC1A, EC1M, etc.
    People still type "EC1", so those get the postcode-weighted mean of their children.
    """
    centroids: dict[str, LatLon] = {}
    children: dict[str, list[tuple[float, float, int]]] = {}
    with (DATA_DIR / "uk_outcode_centroids.csv").open(newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)  # header: outcode,lat,lon,postcodes
        for outcode, lat, lon, count in rows:
            centroids[outcode] = (float(lat), float(lon))
            if outcode[-1].isalpha() and outcode[-2].isdigit():
                children.setdefault(outcode[:-1], []).append((float(lat), float(lon), int(count)))
    for parent, kids in children.items():
        if parent not in centroids:
            total = sum(n for _, _, n in kids)
            centroids[parent] = (
                sum(lat * n for lat, _, n in kids) / total,
                sum(lon * n for _, lon, n in kids) / total,
            )
    return centroids


def locate_postcode(text: str) -> Location:
    """Find a postcode offline: its own point, else its sector's centroid, else its district's.

    A sector ("L8 1") or district ("L8") on its own is located at its centroid. Raises
    PostcodeError for malformed text and PostcodeNotFoundError (a PostcodeError) when no level
    matches. The data is read once per process, on first use.
    """
    kind, label = _parse(text)
    outcode = label.split(" ")[0]
    if kind == _FULL:
        if point := _full_postcodes().get(label.replace(" ", "")):
            return Location(point[0], point[1], _FULL, label)
        sector = label[:-2]
    elif kind == _SECTOR:
        sector = label
    else:
        sector = None
    if sector and (point := _sectors().get(sector.replace(" ", ""))):
        return Location(point[0], point[1], _SECTOR, sector)
    if point := _districts().get(outcode):
        return Location(point[0], point[1], _DISTRICT, outcode)
    what = {_FULL: "postcode", _SECTOR: "postcode sector", _DISTRICT: "postcode district"}[kind]
    raise PostcodeNotFoundError(f"We could not find the {what} {label}. Check it and try again.")


def distance_miles(a: LatLon, b: LatLon) -> float:
    """Distance in miles between two ``(lat, lon)`` points on the WGS84 ellipsoid."""
    return geodesic(a, b).miles


def bounding_box(centre: LatLon, miles: float) -> tuple[float, float, float, float]:
    """``(min_lat, max_lat, min_lon, max_lon)`` containing every point within ``miles`` of centre.

    For a cheap indexed pre-filter: it is slightly generous (about 1%), never too tight. Near a
    pole or the 180° meridian it widens to all longitudes rather than wrap around.
    """
    if miles < 0:
        raise ValueError("miles must not be negative")
    lat0, lon0 = centre
    angle = miles * (1 + _BOX_MARGIN) / _EARTH_RADIUS_MILES
    dlat = math.degrees(angle)
    min_lat, max_lat = lat0 - dlat, lat0 + dlat
    if min_lat <= -90 or max_lat >= 90:
        return (max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    # The circle's most easterly/westerly points (spherical trigonometry); the margin above
    # covers the ellipsoid. The asin argument is < 1 because the circle misses the poles.
    dlon = math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(lat0))))
    min_lon, max_lon = lon0 - dlon, lon0 + dlon
    if min_lon < -180 or max_lon > 180:
        return (min_lat, max_lat, -180.0, 180.0)
    return (min_lat, max_lat, min_lon, max_lon)


def approx_distance_sq_factors(centre: LatLon) -> tuple[float, float]:
    """``(miles per degree of latitude, miles per degree of longitude)`` at the centre.

    Lets SQL approximate distance with plain arithmetic:
    ``((lat - lat0) * a)^2 + ((lon - lon0) * b)^2 <= miles^2``. These are the WGS84 radii of
    curvature at the centre's latitude, so the only error is that the scale changes away from
    the centre: within 30 miles at UK latitudes (50°-59° N) it is under 0.5% of the distance
    (tested against geodesic), i.e. under 0.15 miles at the edge of a 30-mile search.
    """
    phi = math.radians(centre[0])
    w = 1 - _WGS84_E2 * math.sin(phi) ** 2
    meridional_km = _WGS84_A_KM * (1 - _WGS84_E2) / w**1.5
    prime_vertical_km = _WGS84_A_KM / math.sqrt(w)
    per_degree = math.pi / 180 / KM_PER_MILE
    return (meridional_km * per_degree, prime_vertical_km * math.cos(phi) * per_degree)


def approx_distance_km(a: LatLon, b: LatLon) -> float:
    """Distance in km by the WGS84 local radii of curvature at the midpoint: fast and, within
    the few kilometres it is used for (duplicates, wards), within a metre of geodesic."""
    per_degree_lat, per_degree_lon = approx_distance_sq_factors(
        ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    )
    miles = math.hypot((a[0] - b[0]) * per_degree_lat, (a[1] - b[1]) * per_degree_lon)
    return miles * KM_PER_MILE
