"""Every table a filtered browse looks into has an index for it, checked with EXPLAIN on
PostgreSQL (issue 15): with sequential scans priced out (enable_seqscan = off), a table the
planner still reads whole has no index that serves the filter. Small tables would be read
whole anyway, so this checks the indexes exist, not which plan a given size gets."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.imports.services import timetable_import
from activities.models import ActivityFeature, ActivityPage, Schedule
from tests.support.timetables import timetable_row
from venues.models import VenueFeature

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's EXPLAIN"),
]

LOOKED_INTO = {
    Schedule._meta.db_table,
    VenueFeature._meta.db_table,
    ActivityFeature._meta.db_table,
    ActivityPage.categories.through._meta.db_table,
}
URLS = [
    "/activities/?postcode=L1+9BQ&radius=2&day=tue&access=step_free_entrance&kind=group",
    "/activities/?day=tue&time=morning&kind=drop-in&sort=soonest",
    "/activities/?category=art&access=hearing_loop&access=quiet_space",
]


def _scanned_whole(node: dict) -> set[str]:
    tables = {node["Relation Name"]} if node.get("Node Type") == "Seq Scan" else set()
    for child in node.get("Plans", []):
        tables |= _scanned_whole(child)
    return tables


@pytest.mark.parametrize("url", URLS)
def test_each_table_a_filter_looks_into_is_read_through_an_index(client, url):
    timetable_import(
        rows=[
            timetable_row(ref=f"R{i}", title=f"Group {i}", category="Art", kind=kind)
            for i, kind in enumerate(["group", "drop-in"] * 15)
        ],
        create_providers=True,
        create_taxonomy=True,
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    listing = max(
        (
            q["sql"]
            for q in queries
            if "activities_activitypage" in q["sql"] and " LIMIT " in q["sql"]
        ),
        key=len,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + listing)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    assert _scanned_whole(plan[0]["Plan"]) & LOOKED_INTO == set()
