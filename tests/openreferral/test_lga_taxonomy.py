"""Our topics carry the LGA service type that fits them (openreferral.lga): published at
/taxonomies and /taxonomy_terms (only the terms we use), linked from each service beside our
own term, usable as a filter, and read back in from another publisher's feed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from activities.models import ActivityPage, Category
from openreferral import ids, lga, validation
from openreferral.vocabulary import CATEGORIES, LGA_SERVICE_TYPES, term_id

API = "/api/oruk"
DEMO = Path(__file__).resolve().parents[2] / "directory" / "demo" / "liverpool-timetable.csv"


def _get(client, path: str, **params) -> dict:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _service_ids(client, **params) -> set[str]:
    body = _get(client, "/services", per_page=1000, **params)
    return {s["id"] for s in body["contents"]}


def _in_topics(slugs) -> set[str]:
    return {
        ids.service_id(pk)
        for pk in ActivityPage.objects.filter(categories__slug__in=slugs).values_list(
            "pk", flat=True
        )
    }


def test_every_demo_topic_is_mapped_or_listed_as_unmapped():
    with DEMO.open(encoding="utf-8") as handle:
        names = {n.strip() for row in csv.DictReader(handle) for n in row["category"].split(";")}
    slugs = {_slug(name) for name in names if name}

    assert slugs == set(lga.mapped_slugs()) | set(lga.UNMAPPED)
    assert not set(lga.mapped_slugs()) & set(lga.UNMAPPED)
    for slug, name, identifier in lga.TOPICS:
        assert _slug(name) == slug
        assert identifier in lga.SERVICE_TYPES


def _slug(name: str) -> str:
    category = Category(name=name)
    category.clean()
    return category.slug


def test_lga_taxonomy_lists_only_the_terms_our_topics_use(client, demo):
    # Act
    taxonomies = _get(client, "/taxonomies")["contents"]
    detail = _get(client, f"/taxonomies/{ids.taxonomy_id(LGA_SERVICE_TYPES)}")
    terms = _get(client, "/taxonomy_terms", taxonomy_id=detail["id"], per_page=1000)

    # Assert
    lga_taxonomy = next(t for t in taxonomies if t["id"] == detail["id"])
    assert lga_taxonomy["uri"] == "http://id.esd.org.uk/list/services"
    used = {
        lga.service_type_of(slug).identifier
        for slug in Category.objects.filter(activities__isnull=False).values_list("slug", flat=True)
        if lga.service_type_of(slug)
    }
    assert {t["term"] for t in detail["taxonomy_terms"]} == used
    assert {t["term"] for t in terms["contents"]} == used
    mental = next(t for t in terms["contents"] if t["term"] == "1284")
    assert (mental["name"], mental["term_uri"]) == (
        "Mental health support",
        "http://id.esd.org.uk/service/1284",
    )
    for body, kind in (
        (detail, "taxonomy"),
        (terms, "taxonomy_term_list"),
        (mental, "taxonomy_term"),
    ):
        assert validation.check(kind, body).result == "pass"
    assert _get(client, f"/taxonomy_terms/{mental['id']}") == mental


def test_service_links_its_lga_term_beside_its_own_topic(client, demo):
    # Arrange
    peer = ActivityPage.objects.live().filter(categories__slug="peer-support").first()
    social_only = (
        ActivityPage.objects.live()
        .filter(categories__slug="social")
        .exclude(categories__slug__in=lga.mapped_slugs())
        .first()
    )

    # Act
    service = _get(client, f"/services/{ids.service_id(peer.pk)}")
    social = _get(client, f"/services/{ids.service_id(social_only.pk)}")

    # Assert
    terms = {a["taxonomy_term_id"] for a in service["attributes"]}
    assert term_id(CATEGORIES, "peer-support") in terms
    assert term_id(LGA_SERVICE_TYPES, "1284") in terms
    uris = [a["taxonomy_term"].get("term_uri") for a in service["attributes"]]
    assert uris.count("http://id.esd.org.uk/service/1284") == 1
    assert not any(
        a["taxonomy_term"]["taxonomy_id"] == ids.taxonomy_id(LGA_SERVICE_TYPES)
        for a in social["attributes"]
    )
    assert validation.check("service", service).result == "pass"


def test_lga_term_and_taxonomy_filters_narrow_to_the_mapped_topics(client, demo):
    everything = _service_ids(client)
    mental = _in_topics(lga.topic_slugs_of("1284")) & everything
    mapped = _in_topics(lga.mapped_slugs()) & everything

    by_term = _service_ids(client, taxonomy_term_id=term_id(LGA_SERVICE_TYPES, "1284"))
    by_taxonomy = _service_ids(client, taxonomy_id=ids.taxonomy_id(LGA_SERVICE_TYPES))

    assert mental and by_term == mental
    assert by_taxonomy == mapped
    assert mental < mapped < everything


FOREIGN = {
    "contents": [
        {
            "id": "c0a1c11e-0000-4000-8000-000000004471",
            "name": "Chair exercise class",
            "description": "Gentle seated exercise.",
            "status": "active",
            "attributes": [
                {
                    "id": "00000000-0000-4000-8000-0000000000a1",
                    "taxonomy_term_id": "00000000-0000-4000-8000-0000000000b1",
                    "taxonomy_term": {
                        "id": "00000000-0000-4000-8000-0000000000b1",
                        "name": "Exercise and fitness classes",
                        "description": "Exercise and fitness classes",
                        "taxonomy": "esdServiceTypes",
                        "term_uri": "https://id.esd.org.uk/service/1789/",
                    },
                },
                {
                    "id": "00000000-0000-4000-8000-0000000000a2",
                    "taxonomy_term_id": "00000000-0000-4000-8000-0000000000b2",
                    "taxonomy_term": {
                        "id": "00000000-0000-4000-8000-0000000000b2",
                        "name": "Older people",
                        "description": "A council's own list",
                        "taxonomy": "Council audiences",
                    },
                },
                {
                    "id": "00000000-0000-4000-8000-0000000000a3",
                    "taxonomy_term_id": "00000000-0000-4000-8000-0000000000b3",
                    "taxonomy_term": {
                        "id": "00000000-0000-4000-8000-0000000000b3",
                        "name": "Allotments",
                        "description": "An LGA service type we do not map",
                        "term_uri": "http://id.esd.org.uk/service/510",
                    },
                },
            ],
        }
    ]
}


@pytest.mark.django_db
def test_import_reads_an_lga_service_type_as_our_topic(tmp_path):
    path = tmp_path / "council.json"
    path.write_text(json.dumps(FOREIGN))

    call_command("import_oruk", str(path), as_provider="Council", stdout=io.StringIO())

    activity = ActivityPage.objects.get(ref="c0a1c11e-0000-4000-8000-000000004471")
    assert list(activity.categories.values_list("name", flat=True)) == ["Physical activity"]
