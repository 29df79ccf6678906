"""The shortlist: activities someone is thinking about, kept without logging in.

The list is a plain cookie of activity ids (``shortlist=12.34.56``): nothing about the person
is written to the database, and the same ids in a link (``/shortlist/?ids=12,34``) or a
calendar address (``/shortlist/feed/12-34.ics``) reproduce the list anywhere.

Pure apart from the cookie helpers: parsing and formatting ids, the cookie's settings, the
template context, and the "your first visit" notes built from an already-loaded activity
(shortlist_views loads it with everything prefetched).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from venues.accessibility import AVAILABLE_STATUSES, FEATURES, FeatureStatus

from .enums import CapacityStatus

__all__ = [
    "COOKIE_MAX_AGE",
    "COOKIE_NAME",
    "MAX_ITEMS",
    "Shortlist",
    "first_visit_notes",
    "format_cookie",
    "format_path",
    "format_query",
    "how_to_join",
    "ids_from_cookie",
    "parse_ids",
    "shortlist_context",
    "store",
    "with_added",
    "without",
]

COOKIE_NAME = "shortlist"
MAX_ITEMS = 30
COOKIE_MAX_AGE = 365 * 24 * 3600  # browsers cap cookies at about 400 days
# Thirty ids of up to ten digits and their separators fit easily; anything longer is not ours.
_MAX_TEXT = 400
_MAX_ID = 2**31 - 1  # the largest primary key PostgreSQL's integer column holds
_SEPARATORS = re.compile(r"[.,\-\s]+")
# "Your first visit" mentions these session features when the provider records them.
_FIRST_VISIT_FEATURES = ("meet_at_door", "bring_companion")


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


@dataclass(frozen=True)
class Shortlist:
    """What every template knows about the visitor's own shortlist (from the cookie alone)."""

    ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.ids)


def shortlist_context(request: HttpRequest) -> dict[str, Shortlist]:
    """Context processor: ``shortlist`` for the nav count and the add/remove buttons.

    Reads the cookie only (no query), so the count can include an activity that has since
    been unpublished until the shortlist page is next visited and tidies the cookie.
    """
    return {"shortlist": Shortlist(ids=tuple(ids_from_cookie(request)))}


# --------------------------------------------------------------------------- first visit


def _available(features) -> list:
    return [f for f in features if f.status in AVAILABLE_STATUSES]


def _feature_text(feature) -> str:
    text = FEATURES[feature.code].label
    if feature.status != FeatureStatus.YES:
        text += f" ({feature.get_status_display().lower()})"
    if feature.details:
        text += f": {feature.details}"
    return text


def how_to_join(activity) -> str:
    """Who can refer, in one line, e.g. "Just come along or refer yourself; your GP can also
    refer you"."""
    routes = []
    if activity.professional_referral:
        routes.append("a professional (such as a social prescriber)")
    if activity.gp_referral:
        routes.append("your GP")
    referrers = " or ".join(routes)
    if activity.self_referral:
        text = "Just come along or refer yourself"
        return f"{text}; {referrers} can also refer you" if referrers else text
    if referrers:
        return f"You need to be referred by {referrers}"
    return "Contact the organisation to ask how to join"


def first_visit_notes(activity) -> list[str]:
    """Plain-English things to know before going for the first time.

    Built only from what the listing records: booking, places, the provider's
    own "how to join" words, being met at the door or bringing someone, the venue's access
    notes and available features, and how online sessions are joined. Reads
    ``activity.features`` and ``activity.venue.features`` through ``.all()``, so prefetch them.
    """
    notes: list[str] = []
    if activity.booking_required:
        notes.append("Book a place before you go.")
    elif activity.self_referral:
        notes.append("You can just turn up: there is no need to book.")
    if activity.capacity_status == CapacityStatus.WAITING_LIST:
        notes.append("There is a waiting list: call before you go.")
    elif activity.capacity_status == CapacityStatus.FULL:
        notes.append("It is full at the moment: call to ask when places come up.")
    elif activity.capacity_status == CapacityStatus.FEW_PLACES:
        notes.append("Only a few places are left: call ahead.")
    if activity.how_to_join.strip():
        notes.append(activity.how_to_join.strip())
    session_features = {f.code: f for f in _available(activity.features.all())}
    for code in _FIRST_VISIT_FEATURES:
        if code in session_features:
            notes.append(_feature_text(session_features[code]) + ".")
    venue = activity.venue
    if venue is not None:
        if venue.access_notes.strip():
            notes.append(venue.access_notes.strip())
        labels = [_feature_text(f) for f in _available(venue.features.all())]
        if labels:
            notes.append(f"At {venue.name}: {'; '.join(labels)}.")
    if activity.online:
        if activity.meeting_link:
            notes.append("Online: the joining link is on the activity's page.")
        else:
            notes.append("Online: you get the joining link when you book.")
    return notes
