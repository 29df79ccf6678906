"""An activity's edit page does not grow with the city: other organisations, their venues and
their activities add neither bytes nor queries (issue 15: under 500 ms and 300 KB at 10,000).
The topic and audience tick boxes are the site's own short vocabularies and are left out."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActivityFactory, ProviderFactory, ScheduleFactory, VenueFactory
from tests.support.admin_forms import edit_url

pytestmark = pytest.mark.django_db
DUPLICATE_WARNING_LIMIT = settings.DUPLICATE_WARNING_LIMIT


def _city(count: int, start: int) -> None:
    """`count` other organisations, each with a venue and two activities there (all at one
    postcode: every walk looks like ours, which the panel answers with its first few)."""
    for n in range(start, start + count):
        provider = ProviderFactory(title=f"Elsewhere {n}")
        venue = VenueFactory(name=f"Elsewhere hall {n}", slug=f"elsewhere-hall-{n}")
        for kind in ("walk", "choir"):
            activity = ActivityFactory(parent=provider, title=f"{kind} {n}", venue=venue)
            ScheduleFactory(activity=activity)


def _edit_page(client, page) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(edit_url(page))
    assert response.status_code == 200
    return len(response.content), len(queries)


@pytest.mark.parametrize("who", ["editor_a", "city_admin"])
def test_edit_page_bytes_and_queries_do_not_grow_with_the_city(request, client, provider_a, who):
    activity = ActivityFactory(parent=provider_a, title="Walk and talk")
    ScheduleFactory(activity=activity)
    client.force_login(request.getfixturevalue(who))
    _city(DUPLICATE_WARNING_LIMIT + 1, start=0)  # the similar-activities panel shows its most
    _edit_page(client, activity)  # the first visit subscribes the editor to comments
    small_bytes, small_queries = _edit_page(client, activity)

    _city(10, start=100)
    large_bytes, large_queries = _edit_page(client, activity)

    assert large_queries == small_queries
    assert abs(large_bytes - small_bytes) < 200  # the CSRF token and the like
    assert large_bytes < 300_000
