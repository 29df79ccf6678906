"""``/healthz`` for load balancers: is this app server able to reach its database and cache?

Answered by a middleware placed first, before the HTTPS redirect and the allowed-hosts check:
a load balancer probes each server by its own address over plain HTTP, and must get the
answer, not a redirect or a 400. It reveals nothing but "ok" or "unavailable" per part.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

PATH = "/healthz"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("Health check: database unavailable", exc_info=True)
        return False


def cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", timeout=10)
        return cache.get("healthz") == "ok"
    except Exception:  # noqa: BLE001 - any cache client error means "unavailable"
        logger.warning("Health check: cache unavailable", exc_info=True)
        return False


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path != PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        parts = {"database": database_ok(), "cache": cache_ok()}
        body = {name: "ok" if good else "unavailable" for name, good in parts.items()}
        response = JsonResponse(body, status=200 if all(parts.values()) else 503)
        response["Cache-Control"] = "no-store"
        return response
