"""The one place that may ask a live geocoder (OpenStreetMap Nominatim) where something is.

``settings.GEOCODER`` chooses: "offline" (the default) never touches the network; "nominatim"
asks Nominatim for postcodes our offline data does not know. Tests replace ``Nominatim`` here
and nowhere else.
"""

import logging

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

from .geo import LatLon, Location, PostcodeNotFoundError, locate_postcode, normalise_postcode

logger = logging.getLogger(__name__)

OFFLINE, NOMINATIM = "offline", "nominatim"
BACKENDS = (OFFLINE, NOMINATIM)
_DEFAULT_USER_AGENT = "no-wrong-door"
_TIMEOUT_SECONDS = 5


def _setting(name: str, default: str) -> str:
    # Read lazily so this module imports (and stays offline) without Django being set up,
    # e.g. in scripts and in tests that run without the Django plugin.
    from django.conf import settings  # noqa: PLC0415 -- importable without Django set up
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415 -- as above

    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default


def _backend(backend: str | None) -> str:
    chosen = backend if backend is not None else _setting("GEOCODER", OFFLINE)
    if chosen not in BACKENDS:
        raise ValueError(f"Unknown GEOCODER {chosen!r}; use one of {', '.join(BACKENDS)}.")
    return chosen


def geocode_address(query: str, backend: str | None = None) -> LatLon | None:
    """``(lat, lon)`` for a free-text GB address, or None.

    None when the backend is offline (no network is used), the query is blank, nothing matches,
    or the geocoder fails in any way (logged as a warning); callers never see geopy's errors.
    ``backend`` defaults to ``settings.GEOCODER``.
    """
    if _backend(backend) != NOMINATIM or not query.strip():
        return None
    geocoder = Nominatim(
        user_agent=_setting("GEOCODER_USER_AGENT", _DEFAULT_USER_AGENT), timeout=_TIMEOUT_SECONDS
    )
    try:
        found = geocoder.geocode(query, country_codes="gb")
    except GeopyError as exc:
        logger.warning("Nominatim failed for %r: %s", query, exc)
        return None
    if found is None:
        logger.warning("Nominatim found nothing for %r", query)
        return None
    return (found.latitude, found.longitude)


def locate(postcode: str, address: str = "", backend: str | None = None) -> Location:
    """Locate a postcode offline, asking the live geocoder only if our data lacks it.

    Malformed postcodes always raise PostcodeError. A well-formed one the offline data does not
    know is sent to Nominatim (with the address, if given) when the backend is "nominatim"; a
    hit comes back with precision "postcode" and the normalised postcode as label. Otherwise
    the PostcodeNotFoundError is re-raised.
    """
    try:
        return locate_postcode(postcode)
    except PostcodeNotFoundError:
        if _backend(backend) != NOMINATIM:
            raise
        label = normalise_postcode(postcode)
        query = ", ".join(part for part in (address.strip(), label) if part)
        if point := geocode_address(query, backend=NOMINATIM):
            return Location(point[0], point[1], "postcode", label)
        raise
