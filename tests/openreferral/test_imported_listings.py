"""Listings read in from a feed are ordinary activities of their provider: duplicate detection
sees them, and their editors may not change them (the feed is their source)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from activities.models import ActivityPage
from tests.factories import ActivityFactory

ONE_SERVICE = {
    "contents": [
        {
            "id": "00000000-0000-4000-8000-000000000001",
            "name": "Friday walk",
            "description": "A walk round the park.",
            "status": "active",
            "schedules": [
                {
                    "id": "00000000-0000-4000-8001-000000000001",
                    "freq": "WEEKLY",
                    "byday": "FR",
                    "dtstart": "2026-01-02",
                    "opens_at": "10:00",
                    "closes_at": "11:00",
                }
            ],
            "service_at_locations": [
                {
                    "id": "00000000-0000-4000-8002-000000000001",
                    "location": {
                        "id": "00000000-0000-4000-8003-000000000001",
                        "location_type": "physical",
                        "name": "Sefton Park Palm House",
                        "addresses": [
                            {
                                "id": "00000000-0000-4000-8004-000000000001",
                                "address_1": "Sefton Park",
                                "city": "Liverpool",
                                "state_province": "Merseyside",
                                "postal_code": "L17 1AP",
                                "country": "GB",
                                "address_type": "physical",
                            }
                        ],
                    },
                }
            ],
        }
    ]
}


@pytest.fixture
def imported(provider_a, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(ONE_SERVICE))
    call_command("import_oruk", str(path), as_provider=provider_a.title)
    return ActivityPage.objects.get(ref="00000000-0000-4000-8000-000000000001")


def _edit(client, user, page):
    client.force_login(user)
    return client.get(f"/admin/pages/{page.pk}/edit/")


def test_editor_may_not_edit_an_imported_listing(client, editor_a, imported):
    response = _edit(client, editor_a, imported)

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "comes from Mersey Minds&#x27;s Open Referral feed, so it is read-only" in (
        page.content.decode()
    )


def test_editor_may_still_edit_their_own_listings(client, editor_a, imported, provider_a):
    own = ActivityFactory(parent=provider_a)

    assert _edit(client, editor_a, own).status_code == 200


def test_city_admin_may_edit_an_imported_listing(client, city_admin, imported):
    assert _edit(client, city_admin, imported).status_code == 200


def test_editor_may_not_delete_an_imported_listing(client, editor_a, imported):
    client.force_login(editor_a)

    response = client.post(f"/admin/pages/{imported.pk}/delete/")

    assert response.status_code == 302
    assert ActivityPage.objects.filter(pk=imported.pk).exists()


@pytest.mark.django_db
def test_imported_listings_take_part_in_duplicate_detection(client, demo, tmp_path):
    # Arrange: our own feed, read back in as another organisation (the demo stays)
    services, page = [], 1
    while True:
        body = client.get("/api/oruk/services", {"full": "true", "page": page}).json()
        services += body["contents"]
        if body["last_page"]:
            break
        page += 1
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"contents": services}))
    call_command("import_oruk", str(path), as_provider="Elsewhere CIC")

    # Act
    out = io.StringIO()
    call_command("find_duplicates", "--json", stdout=out)

    # Assert: the same groups, now listed twice, are found as pairs across the two
    pairs = json.loads(out.getvalue())
    across = [p for p in pairs if "Elsewhere CIC" in (p["a_provider"], p["b_provider"])]
    assert len(across) >= len(services) // 2
    assert all(p["a_provider"] != p["b_provider"] for p in across)
