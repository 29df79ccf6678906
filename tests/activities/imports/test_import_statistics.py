"""A large import refreshes the planner's statistics, so the next browse page is planned for
the tables' new sizes (issue 15), and it writes the pages' own rows in bulk, a query a batch.

The threshold is lowered for the test; the import itself is the real one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.imports import write
from activities.imports.services import timetable_import
from activities.models import ActivityPage
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db

TABLE = ActivityPage._meta.db_table


def _analyzed() -> bool:
    """Whether the activities table's statistics describe its rows as they are now."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # sqlite_stat1 is an ordinary table: rolled back
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return False
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
            return cursor.fetchone()[0] > 0
        # PostgreSQL's reltuples is set by ANALYZE and not rolled back with the test; ANALYZE
        # counts this transaction's own new rows, so it matches the table only just after one.
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [TABLE])
        return cursor.fetchone()[0] == ActivityPage.objects.count()


def _rows(count: int, prefix: str) -> list[dict[str, str]]:
    return [timetable_row(ref=f"{prefix}{i}", title=f"Group {prefix}{i}") for i in range(count)]


def test_a_small_import_leaves_statistics_to_the_database(monkeypatch):
    monkeypatch.setattr(write, "_ANALYZE_AFTER", 50)
    timetable_import(rows=_rows(3, "S"), create_providers=True)
    assert not _analyzed()


def test_a_large_import_analyzes_the_tables_it_grew(monkeypatch):
    monkeypatch.setattr(write, "_ANALYZE_AFTER", 5)
    timetable_import(rows=_rows(6, "L"), create_providers=True)
    assert _analyzed()


def test_pages_own_rows_are_inserted_a_batch_at_a_time():
    def inserts(count: int, prefix: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            timetable_import(rows=_rows(count, prefix), create_providers=True)
        return sum(1 for q in queries if q["sql"].startswith(f'INSERT INTO "{TABLE}"'))

    assert inserts(3, "A") == inserts(30, "B") == 1
