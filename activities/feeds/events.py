"""Each activity's VEVENTs, serialised once and cached under what they are made from.

A citywide feed is the same few thousand events over and over: icalendar's serialisation was
most of its cost. The cache key is a digest of everything the events are made from (the
activity's feed data: its columns, slots, SEQUENCEs, cancellations, topics, page URL), so a
changed activity is simply a new key, and an entry can never be served after the activity
changed; entries nobody asks for any more expire.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.core.cache import caches

from .. import ical
from .selectors import FEED_FORMAT

logger = logging.getLogger(__name__)

EVENT_CACHE_SECONDS = 7 * 24 * 3600


def _key(activity: ical.ActivityData) -> str:
    digest = hashlib.sha256(repr(activity).encode()).hexdigest()
    return f"{FEED_FORMAT}:{digest}"


def _build(activity: ical.ActivityData) -> list[tuple[str, bytes]]:
    return [(event.uid, ical.event_bytes(event)) for event in ical.activity_events(activity)]


def feed_event_bytes(activities: Iterable[ical.ActivityData]) -> list[tuple[str, bytes]]:
    """(uid, VEVENT bytes) for every slot of every activity, from the cache where it has them.

    A cache that fails (Redis down) only costs time: every event is built.
    """
    activities = list(activities)
    keys = [_key(activity) for activity in activities]
    try:
        cached = caches["feed_events"].get_many(keys)
    except Exception:  # the cache is an optimisation; a feed must still be served
        logger.warning("feed event cache unavailable; building every event")
        cached = {}
    events: list[tuple[str, bytes]] = []
    missing: dict[str, list[tuple[str, bytes]]] = {}
    for key, activity in zip(keys, activities, strict=True):
        built = cached.get(key)
        if built is None:
            built = missing[key] = _build(activity)
        events += built
    if missing:
        try:
            caches["feed_events"].set_many(missing, EVENT_CACHE_SECONDS)
        except Exception:
            logger.warning("feed event cache unavailable; events not stored")
    return events
