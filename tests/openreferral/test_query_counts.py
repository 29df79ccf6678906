"""Every list of /api/oruk/ costs the same number of queries for a page of 3 as for a page of
30: nothing is read row by row (full=true included), so a page stays fast at 10,000 listings."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

API = "/api/oruk"


def _queries(client, path: str, params: dict) -> tuple[int, int]:
    cache.clear()  # the answer built, not served from the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{API}{path}", params)
    assert response.status_code == 200
    return len(captured), len(response.json()["contents"])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services", {}),
        ("/services", {"full": "true"}),
        ("/services", {"minimal": "true"}),
        ("/service_at_locations", {}),
        ("/service_at_locations", {"full": "true"}),
        ("/organizations", {"full": "true"}),
        ("/organizations", {"full_service": "true"}),
        ("/taxonomy_terms", {}),
    ],
)
def test_a_page_costs_the_same_queries_at_any_size(client, demo, path, params):
    small, small_rows = _queries(client, path, {"per_page": 3, **params})
    large, large_rows = _queries(client, path, {"per_page": 30, **params})

    assert small_rows == 3 and large_rows > small_rows
    assert large == small <= 15
