"""An import lock held by another worker: a thread with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.db import connection

from activities.imports.lock import import_lock


@contextmanager
def lock_held_elsewhere(provider) -> Iterator[dict]:
    """Take ``import_lock(provider=...)`` on another thread's connection (another worker)
    and hold it until the block ends. Yields {"pid": that connection's backend pid} on
    PostgreSQL (None elsewhere), so a test may kill that connection."""
    held, release, seen = threading.Event(), threading.Event(), {"pid": None}

    def hold():
        try:
            with import_lock(provider=provider):
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_backend_pid()")
                        seen["pid"] = cursor.fetchone()[0]
                held.set()
                release.wait(timeout=60)
        except Exception as exc:  # noqa: BLE001 - a killed connection ends the hold
            seen["error"] = exc
        finally:
            held.set()
            with suppress(Exception):  # already gone when the test killed it
                connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(timeout=30), "the other worker never took the lock"
    try:
        yield seen
    finally:
        release.set()
        thread.join(timeout=30)
