"""Editors cannot create topics (categories) or audiences through a spreadsheet, since the
admin does not let them. The timetable layout allows any name there, so the file still imports:
an unknown one is left off with a warning naming its row and column and listing the known ones.
City admins (superusers or the City admins group) still create them."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.models import ActivityPage, Audience, Category
from directory.services import city_admins_group_ensure, provider_editor_add
from tests.factories import ProviderFactory
from tests.factories.activities import AudienceFactory, CategoryFactory
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/timetable-import/"
CONFIRM = "/admin/timetable-import/confirm/"


@pytest.fixture
def provider():
    CategoryFactory(name="Walking", slug="walking")
    CategoryFactory(name="Art", slug="art")
    AudienceFactory(name="Women", slug="women")
    return ProviderFactory(title="Hope Wellbeing")


def upload(client, provider, **cells):
    rows = [timetable_row(online="", **cells)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    file = SimpleUploadedFile("timetable.csv", buffer.getvalue().encode())
    return client.post(UPLOAD, {"provider": provider.pk, "file": file})


@pytest.fixture
def editor_client(client, provider):
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)
    return client


@pytest.fixture(params=["superuser", "group"])
def city_admin_client(client, request):
    if request.param == "superuser":
        user = get_user_model().objects.create_superuser("root", password="a-long-password-1")
    else:
        user = get_user_model().objects.create_user("city", password="a-long-password-1")
        user.groups.add(city_admins_group_ensure())
    client.force_login(user)
    return client


def test_editor_unknown_topic_is_left_off_with_a_warning_listing_the_known_ones(
    editor_client, provider
):
    # Act
    response = upload(editor_client, provider, category="Walking; Knitting")
    editor_client.post(CONFIRM, {"token": response.context["token"]})

    # Assert
    assert response.context["problems"] == []
    assert response.context["warnings"] == [
        "Row 2, category: “Knitting” is not one of the directory's topics, and only a city admin "
        "can add one. Use one of: Art, Walking. The row imports without it."
    ]
    page = ActivityPage.objects.get()
    assert list(page.categories.values_list("slug", flat=True)) == ["walking"]
    assert Category.objects.count() == 2


def test_editor_unknown_audience_is_left_off_with_a_warning(editor_client, provider):
    # Act
    response = upload(editor_client, provider, audience="Carers")
    editor_client.post(CONFIRM, {"token": response.context["token"]})

    # Assert
    assert response.context["problems"] == []
    assert [w.split(": ", 1)[0] for w in response.context["warnings"]] == ["Row 2, audience"]
    assert "“Carers” is not one of the directory's audiences" in response.context["warnings"][0]
    assert ActivityPage.objects.get().audiences.count() == 0
    assert Audience.objects.count() == 1


def test_editor_known_topics_by_name_or_slug_import(editor_client, provider):
    # Arrange
    token = upload(editor_client, provider, category="walking; ART", audience="Women").context[
        "token"
    ]

    # Act
    editor_client.post(CONFIRM, {"token": token})

    # Assert
    page = ActivityPage.objects.get()
    assert sorted(page.categories.values_list("slug", flat=True)) == ["art", "walking"]
    assert Category.objects.count() == 2


def test_city_admin_may_create_topics_and_audiences(city_admin_client, provider):
    # Arrange
    token = upload(city_admin_client, provider, category="Knitting", audience="Carers").context[
        "token"
    ]

    # Act
    city_admin_client.post(CONFIRM, {"token": token})

    # Assert
    assert Category.objects.filter(name="Knitting").exists()
    assert Audience.objects.filter(name="Carers").exists()
    assert ActivityPage.objects.get().categories.get().name == "Knitting"
