"""Rate limits for public forms and sign-in helpers: atomic, in the shared cache, anonymous.

Every limit is a fixed window counted with the cache's atomic increment (Redis ``INCR`` in
production), so a burst of simultaneous requests can never get past it: each request takes a
number first, and only the first `count` numbers in the window are accepted. Checking a count
and then adding to it (what most hand-written limits do) lets a burst through.

A client is never stored: `client_key` is an HMAC of its address keyed by SECRET_KEY, so the
cache holds no address and the key cannot be reversed by trying addresses without the secret.

If the cache is down, `take` answers "limited": a public form then refuses politely instead
of accepting without any limit (or failing with a 500).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` in each fixed window of `seconds`, per `scope` and subject."""

    scope: str  # e.g. "report:client"
    count: int
    seconds: int


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind a proxy, CLIENT_IP_HEADER names the header it sets (e.g.
    HTTP_X_FORWARDED_FOR); its last entry is the one our own proxy saw."""
    header = settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def client_key(request_or_address: HttpRequest | str) -> str:
    """A stable key for a client that is not its address (see the module docstring)."""
    address = (
        request_or_address
        if isinstance(request_or_address, str)
        else client_address(request_or_address)
    )
    return salted_hmac("nwd.client", address or "unknown").hexdigest()[:32]


def _window_key(limit: Limit, subject: str, now: float) -> str:
    return f"rl:{limit.scope}:{subject}:{int(now // limit.seconds)}"


def take(checks: Iterable[tuple[Limit, str]], *, now: float | None = None) -> bool:
    """Count one request against every (limit, subject) pair; True when all allow it.

    Every pair is counted even when an earlier one refuses, so that hammering one limit
    keeps using up the others too. False (refuse) when the cache cannot be reached.
    """
    now = time.time() if now is None else now
    allowed = True
    try:
        for limit, subject in checks:
            key = _window_key(limit, subject, now)
            # add() creates the window's counter with its expiry; incr() is atomic.
            cache.add(key, 0, timeout=limit.seconds + 1)
            try:
                taken = cache.incr(key)
            except ValueError:  # the window expired between add() and incr()
                cache.add(key, 1, timeout=limit.seconds + 1)
                taken = 1
            if taken > limit.count:
                allowed = False
    except Exception:  # noqa: BLE001 - any cache failure: refuse politely, never 500
        logger.warning("Rate limit cache unavailable; refusing the request", exc_info=True)
        return False
    return allowed


def used(limit: Limit, subject: str, *, now: float | None = None) -> int:
    """How many requests the window has counted so far (for tests and admin screens)."""
    now = time.time() if now is None else now
    return int(cache.get(_window_key(limit, subject, now)) or 0)
