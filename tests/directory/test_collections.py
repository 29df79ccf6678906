"""Image collections belong to a provider by id, not by name (issue 10)."""

from __future__ import annotations

import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from directory.services import provider_editor_add

pytestmark = pytest.mark.django_db


def test_editor_of_a_same_named_provider_gets_no_rights_on_the_others_images(
    client, provider_a, editor_a, provider_b
):
    provider_a.refresh_from_db()
    own = provider_a.collection
    assert own is not None and own.name == "Mersey Minds"
    get_image_model().objects.create(
        title="Mersey Minds poster", file=get_test_image_file(), collection=own
    )
    # A is renamed (its collection keeps the old name); B's editor renames their organisation
    # to A's old title, the collection's name, then a new editor is added to B.
    provider_a.title = "Mersey Minds Trust"
    provider_a.save()
    provider_b.title = "Mersey Minds"
    provider_b.save()
    bob, _ = provider_editor_add(provider=provider_b, username="bob", email="b@example.org")

    provider_b.refresh_from_db()
    assert provider_b.collection_id not in (None, own.pk)
    client.force_login(bob)
    response = client.get("/admin/images/")
    assert response.status_code == 200
    assert "Mersey Minds poster" not in response.content.decode()


def test_a_provider_keeps_its_collection_when_renamed(provider_a, editor_a):
    provider_a.refresh_from_db()
    collection_id = provider_a.collection_id
    provider_a.title = "Mersey Minds Trust"
    provider_a.save()
    provider_editor_add(provider=provider_a, username="ann", email="ann@example.org")
    provider_a.refresh_from_db()
    assert provider_a.collection_id == collection_id
    assert Collection.objects.filter(depth=2).count() == 1
