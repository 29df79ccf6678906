"""Round trip: our ORUK feed, imported into an empty site as another provider, gives the same
timetable: every session date (activities.recurrence) of every activity."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from activities.models import ActivityPage
from directory.demo.services import demo_remove
from openreferral import ids
from openreferral.models import SourcedListing
from openreferral.serializers import session_dates
from tests.support import dates


def _export(client) -> list[dict]:
    services, page = [], 1
    while True:
        body = client.get("/api/oruk/services", {"full": "true", "per_page": 25, "page": page})
        body = body.json()
        services += body["contents"]
        if body["last_page"]:
            return services
        page += 1


def _timetables(activities, key) -> dict:
    start = dates.today() - timedelta(days=7)
    end = start + timedelta(days=800)
    return {key(a): session_dates(a, start=start, end=end) for a in activities}


@pytest.mark.django_db
def test_exported_feed_imports_as_another_provider_with_the_same_timetables(client, demo, tmp_path):
    # Arrange: export the demo, note every activity's sessions, then empty the site
    services = _export(client)
    published = ActivityPage.objects.filter(
        pk__in=[a.pk for a in ActivityPage.objects.live()]
    ).prefetch_related("schedules", "cancellations")
    before = _timetables(published, key=lambda a: ids.service_id(a.pk))
    before = {sid: days for sid, days in before.items() if sid in {s["id"] for s in services}}
    topics_before = {
        ids.service_id(a.pk): sorted(c.name for c in a.categories.all())
        for a in published.prefetch_related("categories")
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"contents": services}))
    demo_remove()
    assert not ActivityPage.objects.exists()

    # Act
    call_command("import_oruk", str(path), as_provider="Elsewhere CIC")

    # Assert
    imported = ActivityPage.objects.filter(provider__title="Elsewhere CIC").prefetch_related(
        "schedules", "cancellations"
    )
    source = dict(SourcedListing.objects.values_list("activity_id", "source_id"))
    after = _timetables(imported, key=lambda a: source[a.pk])
    assert len(after) == len(services) == len(before)
    assert after == before
    assert sum(len(days) for days in after.values()) > 500
    # Topics come back as they were: our own terms, not the LGA service types beside them.
    topics_after = {
        source[a.pk]: sorted(c.name for c in a.categories.all())
        for a in imported.prefetch_related("categories")
    }
    assert topics_after == {sid: topics_before[sid] for sid in after}
