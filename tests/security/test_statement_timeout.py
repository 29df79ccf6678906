"""Issue 10: no public request can hold the database for long (directory/timeouts.py)."""

import time

import psycopg
import pytest
from django.db import connection
from django.test import override_settings

from tests.factories import ActivityFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a table lock from a second session"
)


def _second_session():
    params = connection.get_connection_params()
    return psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})


@postgresql_only
@override_settings(DB_STATEMENT_TIMEOUT_MS=300)
def test_a_public_request_stuck_behind_a_lock_answers_503_within_its_bound(client):
    # Another session holds the activities table: the browse query cannot run.
    with _second_session() as other:
        other.execute("LOCK TABLE activities_activitypage IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = client.get("/activities/", {"day": "mon"})
        elapsed = time.monotonic() - started
        other.rollback()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "taking too long" in response.content.decode()
    assert "In a crisis?" in response.content.decode()  # the site's own page, crisis line kept
    assert elapsed < 3


@postgresql_only
@override_settings(DB_STATEMENT_TIMEOUT_MS=1500, DB_ADMIN_STATEMENT_TIMEOUT_MS=45000)
def test_public_and_admin_requests_each_get_their_own_bound(client, city_admin):
    def current():
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    client.get("/activities/")
    assert current() == "1500ms"
    client.force_login(city_admin)
    client.get("/admin/")
    assert current() == "45s"
    client.get("/find/")
    assert current() == "1500ms"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's progress handler")
def test_on_sqlite_a_public_request_past_its_bound_is_interrupted_with_a_503(client, provider_a):
    for number in range(40):
        ScheduleFactory(activity=ActivityFactory(parent=provider_a, title=f"Group {number}"))
    with override_settings(DB_STATEMENT_TIMEOUT_MS=1):
        response = client.get("/activities/", {"q": "group"})
    assert response.status_code == 503
    assert "taking too long" in response.content.decode()
    # The bound is per request: the next one, with the normal bound, is answered.
    assert client.get("/activities/", {"q": "group"}).status_code == 200
