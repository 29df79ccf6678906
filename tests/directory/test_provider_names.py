"""Two organisations can never share a name (ignoring case and spaces)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import Page

from directory.forms import NAME_TAKEN
from directory.models import ProviderIndexPage, ProviderPage
from directory.names import provider_name_key
from directory.services import provider_find
from tests.directory.test_permissions import provider_form_data
from tests.factories import ProviderFactory
from tests.support.admin_forms import PUBLISH, edit_url

migration = importlib.import_module("directory.migrations.0005_provider_name_unique")


def test_name_key_folds_case_spaces_and_unicode_forms():
    assert provider_name_key("  Mersey   MINDS ") == provider_name_key("mersey minds")
    assert provider_name_key("Caf\u00e9") == provider_name_key("Cafe\u0301")


def test_database_refuses_a_second_provider_with_the_same_name(provider_a):
    other = ProviderFactory(title="Someone else")

    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderPage.objects.filter(pk=other.pk).update(name_key=provider_a.name_key)


def test_saving_a_provider_with_another_ones_name_is_a_validation_error(provider_a):
    with pytest.raises(ValidationError, match="Another organisation already uses this name"):
        ProviderFactory(title="  MERSEY minds ")


def test_editor_renaming_to_another_providers_name_gets_a_clear_error(
    client, provider_a, provider_b, editor_a
):
    client.force_login(editor_a)

    response = client.post(
        edit_url(provider_a),
        {**provider_form_data(provider_a, title="bold street  WELLBEING"), **PUBLISH},
    )

    assert response.status_code == 200
    assert escape(NAME_TAKEN) in response.content.decode()
    assert response.context["form"].errors["title"] == [NAME_TAKEN]
    assert ProviderPage.objects.get(pk=provider_a.pk).title == "Mersey Minds"


def test_editor_keeps_own_name_with_other_case(client, provider_a, editor_a):
    client.force_login(editor_a)

    response = client.post(
        edit_url(provider_a), {**provider_form_data(provider_a, title="MERSEY MINDS"), **PUBLISH}
    )

    assert response.status_code == 302
    provider = ProviderPage.objects.get(pk=provider_a.pk)
    assert (provider.title, provider.name_key) == ("MERSEY MINDS", "mersey minds")


def test_city_admin_adding_a_provider_with_a_taken_name_gets_the_error(
    client, city_admin, provider_a, provider_index
):
    client.force_login(city_admin)
    url = reverse("wagtailadmin_pages:add", args=["directory", "providerpage", provider_index.pk])
    fresh = ProviderPage(title="x", slug="mersey-minds-2")

    response = client.post(url, provider_form_data(fresh, title="Mersey Minds"))

    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [NAME_TAKEN]
    assert ProviderPage.objects.count() == 1


def test_migration_renames_duplicate_names_oldest_keeps_it(provider_a):
    second = ProviderFactory(title="Second")
    third = ProviderFactory(title="Third")
    # Names as an older database could hold them (before the constraint).
    Page.objects.filter(pk__in=[second.pk, third.pk]).update(title="mersey MINDS")

    migration.fill_and_deduplicate(apps, None)

    titles = dict(ProviderPage.objects.values_list("pk", "title"))
    keys = dict(ProviderPage.objects.values_list("pk", "name_key"))
    assert [titles[p.pk] for p in (provider_a, second, third)] == [
        "Mersey Minds",
        "mersey MINDS (2)",
        "mersey MINDS (3)",
    ]
    assert keys[third.pk] == "mersey minds (3)"
    assert Page.objects.get(pk=third.pk).draft_title == "mersey MINDS (3)"


def test_provider_find_by_name_wins_over_another_providers_slug(db):
    named = ProviderFactory(title="Mind", slug="mind-liverpool")
    slugged = ProviderFactory(title="Life Rooms", slug="mind")

    assert provider_find(name_or_slug=" MIND ") == named
    assert provider_find(name_or_slug="mind") == named
    assert provider_find(name_or_slug="mind-liverpool") == named
    assert provider_find(name_or_slug="life  rooms") == slugged
    assert ProviderIndexPage.objects.get().get_children().count() == 2


def test_copying_a_provider_under_the_same_name_is_a_form_error(
    client, city_admin, provider_a, provider_index
):
    client.force_login(city_admin)
    url = reverse("wagtailadmin_pages:copy", args=[provider_a.pk])

    def copy(title: str, slug: str):
        data = {"new_title": title, "new_slug": slug, "new_parent_page": provider_index.pk}
        return client.post(url, data)

    response = copy("mersey minds", "mersey-minds-copy")

    assert response.status_code == 200
    assert response.context["form"].errors["new_title"] == [NAME_TAKEN]
    assert ProviderPage.objects.count() == 1
    assert copy("Mersey Minds North", "mersey-minds-north").status_code == 302
    assert ProviderPage.objects.filter(name_key="mersey minds north").exists()
