"""Each activity's VEVENTs, serialised once and cached under what they are made from.

A citywide feed is the same few thousand events over and over: icalendar's serialisation was
most of its cost. The cache key is a digest of everything the events are made from (the
activity's row as read: its columns, slots, SEQUENCEs, cancellations, topics, and the site's
address), so a changed activity is simply a new key, and an entry can never be served
after the activity changed; entries nobody asks for any more expire.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.core.cache import caches

from .. import ical
from .selectors import FEED_FORMAT, FeedRow, feed_activity, page_url_builder

logger = logging.getLogger(__name__)

EVENT_CACHE_SECONDS = 7 * 24 * 3600


def _key(row: FeedRow, base: str) -> str:
    # The row as read, and where its page's link points: all an activity's events depend on.
    digest = hashlib.sha256(repr((base, row)).encode()).hexdigest()
    return f"{FEED_FORMAT}:{digest}"


def _build(row: FeedRow, page_url) -> list[tuple[str, bytes]]:
    activity = feed_activity(row, page_url)
    return [(event.uid, ical.event_bytes(event)) for event in ical.activity_events(activity)]


def feed_event_bytes(rows: Iterable[FeedRow]) -> list[tuple[str, bytes]]:
    """(uid, VEVENT bytes) for every slot of every activity, from the cache where it has them.

    Keyed on the rows as read, so an activity found in the cache is never even turned into
    ical data (at 10,000 activities that was most of a feed built from cached events). A cache
    that fails (Redis down) only costs time: every event is built.
    """
    rows = list(rows)
    page_url = page_url_builder()
    base = page_url("/")
    keys = [_key(row, base) for row in rows]
    try:
        cached = caches["feed_events"].get_many(keys)
    except Exception:  # the cache is an optimisation; a feed must still be served
        logger.warning("feed event cache unavailable; building every event")
        cached = {}
    events: list[tuple[str, bytes]] = []
    missing: dict[str, list[tuple[str, bytes]]] = {}
    for key, row in zip(keys, rows, strict=True):
        built = cached.get(key)
        if built is None:
            built = missing[key] = _build(row, page_url)
        events += built
    if missing:
        try:
            caches["feed_events"].set_many(missing, EVENT_CACHE_SECONDS)
        except Exception:
            logger.warning("feed event cache unavailable; events not stored")
    return events
