"""The optional read replica (``DATABASE_REPLICA_URL``): who reads from it, who never does.

Only anonymous public reads go to the replica: a GET or HEAD outside the admin, from a visitor
without a session cookie (so no one signed in, no pending upload, no freshly saved form), while
the request is served. Everything else reads from the primary, and every write, migration and
transaction goes to the primary. A replica a little behind the primary then shows a visitor
a listing a few seconds old, never an editor their own change missing, and a write never
lands on it (its connections are also read-only, see directory/settings.py).

Without ``DATABASE_REPLICA_URL`` the router is not installed and the middleware does nothing.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

REPLICA = "replica"
PRIMARY = "default"
# Paths whose reads must be the latest: the admin and its sign-in, and the referral forms.
PRIMARY_PATHS = ("/admin/", "/django-admin/", "/referrals/")

_public_read: ContextVar[bool] = ContextVar("nwd_public_read", default=False)


def reads_from_replica(request: HttpRequest) -> bool:
    """True for an anonymous public GET/HEAD (see the module docstring)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(PRIMARY_PATHS)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class ReplicaMiddleware:
    """Marks, for the router, the requests whose reads may come from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = REPLICA in settings.DATABASES

    def __call__(self, request: HttpRequest):
        if not (self.enabled and reads_from_replica(request)):
            return self.get_response(request)
        token = _public_read.set(True)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)


class ReplicaRouter:
    """Reads of an anonymous public request from the replica; all else from the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _public_read.get() else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The same data on both: an object read from the replica may relate to one from the
        # primary (and is saved to the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the primary's schema by replication, never by migrate.
        return db == PRIMARY
