"""One import at a time per organisation, and a lock that a killed worker cannot keep.

On PostgreSQL the lock is a transaction-level advisory lock (``pg_try_advisory_xact_lock``)
taken inside the import's own transaction: PostgreSQL frees it when that transaction commits
or rolls back, and when the connection dies, so a gunicorn worker killed mid-import (or a
database restart) leaves nothing held and the next import may start at once.

SQLite has no such lock, but it lets one writer at a time anyway; a short cache lock only
turns a second import into a clear refusal instead of a wait. If the worker holding it is
killed, it lapses after ``SQLITE_LOCK_SECONDS``, and the message says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection, transaction

from directory.models import ProviderPage

from .columns import ImportFailed, Problem

# Advisory lock keys are one bigint: this namespace ("NWDI") in the high 32 bits, the
# organisation's page id (0 for a whole-city file) in the low ones.
ADVISORY_NAMESPACE = 0x4E574449
# Longer than an import takes on SQLite (seconds for 10,000 rows); what a killed one holds.
SQLITE_LOCK_SECONDS = 120


def refusal(provider: ProviderPage | None) -> ImportFailed:
    whose = f" for {provider.title}" if provider else ""
    if connection.vendor == "postgresql":
        wait = "a minute at most"
    else:
        wait = "a minute at most; two minutes if it was stopped part-way"
    return ImportFailed(
        [
            Problem(
                0,
                "",
                f"Another import{whose} is in progress. Wait for it to finish ({wait}), then "
                "check the file again: nothing was imported this time.",
            )
        ]
    )


def advisory_key(provider: ProviderPage | None) -> int:
    return (ADVISORY_NAMESPACE << 32) | (provider.pk if provider else 0)


@contextmanager
def import_lock(*, provider: ProviderPage | None) -> Iterator[None]:
    """Hold the import of this organisation (or, with None, of a whole file) for one writer.
    The import writes in its own ``transaction.atomic()`` inside this block; on PostgreSQL
    the block opens the outer transaction, whose end frees the lock.

    Raises ImportFailed, saying what to do, while another holds it.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [advisory_key(provider)])
                if not cursor.fetchone()[0]:
                    raise refusal(provider)
            yield  # freed by PostgreSQL when this transaction (or its connection) ends
        return
    key = f"timetable-import-lock:{provider.pk if provider else 'file'}"
    if not cache.add(key, 1, timeout=SQLITE_LOCK_SECONDS):
        raise refusal(provider)
    try:
        yield
    finally:
        cache.delete(key)
