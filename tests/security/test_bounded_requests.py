"""Issue 10: no public request may hold the database or answer 500 (real requests)."""

import time

import pytest

from activities.imports.readers import read_rows
from tests.factories import ActivityFactory
from tests.support.browse import browse_titles

pytestmark = pytest.mark.django_db

PUBLIC_LISTS = ["/activities/", "/activities/feed.ics", "/activities/export.csv"]


@pytest.mark.parametrize("path", PUBLIC_LISTS)
def test_repeated_access_values_beyond_the_cap_are_refused_clearly_and_quickly(client, path):
    query = "&".join(["access=step_free_entrance", "access=hearing_loop"] * 250)

    started = time.monotonic()
    response = client.get(f"{path}?{query}")
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    assert "Choose at most 30 options" in response.content.decode()
    assert elapsed < 2


@pytest.mark.parametrize("path", PUBLIC_LISTS)
def test_repeated_values_count_once(client, path):
    once = client.get(f"{path}?access=step_free_entrance")
    many = client.get(f"{path}?" + "&".join(["access=step_free_entrance"] * 20))

    assert once.status_code == many.status_code == 200


def test_repeated_values_list_the_same_activities_as_one(client):
    ActivityFactory(title="Walk")

    assert browse_titles(client, "&".join(["kind=group"] * 25)) == browse_titles(
        client, "kind=group"
    )


def test_finder_refuses_more_values_than_the_cap(client):
    response = client.get("/find/?" + "&".join(["access=hearing_loop"] * 31))

    assert response.status_code in (200, 400)
    assert "Choose at most 30 options" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/activities/9223372036854775808.ics",
        "/feeds/providers/99999999999999999999.ics",
        "/feeds/venues/9223372036854775808.ics",
        "/activities/9223372036854775808/report/",
        "/activities/9223372036854775808/report/thanks/",
    ],
)
def test_ids_too_big_for_the_database_are_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query", ["", "?ids=", "?ids=abc", "?ids=0,-1", "?ids=99999999999999999999"]
)
def test_shortlist_feed_without_valid_ids_is_an_empty_calendar(client, query):
    response = client.get(f"/shortlist/feed.ics{query}")

    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert b"BEGIN:VEVENT" not in response.content


def test_a_request_with_more_fields_than_djangos_default_is_refused(client):
    query = "&".join(f"f{i}=x" for i in range(1001))

    assert client.get("/activities/?f=x").status_code == 200
    assert client.get(f"/activities/?{query}").status_code == 400


def test_export_neutralises_formulas_and_the_import_reads_them_back(client, provider_a):
    ActivityFactory(parent=provider_a, title='=HYPERLINK("http://evil.example","Click")')
    ActivityFactory(parent=provider_a, title="-5 minutes from the station")

    csv_text = client.get("/activities/export.csv").content.decode("utf-8-sig")

    assert "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text
    assert "'=HYPERLINK" in csv_text and "'-5 minutes" in csv_text
    titles = {row["title"] for row in read_rows(data=csv_text.encode(), filename="t.csv")}
    assert {'=HYPERLINK("http://evil.example","Click")', "-5 minutes from the station"} <= titles
