"""A record's fingerprint: what a remembered "not a duplicate" decision rests on."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from . import lexicon
from .audience import audience_of
from .records import ActivityRecord
from .text import analyse, normalise_text


@cache
def _fingerprint_cached(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def record_fingerprint(record: ActivityRecord) -> str:
    """A digest of the facts a duplicate decision rests on: what the activity is (title words,
    format, categories), who it is for, where and when it meets. Rewording the description or
    moving a course to new dates does not change it; a new title, venue, day or time does."""
    audience = audience_of(record, analyse(record))
    payload = json.dumps(
        {
            "title": sorted(set(normalise_text(record.title).split()) - lexicon.STOP_WORDS),
            "kind": record.kind,
            "categories": sorted(normalise_text(c) for c in record.categories),
            "audience": [
                sorted(audience.restrictions),
                audience.ages,
                sorted(audience.names),
            ],
            "venue": str(record.venue_key) if record.venue_key is not None else None,
            "postcode": normalise_text(record.postcode),
            "point": [round(record.latitude, 3), round(record.longitude, 3)]
            if record.point
            else None,
            "online": record.online,
            "slots": sorted(
                [s.weekday, f"{s.start:%H:%M}", f"{s.end:%H:%M}", s.frequency] for s in record.slots
            ),
        },
        sort_keys=True,
    )
    return _fingerprint_cached(payload)
