"""A time bound on the database work of every request, so no visitor can hold the database.

Filters are capped (activities.filters), but a bound at the database is the root fix: on
PostgreSQL each statement of a public request is cancelled after DB_STATEMENT_TIMEOUT_MS
(admin pages get DB_ADMIN_STATEMENT_TIMEOUT_MS: imports and reports do more work). On SQLite,
which has no statement timeout, a progress handler interrupts a public request's statement once
the same time has passed since it started. Either way the visitor gets a short 503 page, never
a 500 or a wait.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by its timeout
SQLITE_CHECK_EVERY = 1_000  # virtual-machine steps between two looks at the clock
_APPLIED = "nwd_statement_timeout_ms"  # what the open connection has, on its wrapper


@receiver(connection_created)
def _new_connection_has_no_bound_yet(sender, connection, **kwargs):
    setattr(connection, _APPLIED, None)


def statement_timeout_ms(request: HttpRequest) -> int:
    if request.path.startswith(ADMIN_PREFIXES):
        return settings.DB_ADMIN_STATEMENT_TIMEOUT_MS
    return settings.DB_STATEMENT_TIMEOUT_MS


def timed_out(exception: BaseException) -> bool:
    """True for a statement stopped by the bound (PostgreSQL) or interrupted (SQLite)."""
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    return getattr(cause, "sqlstate", None) == QUERY_CANCELED or str(cause) == "interrupted"


class StatementTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = statement_timeout_ms(request)
        if connection.vendor == "postgresql":
            self._set_postgresql_timeout(limit)
            return self.get_response(request)
        # A connection shared between threads exists only under the test live server (its
        # in-memory SQLite); swapping its progress handler there can wait on another thread.
        if connection.vendor == "sqlite" and limit and not connection.allow_thread_sharing:
            return self._with_sqlite_bound(request, limit / 1000)
        return self.get_response(request)

    def _with_sqlite_bound(self, request: HttpRequest, seconds: float) -> HttpResponse:
        # Like PostgreSQL's: each statement (with the fetching of its rows) gets `seconds` from
        # its start; the handler runs every SQLITE_CHECK_EVERY steps and stops it when late.
        deadline = [float("inf")]

        def restart_clock(execute, sql, params, many, context):
            deadline[0] = time.monotonic() + seconds
            return execute(sql, params, many, context)

        connection.ensure_connection()
        raw = connection.connection
        raw.set_progress_handler(lambda: time.monotonic() > deadline[0], SQLITE_CHECK_EVERY)
        try:
            with connection.execute_wrapper(restart_clock):
                return self.get_response(request)
        finally:
            raw.set_progress_handler(None, 0)

    @staticmethod
    def _set_postgresql_timeout(limit: int) -> None:
        # Set only when it changes, on the raw connection (as Django sets a connection's time
        # zone): a kept-alive connection serving public requests in a row costs no query.
        # Session-wide, not SET LOCAL: requests run in autocommit. Inside a transaction (tests)
        # a rollback would undo it, so there it is set every time and not remembered.
        applied = getattr(connection, _APPLIED, None)
        if connection.connection is not None and applied == limit:
            return
        try:
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{limit}ms"])
            setattr(connection, _APPLIED, None if connection.in_atomic_block else limit)
        except DatabaseError:
            logger.warning("Could not set the statement timeout", exc_info=True)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not timed_out(exception):
            return None
        logger.warning("Database work stopped after its time bound: %s", request.path)
        # Rendered without the request: its context processors would query the database again.
        body = render_to_string("503.html", {"retry_after": 30})
        return HttpResponse(body, status=503, headers={"Retry-After": "30"})
