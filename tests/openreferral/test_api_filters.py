"""Paging and each filter of /api/oruk/ narrow the demo's services correctly; answers carry
an ETag (a 304 for a client holding it), CORS for every origin, and refuse anything but GET."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from activities.models import ActivityPage
from openreferral import ids
from openreferral.selectors import METRES_PER_MILE
from openreferral.vocabulary import CATEGORIES, term_id
from venues.geo import distance_miles, locate_postcode

API = "/api/oruk"


def _ids(client, path="/services", **params) -> set[str]:
    body = client.get(f"{API}{path}", {"per_page": 1000, **params}).json()
    assert body["total_items"] == len(body["contents"])
    return {item.get("service_id", item["id"]) for item in body["contents"]}


def test_paging_covers_every_service_once(client, demo):
    everything = _ids(client)
    pages = [client.get(f"{API}/services", {"per_page": 7, "page": n}).json() for n in range(1, 12)]
    seen = [item["id"] for page in pages for item in page["contents"]]
    assert sorted(seen) == sorted(everything)
    assert pages[-1]["empty"] is True and pages[-1]["contents"] == []


def test_organization_id_narrows_to_that_provider(client, demo):
    provider = demo.providers[0]
    expected = {
        ids.service_id(pk)
        for pk in ActivityPage.objects.live().filter(provider=provider).values_list("pk", flat=True)
    } & _ids(client)
    assert _ids(client, organization_id=ids.organization_id(provider.pk)) == expected
    assert _ids(client, organization_id="00000000-0000-4000-8000-000000000000") == set()


def test_taxonomy_term_and_taxonomy_narrow(client, demo):
    everything = _ids(client)
    walking = {
        ids.service_id(pk)
        for pk in ActivityPage.objects.filter(categories__slug="walking").values_list(
            "pk", flat=True
        )
    } & everything
    assert walking
    assert _ids(client, taxonomy_term_id=term_id(CATEGORIES, "walking")) == walking
    with_topic = _ids(client, taxonomy_id=ids.taxonomy_id(CATEGORIES))
    any_topic = {
        ids.service_id(pk)
        for pk in ActivityPage.objects.filter(categories__isnull=False).values_list("pk", flat=True)
    } & everything
    assert with_topic == any_topic
    assert walking < with_topic <= everything
    assert _ids(client, taxonomy_term_id="00000000-0000-4000-8000-000000000000") == set()


def test_search_and_modified_after_narrow(client, demo):
    everything = _ids(client)
    found = _ids(client, search="walk")
    titled = {
        ids.service_id(pk)
        for pk in ActivityPage.objects.filter(title__icontains="walk").values_list("pk", flat=True)
    } & everything
    assert titled and titled <= found < everything
    assert _ids(client, modified_after="2000-01-01T00:00:00Z") == everything
    assert _ids(client, modified_after="2999-01-01T00:00:00Z") == set()


def test_modified_after_gives_exactly_the_services_changed_since(client, demo):
    # Arrange: two listings changed later than every other
    later = list(ActivityPage.objects.live().order_by("pk").values_list("pk", flat=True)[:2])
    ActivityPage.objects.filter(pk__in=later).update(
        last_published_at=datetime(2030, 6, 1, 12, tzinfo=UTC)
    )
    cache.clear()

    # Act
    since = _ids(client, modified_after="2030-06-01T00:00:00Z")
    body = client.get(f"{API}/services", {"modified_after": "2030-06-01T12:00:00Z"}).json()

    # Assert: on or after the moment given
    assert since == {ids.service_id(pk) for pk in later}
    assert {s["id"] for s in body["contents"]} == since
    assert {s["last_modified"] for s in body["contents"]} == {"2030-06-01T12:00:00Z"}


def test_postcode_and_proximity_narrow_service_at_locations(client, demo):
    everywhere = _ids(client, "/service_at_locations")
    near = _ids(client, "/service_at_locations", postcode="L1 4DQ", proximity="1500")
    assert near and near < everywhere


def test_proximity_keeps_exactly_the_places_within_it_nearest_first(client, demo):
    # Arrange: every physical place's distance from the postcode, measured here
    centre = locate_postcode("L1 4DQ")
    body = client.get(f"{API}/service_at_locations", {"per_page": 1000}).json()
    metres = {
        item["service_id"]: distance_miles(
            (centre.latitude, centre.longitude),
            (item["location"]["latitude"], item["location"]["longitude"]),
        )
        * METRES_PER_MILE
        for item in body["contents"]
        if "latitude" in item["location"]
    }

    # Act
    found = client.get(
        f"{API}/service_at_locations", {"per_page": 1000, "postcode": "L1 4DQ", "proximity": 1500}
    ).json()["contents"]

    # Assert: within 1% (the API's flat-earth distance), and in order of distance
    order = [item["service_id"] for item in found]
    assert {sid for sid, m in metres.items() if m < 1485} <= set(order)
    assert all(metres[sid] < 1515 for sid in order)
    assert [round(metres[sid]) for sid in order] == sorted(round(metres[sid]) for sid in order)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"per_page": "x"},
        {"modified_after": "yesterday"},
        {"postcode": "NOT A CODE"},
        {"proximity": "100"},
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, demo, params):
    response = client.get(f"{API}/services", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_etag_gives_304_and_cors_is_open(client, demo):
    first = client.get(f"{API}/services")
    again = client.get(f"{API}/services", HTTP_IF_NONE_MATCH=first["ETag"])
    assert first.status_code == 200 and again.status_code == 304
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in first["Cache-Control"]
    assert client.post(f"{API}/services").status_code == 405


def test_unknown_id_is_a_404(client, demo):
    assert client.get(f"{API}/services/not-a-service").status_code == 404
