"""Which ward a point is in, offline, for reports that group activities by area.

Pure Python (no Django). Boundaries are the ONS December 2023 wards of the Liverpool City
Region in ``venues/data/areas/`` (OGL v3; see the README there for the attribution).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .geo import approx_distance_km

DATA_FILE = Path(__file__).resolve().parent / "data" / "areas" / "lcr_wards_dec2023_bsc.geojson"
# The generalised boundaries are clipped to the coast and shift edges by up to ~200 m, so a
# point that falls in no ward takes the nearest ward centroid this close, if any.
_FALLBACK_KM = 2.0

Ring = list[tuple[float, float]]  # (lon, lat)


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    district: str
    centroid: tuple[float, float]  # (lat, lon)
    polygons: tuple[tuple[Ring, ...], ...]  # each: outer ring, then holes
    box: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

    @property
    def label(self) -> str:
        return f"{self.name} ({self.district})"


@cache
def _wards() -> tuple[Ward, ...]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    wards = []
    for feature in data["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = tuple(
            tuple([(float(x), float(y)) for x, y in ring] for ring in polygon)
            for polygon in polygons
        )
        xs = [x for polygon in rings for x, _ in polygon[0]]
        ys = [y for polygon in rings for _, y in polygon[0]]
        wards.append(
            Ward(
                code=props["WD23CD"],
                name=props["WD23NM"],
                district=props["LAD23NM"],
                centroid=(float(props["LAT"]), float(props["LONG"])),
                polygons=rings,
                box=(min(xs), min(ys), max(xs), max(ys)),
            )
        )
    return tuple(wards)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _contains(ward: Ward, lat: float, lon: float) -> bool:
    min_x, min_y, max_x, max_y = ward.box
    if not (min_x <= lon <= max_x and min_y <= lat <= max_y):
        return False
    return any(
        _in_ring(lon, lat, polygon[0]) and not any(_in_ring(lon, lat, h) for h in polygon[1:])
        for polygon in ward.polygons
    )


@cache
def ward_at(lat: float, lon: float) -> Ward | None:
    """The ward containing the point, else the nearest ward centroid within 2 km, else None."""
    wards = _wards()
    for ward in wards:
        if _contains(ward, lat, lon):
            return ward
    nearest = min(wards, key=lambda w: approx_distance_km((lat, lon), w.centroid))
    return nearest if approx_distance_km((lat, lon), nearest.centroid) <= _FALLBACK_KM else None


def area_label(
    *, latitude: float | None, longitude: float | None, postcode: str = "", online: bool = False
) -> str:
    """A short area name for reports: "Belle Vale (Liverpool)", a postcode district outside
    the city region, "Online", or "Place not known"."""
    if latitude is not None and longitude is not None:
        ward = ward_at(round(latitude, 5), round(longitude, 5))
        if ward is not None:
            return ward.label
    if postcode.strip():
        return f"{postcode.split()[0].upper()} (postcode district)"
    return "Online" if online else "Place not known"
