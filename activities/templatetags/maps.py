"""``{% venue_map venue %}``: a small static locator map, drawn as inline SVG from the venue's
coordinates and local data alone (no tiles, no third-party script: the CSP stays strict and the
page works offline), with directions links that open the visitor's own maps app.

The map shows the venue at its centre, north up, a scale bar, and Liverpool Lime Street (the
city-centre landmark most people know) either on the map or as an arrow at the edge pointing
towards it with its distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django import template

from venues.geo import approx_distance_sq_factors, distance_miles

register = template.Library()

LANDMARK = ("Lime Street station", (53.4075, -2.9772))
WIDTH, HEIGHT = 300, 180
HALF_WIDTH_MILES = 1.0  # the map spans two miles across
SCALE_MILES = 0.5


@dataclass(frozen=True)
class VenueMap:
    width: int
    height: int
    pin_x: float
    pin_y: float
    landmark: str
    landmark_on_map: bool
    landmark_x: float
    landmark_y: float
    arrow_points: str  # an arrow at the edge pointing to the landmark, when it is off the map
    label_x: float
    label_y: float
    label_anchor: str
    landmark_miles: float
    scale_px: float
    directions: str  # Google Maps directions (opens the app on a phone)
    osm: str  # the place on OpenStreetMap


@register.inclusion_tag("includes/venue_map.html")
def venue_map(venue) -> dict:
    point = getattr(venue, "coordinates", None)
    if not point:
        return {"map": None, "venue": venue}
    per_lat, per_lon = approx_distance_sq_factors(point)
    px_per_mile = (WIDTH / 2) / HALF_WIDTH_MILES
    cx, cy = WIDTH // 2, HEIGHT // 2
    name, spot = LANDMARK
    dx = (spot[1] - point[1]) * per_lon * px_per_mile
    dy = -(spot[0] - point[0]) * per_lat * px_per_mile
    on_map = abs(dx) < cx - 20 and abs(dy) < cy - 20
    if on_map:
        lx, ly = cx + dx, cy + dy
        arrow = ""
        label_x, label_y = lx, ly - 10
    else:
        # Where the line to the landmark leaves the map, 14 px inside the edge.
        scale = min(
            (cx - 14) / abs(dx) if dx else math.inf, (cy - 14) / abs(dy) if dy else math.inf
        )
        lx, ly = cx + dx * scale, cy + dy * scale
        angle = math.atan2(dy, dx)
        tip = (lx + 10 * math.cos(angle), ly + 10 * math.sin(angle))
        left = (lx + 8 * math.cos(angle + 2.5), ly + 8 * math.sin(angle + 2.5))
        right = (lx + 8 * math.cos(angle - 2.5), ly + 8 * math.sin(angle - 2.5))
        arrow = " ".join(f"{x:.1f},{y:.1f}" for x, y in (tip, left, right))
        label_x = min(max(lx - 22 * math.cos(angle), 60), WIDTH - 60)
        label_y = min(max(ly - 22 * math.sin(angle), 16), HEIGHT - 8)
    lat, lon = point
    return {
        "venue": venue,
        "map": VenueMap(
            width=WIDTH,
            height=HEIGHT,
            pin_x=cx,
            pin_y=cy,
            landmark=name,
            landmark_on_map=on_map,
            landmark_x=round(lx, 1),
            landmark_y=round(ly, 1),
            arrow_points=arrow,
            label_x=round(label_x, 1),
            label_y=round(label_y, 1),
            label_anchor="middle",
            landmark_miles=distance_miles(point, spot),
            scale_px=SCALE_MILES * px_per_mile,
            directions="https://www.google.com/maps/dir/?"
            + urlencode({"api": "1", "destination": f"{lat:.6f},{lon:.6f}"}),
            osm=f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}",
        ),
    }
