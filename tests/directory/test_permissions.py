"""The provider boundary, proved through real admin requests.

Provider A's editor works on A's pages; provider B and its activities exist alongside. Wagtail
answers a refused admin action with a redirect to the dashboard and an error message
(wagtail.admin.auth.require_admin_access), so refusals are asserted that way, together with
the database staying as it was.
"""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from activities.models import ActivityPage, Category
from directory.models import ProviderPage
from directory.permissions import CITY_ADMINS
from directory.services import provider_editor_add, provider_editors_group_ensure
from tests.factories import (
    ActivityFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
)
from tests.support.admin_forms import PUBLISH, activity_form_data, edit_url
from venues.models import Venue

DENIED = "Sorry, you do not have permission to access this area."


def last_message(response) -> str:
    # Earlier messages in the same test are still queued: no page displayed them.
    return [str(message).strip() for message in get_messages(response.wsgi_request)][-1]


def assert_denied(response):
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert last_message(response) == DENIED


def provider_form_data(provider, **changes):
    data = nested_form_data(
        {
            "title": provider.title,
            "slug": provider.slug,
            "about": rich_text(provider.about),
            "contact_email": provider.contact_email,
            "contact_phone": provider.contact_phone,
            "website": provider.website,
            "address": provider.address,
            "logo": "",
            "comments": inline_formset([]),
        }
    )
    data.update(changes)
    return data


@pytest.fixture
def activity_a(provider_a):
    activity = ActivityFactory(parent=provider_a, title="Mersey Minds walking group")
    ScheduleFactory(activity=activity)
    return activity


@pytest.fixture
def activity_b(provider_b):
    activity = ActivityFactory(parent=provider_b, title="Bold Street walking group")
    ScheduleFactory(activity=activity)
    return activity


@pytest.fixture
def draft_b(provider_b):
    return ActivityFactory(parent=provider_b, title="Bold Street secret plans", live=False)


@pytest.fixture
def client_a(client, editor_a, activity_a, activity_b):
    client.force_login(editor_a)
    return client


# --- what A's editor may do -------------------------------------------------------------


def test_editor_opens_own_activity_edit_view(client_a, activity_a):
    response = client_a.get(edit_url(activity_a))

    assert response.status_code == 200
    assert response.context["form"]["title"].value() == "Mersey Minds walking group"


def test_editor_publishes_edit_to_own_activity(client_a, activity_a, provider_a):
    category = CategoryFactory(name="Walking")
    data = activity_form_data(
        activity_a,
        title="Mersey Minds walk and talk",
        categories=[category.pk],
        **nested_form_data(
            {"cancellations": inline_formset([{"date": "2030-12-25", "reason": "Christmas"}])}
        ),
        **PUBLISH,
    )

    response = client_a.post(edit_url(activity_a), data)

    # Publishing lands a provider editor on "Your timetable".
    assert (response.status_code, response["Location"]) == (302, reverse("your_timetable"))
    activity = ActivityPage.objects.get(pk=activity_a.pk)
    assert (activity.title, activity.live, activity.has_unpublished_changes) == (
        "Mersey Minds walk and talk",
        True,
        False,
    )
    assert list(activity.categories.values_list("name", flat=True)) == ["Walking"]
    assert [(c.date.isoformat(), c.reason) for c in activity.cancellations.all()] == [
        ("2030-12-25", "Christmas")
    ]
    assert activity.schedules.count() == 1


def test_editor_adds_activity_under_own_provider(client_a, provider_a):
    venue = VenueFactory()
    data = nested_form_data(
        {
            "title": "Mersey Minds art club",
            "slug": "art-club",
            "kind": "group",
            "ref": "ART-1",
            "description": "Paint, draw and chat.",
            "venue": venue.pk,
            "cost": "Free",
            "capacity_status": "places",
            "cancelled_sessions": "fewer",
            "self_referral": "on",
            "schedules": inline_formset(
                [
                    {
                        "frequency": "weekly",
                        "first_date": "2030-01-07",
                        "start_time": "13:00",
                        "end_time": "15:00",
                    }
                ]
            ),
            "cancellations": inline_formset([]),
            "features": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    add_url = reverse("wagtailadmin_pages:add", args=["activities", "activitypage", provider_a.pk])

    response = client_a.post(add_url, {**data, **PUBLISH})

    assert response.status_code == 302
    activity = ActivityPage.objects.get(slug="art-club")
    assert (activity.get_parent().pk, activity.provider_id, activity.live) == (
        provider_a.pk,
        provider_a.pk,
        True,
    )


def test_editor_edits_own_provider_page(client_a, provider_a):
    response = client_a.post(
        edit_url(provider_a), {**provider_form_data(provider_a, contact_phone="0151 000 0000")}
    )

    assert response.status_code == 302
    provider = ProviderPage.objects.get(pk=provider_a.pk)
    assert provider.get_latest_revision_as_object().contact_phone == "0151 000 0000"


def test_editor_deletes_own_single_activity(client_a, activity_a):
    # Deleting one listing is everyday work; what editors lack is bulk delete (a page with
    # everything under it), so one slip cannot remove a whole timetable.
    response = client_a.post(reverse("wagtailadmin_pages:delete", args=[activity_a.pk]))

    assert response.status_code == 302
    assert not ActivityPage.objects.filter(pk=activity_a.pk).exists()


# --- what A's editor may not do to B --------------------------------------------------------


def test_editor_cannot_open_other_providers_activity(client_a, activity_b):
    assert_denied(client_a.get(edit_url(activity_b)))


def test_editor_cannot_edit_other_providers_activity(client_a, activity_b):
    data = activity_form_data(activity_b, title="Hijacked", **PUBLISH)

    response = client_a.post(edit_url(activity_b), data)

    assert_denied(response)
    activity = ActivityPage.objects.get(pk=activity_b.pk)
    assert (activity.title, activity.latest_revision_id) == ("Bold Street walking group", None)


def test_editor_cannot_add_under_other_provider(client_a, provider_b):
    add_url = reverse("wagtailadmin_pages:add", args=["activities", "activitypage", provider_b.pk])
    data = nested_form_data(
        {
            "title": "Planted",
            "slug": "planted",
            "kind": "group",
            "ref": "P-1",
            "description": "Not theirs to add.",
            "online": "on",
            "meeting_link": "https://example.org/meet",
            "capacity_status": "places",
            "schedules": inline_formset([]),
            "cancellations": inline_formset([]),
            "features": inline_formset([]),
            "comments": inline_formset([]),
        }
    )

    assert_denied(client_a.get(add_url))
    assert_denied(client_a.post(add_url, {**data, **PUBLISH}))
    assert not ActivityPage.objects.filter(slug="planted").exists()
    assert provider_b.get_children().count() == 1


def test_editor_cannot_publish_other_providers_draft(client_a, draft_b):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])

    response = client_a.post(f"{url}?id={draft_b.pk}")

    # Bulk actions skip the pages the user may not touch, and say how many were done.
    assert (response.status_code, last_message(response)) == (302, "0 pages have been published")
    assert ActivityPage.objects.get(pk=draft_b.pk).live is False


def test_editor_cannot_unpublish_other_providers_page(client_a, activity_b):
    response = client_a.post(reverse("wagtailadmin_pages:unpublish", args=[activity_b.pk]))

    assert_denied(response)
    assert ActivityPage.objects.get(pk=activity_b.pk).live is True


def test_editor_cannot_bulk_unpublish_other_providers_page(client_a, activity_b):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])

    response = client_a.post(f"{url}?id={activity_b.pk}")

    # Bulk actions skip the pages the user may not touch, and say how many were done.
    assert (response.status_code, last_message(response)) == (302, "0 pages have been unpublished")
    assert ActivityPage.objects.get(pk=activity_b.pk).live is True


def test_editor_cannot_delete_other_providers_page(client_a, activity_b):
    response = client_a.post(reverse("wagtailadmin_pages:delete", args=[activity_b.pk]))

    assert_denied(response)
    assert ActivityPage.objects.filter(pk=activity_b.pk).exists()


def test_editor_cannot_bulk_delete_other_providers_page(client_a, activity_b):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])

    response = client_a.post(f"{url}?id={activity_b.pk}")

    # Bulk actions skip the pages the user may not touch, and say how many were done.
    assert (response.status_code, last_message(response)) == (302, "0 pages have been deleted")
    assert ActivityPage.objects.filter(pk=activity_b.pk).exists()


def test_editor_cannot_move_own_activity_under_other_provider(
    client_a, activity_a, provider_a, provider_b
):
    url = reverse("wagtailadmin_pages:move_confirm", args=[activity_a.pk, provider_b.pk])

    response = client_a.post(url)

    assert_denied(response)
    activity = ActivityPage.objects.get(pk=activity_a.pk)
    assert (activity.get_parent().pk, activity.provider_id) == (provider_a.pk, provider_a.pk)


def test_editor_cannot_copy_own_activity_under_other_provider(client_a, activity_a, provider_b):
    response = client_a.post(
        reverse("wagtailadmin_pages:copy", args=[activity_a.pk]),
        {"new_title": "Copied", "new_slug": "copied", "new_parent_page": provider_b.pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_parent_page"] == [
        'You do not have permission to copy to page "Bold Street Wellbeing"'
    ]
    assert not ActivityPage.objects.filter(slug="copied").exists()


def test_editor_cannot_edit_other_provider_page(client_a, provider_b):
    response = client_a.post(edit_url(provider_b), provider_form_data(provider_b, title="Ours"))

    assert_denied(response)
    assert ProviderPage.objects.get(pk=provider_b.pk).title == "Bold Street Wellbeing"


def test_providers_sharing_a_title_get_separate_editor_groups(db, client):
    # Names are unique, but a group keeps its name when its provider is renamed.
    north = ProviderFactory(title="Mind", slug="mind-north")
    editor, _ = provider_editor_add(provider=north, username="nina", email="n@example.org")
    north.title = "Mind North"
    north.save()
    south = ProviderFactory(title="Mind", slug="mind-south")
    provider_editors_group_ensure(provider=south)
    client.force_login(editor)

    response = client.get(edit_url(south))

    assert_denied(response)
    assert (north.editors_group.name, ProviderPage.objects.get(pk=south.pk).editors_group.name) == (
        "Mind editors",
        f"Mind editors ({south.pk})",
    )


# --- their own provider page stays put ------------------------------------------------------


@pytest.fixture
def empty_provider_editor(db, client):
    # With no activities under it, Wagtail alone would let "change" delete the page.
    provider = ProviderFactory(title="Fresh Start")
    user, _ = provider_editor_add(provider=provider, username="fran", email="f@example.org")
    client.force_login(user)
    return provider


def test_editor_cannot_delete_own_empty_provider_page(client, empty_provider_editor):
    url = reverse("wagtailadmin_pages:delete", args=[empty_provider_editor.pk])

    assert_denied(client.get(url))
    assert_denied(client.post(url))
    assert ProviderPage.objects.filter(pk=empty_provider_editor.pk).exists()


def test_editor_cannot_bulk_delete_own_empty_provider_page(client, empty_provider_editor):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])

    response = client.post(f"{url}?id={empty_provider_editor.pk}")

    assert_denied(response)
    assert ProviderPage.objects.filter(pk=empty_provider_editor.pk).exists()


def test_editor_cannot_delete_own_provider_page_with_activities(client_a, provider_a):
    response = client_a.post(reverse("wagtailadmin_pages:delete", args=[provider_a.pk]))

    assert_denied(response)
    assert ProviderPage.objects.filter(pk=provider_a.pk).exists()


def test_search_results_offer_editor_no_delete_for_own_provider(client, empty_provider_editor):
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "Fresh Start"})

    html = response.content.decode()
    assert edit_url(empty_provider_editor) in html
    assert reverse("wagtailadmin_pages:delete", args=[empty_provider_editor.pk]) not in html


def test_search_results_offer_city_admin_delete_for_provider(client, city_admin):
    provider = ProviderFactory(title="Fresh Start")
    client.force_login(city_admin)

    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "Fresh Start"})

    assert reverse("wagtailadmin_pages:delete", args=[provider.pk]) in response.content.decode()


# --- what A's editor sees ---------------------------------------------------------------------


def listed_titles(response):
    return sorted(page.title for page in response.context["pages"])


def test_explorer_root_redirects_editor_to_own_provider(client_a, provider_a):
    response = client_a.get(reverse("wagtailadmin_explore_root"))

    assert response["Location"] == reverse("wagtailadmin_explore", args=[provider_a.pk])


def test_provider_index_listing_redirects_editor_to_own_provider(client_a, provider_a, provider_b):
    index_url = reverse("wagtailadmin_explore", args=[provider_a.get_parent().pk])
    other_url = reverse("wagtailadmin_explore", args=[provider_b.pk])

    responses = [client_a.get(index_url), client_a.get(other_url)]

    own_url = reverse("wagtailadmin_explore", args=[provider_a.pk])
    assert [r["Location"] for r in responses] == [own_url, own_url]


def test_explorer_lists_only_own_activities(client_a, provider_a):
    response = client_a.get(reverse("wagtailadmin_explore", args=[provider_a.pk]))

    assert listed_titles(response) == ["Mersey Minds walking group"]


def test_editor_of_two_providers_sees_both_but_not_a_third(client, editor_a, provider_a):
    provider_c = ProviderFactory(title="Anfield Allotments")
    ProviderFactory(title="Bold Street Wellbeing")
    provider_editor_add(provider=provider_c, username="alice")
    client.force_login(editor_a)

    response = client.get(reverse("wagtailadmin_explore", args=[provider_a.get_parent().pk]))

    assert listed_titles(response) == ["Anfield Allotments", "Mersey Minds"]


def test_admin_search_finds_only_own_activities(client_a):
    response = client_a.get(reverse("wagtailadmin_pages:search"), {"q": "walking"})

    assert listed_titles(response) == ["Mersey Minds walking group"]


def test_page_chooser_shows_other_providers_live_pages_not_drafts(client_a, provider_b, draft_b):
    response = client_a.get(reverse("wagtailadmin_choose_page_child", args=[provider_b.pk]))

    html = json.loads(response.content)["html"]
    assert "Bold Street walking group" in html
    assert "Bold Street secret plans" not in html


def test_page_chooser_search_hides_other_providers_drafts(client_a, draft_b):
    response = client_a.get(reverse("wagtailadmin_choose_page_search"), {"q": "Bold Street"})

    html = response.content.decode()
    assert "Bold Street walking group" in html
    assert "Bold Street secret plans" not in html


def sidebar_menu_names(response):
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    ).group(1)
    return set(re.findall(r'"name": "([^"]+)"', props))


def test_editor_menu_has_only_what_they_can_use(client_a):
    names = sidebar_menu_names(client_a.get(reverse("wagtailadmin_home")))

    assert {"explorer", "venues", "your-timetable"} <= names
    assert not names & {
        "snippets",
        "topics-and-audiences",
        "settings",
        "users",
        "documents",
        "images",
        "reports",
        "help",
    }


def test_city_admin_menu_has_topics_and_audiences(client, city_admin):
    client.force_login(city_admin)

    names = sidebar_menu_names(client.get(reverse("wagtailadmin_home")))

    assert {"explorer", "venues", "topics-and-audiences"} <= names


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_links_editor_to_own_provider(client_a, provider_a, provider_b):
    response = client_a.get(reverse("wagtailadmin_home"))

    html = response.content.decode()
    panel = html[html.index('id="your-organisation-section"') :]
    panel = panel[: panel.index("</section>")]
    assert re.findall(r'<a href="(/admin/[^"]+)"', panel) == [
        reverse("wagtailadmin_explore", args=[provider_a.pk]),
        reverse("wagtailadmin_pages:add", args=["activities", "activitypage", provider_a.pk]),
    ]
    assert "Mersey Minds" in panel


def test_dashboard_has_no_organisation_panel_for_city_admin(client, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    assert "your-organisation" not in response.content.decode()


# --- the rest of the admin --------------------------------------------------------------------


def test_there_is_no_django_admin_to_reach(client_a):
    # Users and groups are managed in Wagtail's admin; Django's own admin is not mounted.
    assert client_a.get("/django-admin/").status_code == 404
    assert client_a.get("/django-admin/login/").status_code == 404


@pytest.mark.parametrize("url_name", ["wagtailusers_users:index", "wagtailusers_groups:index"])
def test_editor_cannot_manage_users(client_a, url_name):
    assert_denied(client_a.get(reverse(url_name)))


@pytest.mark.parametrize("model", ["category", "audience"])
def test_editor_cannot_edit_taxonomy(client_a, model):
    assert_denied(client_a.get(reverse(f"wagtailsnippets_activities_{model}:list")))
    assert_denied(client_a.get(reverse(f"wagtailsnippets_activities_{model}:add")))


def test_editor_cannot_rename_category(client_a):
    category = CategoryFactory(name="Walking", slug="walking")
    url = reverse("wagtailsnippets_activities_category:edit", args=[category.pk])

    response = client_a.post(url, {"name": "Renamed", "slug": "walking", "description": ""})

    assert_denied(response)
    assert Category.objects.get(pk=category.pk).name == "Walking"


# --- venues: shared, editors add and change but do not delete ---------------------------------


def test_editor_creates_venue(client_a):
    data = {
        "name": "Toxteth Library",
        "slug": "toxteth-library",
        "address": "Windsor Street",
        "postcode": "L8 1XF",
        "latitude": "",
        "longitude": "",
        "phone": "",
        "access_guide_url": "",
        "access_notes": "",
        **nested_form_data({"features": inline_formset([])}),
    }

    response = client_a.post(reverse("wagtailsnippets_venues_venue:add"), data)

    assert response.status_code == 302
    venue = Venue.objects.get(slug="toxteth-library")
    assert (venue.name, venue.postcode) == ("Toxteth Library", "L8 1XF")


def test_editor_cannot_delete_venue(client_a):
    venue = VenueFactory()

    response = client_a.post(reverse("wagtailsnippets_venues_venue:delete", args=[venue.pk]))

    assert_denied(response)
    assert Venue.objects.filter(pk=venue.pk).exists()


# --- city admins ----------------------------------------------------------------------------


def test_city_admins_group_exists_after_migrations(provider_a):
    group = Group.objects.get(name=CITY_ADMINS)

    permissions = GroupPagePermission.objects.filter(group=group)
    assert {p.page.specific_class.__name__ for p in permissions} == {"ProviderIndexPage"}
    assert sorted(p.permission.codename for p in permissions) == [
        "add_page",
        "bulk_delete_page",
        "change_page",
        "lock_page",
        "publish_page",
        "unlock_page",
    ]


@pytest.mark.parametrize("which", ["a", "b"])
def test_city_admin_edits_any_providers_activity(client, city_admin, activity_a, activity_b, which):
    activity = {"a": activity_a, "b": activity_b}[which]
    client.force_login(city_admin)

    response = client.post(edit_url(activity), activity_form_data(activity, cost="£2", **PUBLISH))

    assert response.status_code == 302
    assert ActivityPage.objects.get(pk=activity.pk).cost == "£2"


def test_city_admin_renames_category(client, city_admin):
    category = CategoryFactory(name="Walking", slug="walking")
    client.force_login(city_admin)
    url = reverse("wagtailsnippets_activities_category:edit", args=[category.pk])

    response = client.post(url, {"name": "Walks", "slug": "walking", "description": ""})

    assert response.status_code == 302
    assert Category.objects.get(pk=category.pk).name == "Walks"


def test_city_admin_deletes_empty_provider(client, city_admin):
    provider = ProviderFactory(title="Closed Down")
    client.force_login(city_admin)

    response = client.post(reverse("wagtailadmin_pages:delete", args=[provider.pk]))

    assert response.status_code == 302
    assert not ProviderPage.objects.filter(pk=provider.pk).exists()
