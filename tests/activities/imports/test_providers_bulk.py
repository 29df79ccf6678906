"""An import that creates many organisations creates them in bulk, as provider_create would."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from activities.imports.services import timetable_import
from directory.models import ProviderPage
from directory.services import provider_create
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db


def _rows(names: list[str]) -> list[dict[str, str]]:
    return [timetable_row(ref=f"R{i}", provider=name) for i, name in enumerate(names)]


def _permissions(provider: ProviderPage) -> tuple:
    group = provider.editors_group
    return (
        sorted(
            GroupPagePermission.objects.filter(group=group, page=provider).values_list(
                "permission__codename", flat=True
            )
        ),
        sorted(group.permissions.values_list("codename", flat=True)),
        sorted(
            GroupCollectionPermission.objects.filter(
                group=group, collection=provider.collection
            ).values_list("permission__codename", flat=True)
        ),
    )


def test_bulk_created_providers_match_provider_create_and_keep_trees_valid():
    reference = provider_create(title="Made One By One")
    Collection.get_first_root_node().add_child(name="Zebra photos")
    names = ["Mersey Mind", "Anfield Arts", "Zest Collective", "made one by one two"]
    result = timetable_import(rows=_rows(names), create_providers=True)

    assert sorted(result.providers_created) == sorted(names)
    for name in names:
        provider = ProviderPage.objects.get(title=name)
        assert provider.live and provider.get_parent().specific_class.__name__ == (
            "ProviderIndexPage"
        )
        assert provider.editors_group.name == f"{name} editors"
        assert provider.collection.name == name
        assert _permissions(provider) == _permissions(reference)
        assert provider.activities.count() == 1
    assert Page.find_problems() == ([], [], [], [], [])
    assert Collection.find_problems() == ([], [], [], [], [])
    children = Collection.get_first_root_node().get_children()
    names_in_path_order = [c.name for c in children]
    assert names_in_path_order == sorted(names_in_path_order)
    assert "Zebra photos" in names_in_path_order


def test_same_title_as_an_existing_group_gets_its_own_group():
    Group.objects.create(name="Mersey Mind editors")
    timetable_import(rows=_rows(["Mersey Mind"]), create_providers=True)
    provider = ProviderPage.objects.get(title="Mersey Mind")
    assert provider.editors_group.name == f"Mersey Mind editors ({provider.pk})"


def _queries_to_create(count: int, start: int) -> tuple[int, int]:
    """(all queries, those on groups, collections and permissions)."""
    names = [f"Organisation {start + i}" for i in range(count)]
    with CaptureQueriesContext(connection) as queries:
        timetable_import(rows=_rows(names), create_providers=True)
    tables = ("auth_group", "wagtailcore_collection", "wagtailcore_grouppagepermission")
    setup = [q for q in queries.captured_queries if any(t in q["sql"] for t in tables)]
    return len(queries.captured_queries), len(setup)


def test_queries_grow_linearly_with_new_providers():
    # Each organisation's activities are their own subtree insert (a few queries each); the
    # organisations themselves, their groups and collections cost the same at any number.
    _queries_to_create(1, 900)  # from now on the root collection has children to keep in order
    few, few_setup = _queries_to_create(2, 0)
    more, more_setup = _queries_to_create(12, 100)
    most, most_setup = _queries_to_create(22, 200)
    assert few_setup == more_setup == most_setup
    per_provider = (most - more) / 10
    assert per_provider <= 11
    assert abs((more - few) / 10 - per_provider) <= 1  # linear, not growing
