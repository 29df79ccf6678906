"""Organisation names compared the way people read them (pure).

Two providers may not share a name: "Mersey Mind", "mersey  mind " and "MERSEY MIND" are one
name. ``ProviderPage.name_key`` stores this key under a unique constraint.
"""

from __future__ import annotations

import unicodedata


def provider_name_key(name: str) -> str:
    """The name folded for comparison: Unicode-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:255]
