"""Reads about venues: their access tables, and which are near a point."""

from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.functions import Cast

from .accessibility import GROUPS, ON_VENUE, FeatureKind
from .geo import LatLon, approx_distance_sq_factors, bounding_box

NOT_KNOWN = "Not known – call to check"


def feature_table(
    recorded: dict, *, kinds: frozenset[FeatureKind] = frozenset(FeatureKind)
) -> list[tuple[str, list[tuple]]]:
    """Every vocabulary feature of the given kinds as (label, status label, details, status).

    `recorded` maps code -> a VenueFeature or ActivityFeature. Unrecorded features read
    "Not known – call to check", never "No".
    """
    table = []
    for group, features in GROUPS:
        rows = []
        for feature in features:
            if feature.kind not in kinds:
                continue
            record = recorded.get(feature.code)
            if record is None:
                rows.append((feature.label, NOT_KNOWN, "", "unknown"))
            else:
                rows.append(
                    (feature.label, record.get_status_display(), record.details, record.status)
                )
        if rows:
            table.append((group, rows))
    return table


def venue_access_table(venue) -> list[tuple[str, list[tuple]]]:
    return feature_table({f.code: f for f in venue.features.all()}, kinds=ON_VENUE)


# --------------------------------------------------------------------------- near a point
#
# The one SQL form of "venues within N miles": an indexed bounding box on the venue's
# coordinates, then an equirectangular distance in plain arithmetic (so SQLite and PostgreSQL
# agree; geo.approx_distance_sq_factors documents its error). `venue` is the path from the
# queried model to its venue ("venue" for activities, "" for venues themselves).


def _field(venue: str, name: str) -> str:
    return f"{venue}__{name}" if venue else name


def distance_sq(centre: LatLon, *, venue: str = "venue"):
    """Squared distance in miles² from `centre` to the venue, as an expression to annotate."""
    per_lat, per_lon = approx_distance_sq_factors(centre)
    dlat = (Cast(F(_field(venue, "latitude")), FloatField()) - centre[0]) * per_lat
    dlon = (Cast(F(_field(venue, "longitude")), FloatField()) - centre[1]) * per_lon
    return dlat * dlat + dlon * dlon


def in_box(centre: LatLon, miles: float, *, venue: str = "venue") -> Q:
    """The venue is inside the bounding box of the circle (a generous, indexed pre-filter)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(centre, miles)
    return Q(
        **{
            _field(venue, "latitude__range"): (min_lat, max_lat),
            _field(venue, "longitude__range"): (min_lon, max_lon),
        }
    )


def within(centre: LatLon, miles: float, *, venue: str = "venue", annotation: str = "distance_sq"):
    """The venue is within `miles` of `centre`: the box, and the distance already annotated as
    `annotation` (with ``distance_sq``) at most `miles`."""
    return in_box(centre, miles, venue=venue) & Q(**{f"{annotation}__lte": miles * miles})


def near(
    queryset: QuerySet, centre: LatLon, miles: float | None = None, *, venue: str = "venue"
) -> QuerySet:
    """`queryset` annotated with ``distance_sq`` (miles²) from `centre`, and, given `miles`,
    narrowed to venues within it. Rows without coordinates get NULL and never match."""
    queryset = queryset.annotate(distance_sq=distance_sq(centre, venue=venue))
    if miles is not None:
        queryset = queryset.filter(within(centre, miles, venue=venue))
    return queryset
