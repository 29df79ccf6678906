"""Browse at regional scale: the organisation filter is a search box, the SQL has no DISTINCT,
and the page does not grow with the number of organisations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.enums import ActivityKind
from tests.factories import ActivityFactory, ProviderFactory
from tests.support.browse import browse_titles
from tests.support.schedules import weekly

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(db):
    mind = ProviderFactory(title="Mersey Mind", slug="mersey-mind")
    roots = ProviderFactory(title="Liverpool Roots Trust", slug="roots")
    weekly(ActivityFactory(title="Mind walk", parent=mind))
    weekly(ActivityFactory(title="Roots garden", parent=roots))
    weekly(ActivityFactory(title="Elsewhere"))
    return mind, roots


def test_provider_filter_by_slug_keeps_old_links_working(client, organisations):
    assert browse_titles(client, "provider=mersey-mind&provider=roots") == [
        "Mind walk",
        "Roots garden",
    ]


def test_provider_filter_by_name_ignores_case_and_spaces(client, organisations):
    assert browse_titles(client, "provider=mersey++MIND") == ["Mind walk"]


def test_provider_filter_by_part_of_name_without_javascript(client, organisations):
    assert browse_titles(client, "provider=roots") == ["Roots garden"]  # the slug wins
    assert browse_titles(client, "provider=pool+roo") == ["Roots garden"]
    assert browse_titles(client, "provider=mind&provider=TRUST") == ["Mind walk", "Roots garden"]


def test_provider_filter_blank_box_is_ignored(client, organisations):
    assert browse_titles(client, "provider=mersey-mind&provider=") == ["Mind walk"]


def test_provider_filter_unknown_name_says_so_and_keeps_the_text(client, organisations):
    response = client.get("/activities/?provider=mersey-mind&provider=Nobody+%3Cb%3E")
    assert response.status_code == 400
    html = response.content.decode()
    assert "No organisation&#x27;s name contains “Nobody &lt;b&gt;”." in html
    assert 'value="Nobody &lt;b&gt;"' in html  # what was typed is still in the box
    assert 'value="mersey-mind" id="id_provider_1" checked' in html  # and the other choice


def test_provider_filter_shows_chosen_organisation_as_checked_box(client, organisations):
    html = client.get("/activities/?provider=mersey-mind").content.decode()
    assert 'name="provider" value="mersey-mind" id="id_provider_1" checked>' in html
    assert '<label for="id_provider_1">Mersey Mind</label>' in html
    assert '<label for="id_provider">Add another organisation' in html


def test_provider_suggestions_start_with_names_that_begin_with_the_text(client, organisations):
    ProviderFactory(title="Roots and Shoots", slug="shoots")
    response = client.get("/activities/organisations.json?q=ROOTS")
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"title": "Roots and Shoots", "slug": "shoots"},
            {"title": "Liverpool Roots Trust", "slug": "roots"},
        ]
    }
    assert client.get("/activities/organisations.json?q=r").json() == {"results": []}


def test_browse_page_size_does_not_grow_with_organisations(client, organisations):
    before = len(client.get("/activities/").content)
    for number in range(60):
        ProviderFactory(title=f"Organisation number {number:03d}")
    after = len(client.get("/activities/").content)
    assert after == before


def test_kind_and_provider_filters_select_without_distinct(client, organisations):
    weekly(ActivityFactory(title="Mind course", kind=ActivityKind.COURSE, parent=organisations[0]))
    with CaptureQueriesContext(connection) as queries:
        assert browse_titles(client, "kind=course&kind=group&provider=mersey+mind") == [
            "Mind course",
            "Mind walk",
        ]
    assert not [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]
