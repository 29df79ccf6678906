"""Imports write a revision for every page they create or change, so an editor whose form was
open when an import changed the page cannot silently publish over it."""

from __future__ import annotations

import re

import pytest

from activities.imports.services import timetable_import
from activities.models import ActivityPage
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support.admin_forms import PUBLISH, activity_form_data, edit_url
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return ProviderFactory(title="Hope Wellbeing")


def test_import_gives_each_new_and_changed_page_a_live_revision(provider):
    # Arrange
    timetable_import(rows=[timetable_row(ref="A"), timetable_row(ref="B", title="Walk")])
    first = {p.ref: p.latest_revision_id for p in ActivityPage.objects.all()}

    # Act: B changes, A does not.
    timetable_import(rows=[timetable_row(ref="A"), timetable_row(ref="B", title="Long walk")])

    # Assert
    pages = {p.ref: p for p in ActivityPage.objects.all()}
    assert pages["A"].latest_revision_id == first["A"]
    assert pages["B"].latest_revision_id != first["B"]
    for page in pages.values():
        assert page.live_revision_id == page.latest_revision_id
        assert page.latest_revision.as_object().title == page.title
        assert not page.has_unpublished_changes
    assert [s.first_date for s in pages["B"].latest_revision.as_object().schedules.all()] == [
        s.first_date for s in pages["B"].schedules.all()
    ]
    assert pages["B"].revisions.count() == 2


def loaded_revision(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(loaded_revision_(?:id|created_at))" value="([^"]*)"', html))


def test_stale_edit_form_cannot_publish_over_an_import(client, provider):
    # Arrange: an editor opens the form; then an import changes the title.
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)
    timetable_import(rows=[timetable_row(ref="A", title="Art Group")])
    page = ActivityPage.objects.get()
    opened = client.get(edit_url(page)).content.decode()
    stale = activity_form_data(page, description="Edited by hand.") | loaded_revision(opened)
    timetable_import(rows=[timetable_row(ref="A", title="Art and Craft Group")])

    # Act
    response = client.post(edit_url(page), stale | PUBLISH, follow=True)

    # Assert
    page.refresh_from_db()
    assert (page.title, page.description) == ("Art and Craft Group", "Drawing and painting.")
    assert "was changed after you opened it" in response.content.decode()
    assert set(loaded_revision(opened)) == {"loaded_revision_id", "loaded_revision_created_at"}


def test_edit_form_opened_after_the_import_publishes(client, provider):
    # Arrange
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)
    timetable_import(rows=[timetable_row(ref="A")])
    page = ActivityPage.objects.get()
    opened = client.get(edit_url(page)).content.decode()

    # Act
    response = client.post(
        edit_url(page),
        activity_form_data(page, description="Edited by hand.") | loaded_revision(opened) | PUBLISH,
    )

    # Assert
    page.refresh_from_db()
    assert (response.status_code, page.description) == (302, "Edited by hand.")
    assert page.revisions.count() == 2
