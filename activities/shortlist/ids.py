"""The shortlist's ids: parsing and formatting them, and the cookie that holds them.

The list is a plain cookie of activity ids (``shortlist=12.34.56``): nothing about the person
is written to the database, and the same ids in a link (``/shortlist/?ids=12,34``) or a
calendar address (``/shortlist/feed/12-34.ics``) reproduce the list anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "shortlist"
MAX_ITEMS = 30
COOKIE_MAX_AGE = 365 * 24 * 3600  # browsers cap cookies at about 400 days
# Thirty ids of up to ten digits and their separators fit easily; anything longer is not ours.
_MAX_TEXT = 400
_MAX_ID = 2**31 - 1  # the largest primary key PostgreSQL's integer column holds
_SEPARATORS = re.compile(r"[.,\-\s]+")


# --------------------------------------------------------------------------- ids


def parse_ids(text: str | None) -> list[int]:
    """Activity ids from a cookie (``12.34``), a query (``12,34``) or a path (``12-34``).

    Order is kept; junk is skipped rather than refused (a hand-edited link or an old cookie
    should still show what it can): non-numbers, zero, numbers too large for a key, repeats,
    and everything after ``MAX_ITEMS`` ids or beyond a sane length.
    """
    if not text or len(text) > _MAX_TEXT:
        return []
    ids: list[int] = []
    for part in _SEPARATORS.split(text):
        if not (part.isascii() and part.isdigit()):
            continue
        pk = int(part)
        if 0 < pk <= _MAX_ID and pk not in ids:
            ids.append(pk)
            if len(ids) == MAX_ITEMS:
                break
    return ids


def format_cookie(ids: Iterable[int]) -> str:
    # Dots: commas and spaces would make Django quote the cookie value.
    return ".".join(str(pk) for pk in ids)


def format_query(ids: Iterable[int]) -> str:
    """The value of ``?ids=`` (commas are legal in a query string, so nothing is escaped)."""
    return ",".join(str(pk) for pk in ids)


def format_path(ids: Iterable[int]) -> str:
    """One path segment, for calendar apps that mangle query strings (Google)."""
    return "-".join(str(pk) for pk in ids)


def with_added(ids: list[int], pk: int) -> list[int]:
    """`ids` with `pk` at the end; unchanged when it is already there or the list is full."""
    if pk in ids or len(ids) >= MAX_ITEMS:
        return list(ids)
    return [*ids, pk]


def without(ids: list[int], pk: int) -> list[int]:
    return [other for other in ids if other != pk]


# --------------------------------------------------------------------------- cookie


def ids_from_cookie(request: HttpRequest) -> list[int]:
    return parse_ids(request.COOKIES.get(COOKIE_NAME))


def store(response: HttpResponse, ids: list[int], *, request: HttpRequest) -> None:
    """Write `ids` into the shortlist cookie on `response` (or delete it when empty)."""
    if not ids:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        format_cookie(ids[:MAX_ITEMS]),
        max_age=COOKIE_MAX_AGE,
        httponly=True,  # only the server reads it; scripts never need to
        samesite="Lax",
        secure=request.is_secure(),
    )
