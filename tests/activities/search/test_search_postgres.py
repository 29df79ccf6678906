"""The search box's SQL on PostgreSQL: each concept is matched in the stored title and body
vectors apart, which their GIN indexes answer (Wagtail's backend matches ``title || body``,
which no index serves), and connections run without the JIT compiler (it cost more than the
search's whole SQL at 10,000 activities). Skipped on SQLite."""

import pytest
from django.db import connection

from activities.filters import ActivityFilter
from activities.selectors import activity_list_current
from tests.factories import ActivityFactory
from tests.support.schedules import weekly

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _search_sql(query: str) -> str:
    filterset = ActivityFilter({"q": query}, queryset=activity_list_current())
    return str(filterset.qs.values("pk").query)


def test_search_postgres_matches_title_and_body_apart():
    weekly(ActivityFactory(title="Art Club", description="Painting for women."))

    sql = _search_sql("art women")

    assert '"title" @@' in sql
    assert '"body" @@' in sql
    assert '"title" || ' not in sql


def test_search_postgres_two_words_found_across_title_and_body():
    weekly(ActivityFactory(title="Art Club", description="Painting for women."))
    weekly(ActivityFactory(title="Art Club for Everyone", description="Painting."))

    filterset = ActivityFilter({"q": "art women"}, queryset=activity_list_current())

    assert [a.title for a in filterset.qs] == ["Art Club"]


def test_search_postgres_connection_runs_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
