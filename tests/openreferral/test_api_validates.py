"""Every endpoint of /api/oruk/ answers the demo data with a response the ORUK 3.0 schemas
accept (validated offline: openreferral.validation), with consistent paging."""

from __future__ import annotations

import math

import pytest
from django.core.cache import cache

from openreferral import validation

API = "/api/oruk"


def _get(client, path: str, **params):
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def _passes(kind: str, body) -> None:
    verdict = validation.check(kind, body)
    assert (verdict.result, verdict.problems) == ("pass", [])


def _paging_consistent(body: dict, *, per_page: int) -> None:
    total, count = body["total_items"], len(body["contents"])
    assert body["size"] == count
    assert body["total_pages"] == max(1, math.ceil(total / per_page))
    assert body["first_page"] == (body["page_number"] == 1)
    assert body["last_page"] == (body["page_number"] >= body["total_pages"])
    assert body["empty"] == (count == 0)


LISTS = [
    ("/services", "service_list", "service"),
    ("/organizations", "organization_list", "organization"),
    ("/taxonomies", "taxonomy_list", "taxonomy"),
    ("/taxonomy_terms", "taxonomy_term_list", "taxonomy_term"),
    ("/service_at_locations", "service_at_location_list", "service_at_location"),
]


def test_api_details_validates(client, demo):
    _passes("api_details", _get(client, "/"))


@pytest.mark.parametrize(("path", "list_kind", "item_kind"), LISTS)
@pytest.mark.parametrize("full", ["false", "true"])
def test_every_list_and_every_item_validates_on_the_demo(
    client, demo, path, list_kind, item_kind, full
):
    # Act: every page of the list, then every item by its id
    first = _get(client, path, per_page=20, full=full)
    pages = [first] + [
        _get(client, path, per_page=20, full=full, page=n)
        for n in range(2, first["total_pages"] + 1)
    ]

    # Assert
    items = [item for page in pages for item in page["contents"]]
    assert first["total_items"] == len(items) > 0
    assert len({item["id"] for item in items}) == len(items)
    for page in pages:
        _passes(list_kind, page)
        _paging_consistent(page, per_page=20)
    for item in items[:: 1 if full == "true" else 7]:
        _passes(item_kind, _get(client, f"{path}/{item['id']}"))


def test_services_of_the_demo_carry_schedules_locations_and_attributes(client, demo):
    # Act
    services = _get(client, "/services", per_page=1000, full="true")["contents"]

    # Assert
    schedules = [s for service in services for s in service["schedules"]]
    assert {s.get("freq") for s in schedules} >= {"WEEKLY", "MONTHLY", None}
    assert {s.get("interval") for s in schedules if s.get("freq") == "WEEKLY"} == {1, 2}
    monthly = [s for s in schedules if s.get("freq") == "MONTHLY"]
    assert all(s["byday"][:-2] in {"1", "2", "3", "4", "-1"} for s in monthly)
    assert all(s["opens_at"] < s["closes_at"] and s["description"] for s in schedules)
    types = {
        sal["location"]["location_type"] for s in services for sal in s["service_at_locations"]
    }
    assert types == {"physical", "virtual"}
    codes = {a["taxonomy_term"]["term"] for s in services for a in s["attributes"]}
    assert {"kind", "referral_route", "how_to_join"} <= codes


def test_ids_are_stable_between_requests(client, demo):
    # Act
    first = _get(client, "/services", per_page=1000, full="true")
    cache.clear()
    second = _get(client, "/services", per_page=1000, full="true")

    # Assert
    assert first == second
