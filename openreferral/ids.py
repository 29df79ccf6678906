"""Stable ORUK ids: UUIDs derived from our own stable keys (uuid5), never stored.

A page's primary key survives renames, moves and re-imports, a category's slug is kept when it
is renamed (the taxonomy's rule), an accessibility code never changes (the vocabulary's rule):
so the same thing has the same UUID in every response, on every run. A time slot already has
a stored calendar UUID (``Schedule.uid``), which its ORUK schedule reuses.

The namespace is fixed, so two sites running this code give different things different ids
only through their page keys; taxonomy ids (which name our shared vocabulary, not a site's
data) are the same everywhere, so another No Wrong Door site can recognise them.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

NAMESPACE = uuid.UUID("5b0c2f5e-8f3a-4d0e-9a53-6e6f2d77726f")


def oruk_id(*parts: object) -> str:
    """The UUID of the thing named by ``parts`` (e.g. ``"service", 42``), as a string."""
    return _uuid5(":".join(str(part) for part in parts))


@lru_cache(maxsize=65536)
def _uuid5(name: str) -> str:
    # A page of 50 full services names a few thousand things, most of them (taxonomy terms,
    # organisations) again and again.
    return str(uuid.uuid5(NAMESPACE, name))


def service_id(activity_pk: int) -> str:
    return oruk_id("service", activity_pk)


def organization_id(provider_pk: int) -> str:
    return oruk_id("organization", provider_pk)


def location_id(venue_pk: int) -> str:
    return oruk_id("location", venue_pk)


def virtual_location_id(activity_pk: int) -> str:
    return oruk_id("location", "online", activity_pk)


def service_at_location_id(activity_pk: int) -> str:
    """One per activity: it meets in one place (a venue, or online)."""
    return oruk_id("service_at_location", activity_pk)


def taxonomy_id(name: str) -> str:
    return oruk_id("taxonomy", name)


def term_id(taxonomy: str, code: str) -> str:
    return oruk_id("taxonomy_term", taxonomy, code)
