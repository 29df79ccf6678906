"""The admin trimmed to what providers use: the menu, the dashboard and the edit tabs."""

import re

import pytest
from wagtail.admin.menu import admin_menu

from tests.factories import ActivityFactory

# Exactly what a provider editor's admin menu holds, in the order the sidebar shows it.
PROVIDER_MENU = [
    "Pages",
    "Your timetable",
    "Referrals",
    "Venues",
    "Venue changes",
    "Import timetable",
    "Import calendar (.ics)",
    "Duplicates",
    "Listings to check",
    "Problem reports",
]


def _menu_labels(client, user) -> list[str]:
    client.force_login(user)
    response = client.get("/admin/")
    items = admin_menu.menu_items_for_request(response.wsgi_request)
    return [item.label for item in sorted(items, key=lambda item: item.order)]


def test_provider_menu_holds_only_what_providers_use(client, editor_a):
    assert _menu_labels(client, editor_a) == PROVIDER_MENU


def test_city_admin_menu_keeps_images_and_reports(client, city_admin):
    labels = _menu_labels(client, city_admin)

    assert {"Images", "Reports", "Topics and audiences", "Help"} <= set(labels)


def test_provider_dashboard_has_no_site_summary_or_wagtail_news(client, editor_a):
    client.force_login(editor_a)

    html = client.get("/admin/").content.decode()

    assert "Site summary" not in html
    assert "What's new in Wagtail" not in html
    assert "No Wrong Door" in html


@pytest.mark.django_db
def test_admin_pages_are_branded_ours(client, editor_a):
    client.force_login(editor_a)

    html = client.get("/admin/").content.decode()

    assert re.search(r"<title>[^<]*- No Wrong Door</title>", html)
    assert "img/admin-logo.svg" in html


@pytest.mark.django_db
def test_sign_in_page_is_branded_ours(client):
    html = client.get("/admin/login/").content.decode()

    assert "Sign in to No Wrong Door" in html
    assert "Sign in to Wagtail" not in html


def test_activity_editor_has_no_promote_tab_seo_fields_or_comments(client, editor_a, provider_a):
    activity = ActivityFactory(parent=provider_a)
    client.force_login(editor_a)

    html = client.get(f"/admin/pages/{activity.pk}/edit/").content.decode()

    assert "Promote" not in html
    assert 'name="seo_title"' not in html
    assert 'name="search_description"' not in html
    assert "domain.com/blog" not in html
    assert "w-comments:init" not in html  # the comments side panel never starts
    assert 'name="slug"' in html  # the web address, on its own tab


def test_activity_editor_says_it_in_plain_english(client, editor_a, provider_a):
    activity = ActivityFactory(parent=provider_a)
    client.force_login(editor_a)

    html = client.get(f"/admin/pages/{activity.pk}/edit/").content.decode()

    for label in ("Youngest age", "Oldest age", "Booking link", "Starts at", "Topics"):
        assert label in html
    for developer_label in ("Age min", "Engagement limit weeks", "Booking url"):
        assert developer_label not in html


def test_activity_editor_offers_checkboxes_for_topics_and_audiences(client, editor_a, provider_a):
    activity = ActivityFactory(parent=provider_a)
    client.force_login(editor_a)

    html = client.get(f"/admin/pages/{activity.pk}/edit/").content.decode()

    assert not re.search(r'<select[^>]*name="categories"', html)
    assert not re.search(r'<select[^>]*name="audiences"', html)
    assert re.search(r'<input type="checkbox" name="categories"', html) or "categories" in html


def test_provider_page_editor_has_plain_labels_and_no_promote_tab(client, editor_a, provider_a):
    client.force_login(editor_a)

    html = client.get(f"/admin/pages/{provider_a.pk}/edit/").content.decode()

    assert "About your organisation" in html
    assert "Promote" not in html
