"""One import per organisation at a time, and a lock a killed worker does not keep.

Another worker is a thread with its own database connection (tests.support.import_lock). On
PostgreSQL the lock is an advisory lock of the import's transaction, so a connection that
dies (a killed gunicorn worker, pg_terminate_backend) frees it at once; on SQLite it is a
short cache lock that lapses by itself.
"""

import time

import pytest
from django.db import connection

from activities.imports import lock
from activities.imports.columns import ImportFailed
from activities.imports.services import timetable_import
from activities.models import ActivityPage
from tests.support.import_lock import lock_held_elsewhere
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's advisory locks (set DATABASE_URL to run this)")


def _rows(provider) -> list[dict[str, str]]:
    return [timetable_row(provider=provider.title, ref="LOCK-1", online="")]


def test_a_second_import_for_one_organisation_is_refused_with_what_to_do(provider_a):
    with lock_held_elsewhere(provider_a), pytest.raises(ImportFailed) as refused:
        timetable_import(rows=_rows(provider_a), only_provider=provider_a)

    [problem] = refused.value.problems
    assert problem.message.startswith(
        "Another import for Mersey Minds is in progress. Wait for it to finish (a minute at most"
    )
    assert problem.message.endswith("then check the file again: nothing was imported this time.")
    assert not ActivityPage.objects.filter(ref="LOCK-1").exists()


def test_another_organisations_import_goes_ahead(provider_a, provider_b):
    with lock_held_elsewhere(provider_b):
        result = timetable_import(rows=_rows(provider_a), only_provider=provider_a)

    assert result.created == 1


def test_the_lock_is_free_once_the_other_import_ends(provider_a):
    with lock_held_elsewhere(provider_a):
        pass

    result = timetable_import(rows=_rows(provider_a), only_provider=provider_a)

    assert result.created == 1


@pytest.mark.usefixtures("postgresql_only")
def test_a_terminated_connection_frees_its_lock_at_once(provider_a):
    with lock_held_elsewhere(provider_a) as other:
        with connection.cursor() as cursor:
            # The second argument waits (up to 5 s) for that backend to have gone.
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [other["pid"]])
            assert cursor.fetchone()[0] is True
        started = time.monotonic()

        result = timetable_import(rows=_rows(provider_a), only_provider=provider_a)

        assert time.monotonic() - started < 5  # no wait for a lapsed timeout
    assert result.created == 1


@pytest.mark.usefixtures("postgresql_only")
def test_a_closed_connection_frees_its_lock_at_once(provider_a):
    """A worker whose connection closes mid-import (its process killed) holds nothing."""
    raw = connection.get_new_connection(connection.get_connection_params())
    with raw.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock.advisory_key(provider_a)])
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with pytest.raises(ImportFailed):
        timetable_import(rows=_rows(provider_a), only_provider=provider_a)

    raw.close()
    _gone(pid)  # the server ends that backend as soon as it reads the closed socket
    result = timetable_import(rows=_rows(provider_a), only_provider=provider_a)

    assert result.created == 1


def _gone(pid: int, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh look each time
            cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
            assert time.monotonic() < deadline, "the closed connection's backend stayed"
            time.sleep(0.01)


def test_on_sqlite_a_killed_workers_lock_lapses_in_two_minutes(provider_a, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the cache lock is SQLite's")
    held = lock.import_lock(provider=provider_a)
    held.__enter__()  # and never leaves it: the worker was killed
    with pytest.raises(ImportFailed) as refused:
        timetable_import(rows=_rows(provider_a), only_provider=provider_a)
    assert "two minutes if it was stopped part-way" in refused.value.problems[0].message
    later = time.time() + lock.SQLITE_LOCK_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)

    result = timetable_import(rows=_rows(provider_a), only_provider=provider_a)

    assert result.created == 1
