"""Freshness: “last checked” in words, the dashboard's listings to check, confirming them."""

import datetime as dt

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry

from activities.freshness.services import (
    CONFIRM_ACTION,
    activity_list_confirm_checked,
    last_checked_text,
)
from activities.models import ActivityPage
from tests.factories import ActivityFactory, ScheduleFactory
from tests.support.admin_forms import PUBLISH, activity_form_data, edit_url
from tests.support.dates import long_date

# For the services, which take `today`. The pages and the dashboard read the clock themselves,
# so tests through them count from the site's today (the `today` fixture).
TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("checked", "text", "stale"),
    [
        (None, "Not checked yet", True),
        (dt.date(2026, 3, 3), "Last checked 3 March 2026 – may be out of date", True),
        (TODAY - dt.timedelta(days=91), "Last checked 26 August 2026 – may be out of date", True),
        (TODAY - dt.timedelta(days=90), "Last checked 27 August 2026", False),
        (TODAY, "Last checked 25 November 2026", False),
    ],
)
def test_last_checked_text(checked, text, stale):
    result = last_checked_text(checked, today=TODAY)

    assert (result.text, result.stale) == (text, stale)


def test_activity_page_and_browse_row_say_when_last_checked(client, db, today):
    day = today - dt.timedelta(days=10)
    checked = ActivityFactory(title="Checked group", last_checked=day)
    never = ActivityFactory(title="Never checked group", last_checked=None)
    for activity in (checked, never):
        ScheduleFactory(activity=activity)

    page = client.get(checked.url).content.decode()
    never_page = client.get(never.url).content.decode()
    browse = client.get("/activities/").content.decode()

    words = f"Last checked {long_date(day)}"
    assert f'<time datetime="{day.isoformat()}">{words}</time>' in page
    assert "Not checked yet" in never_page
    assert words in browse
    assert "Not checked yet" in browse


# --- the dashboard panel and confirming ---------------------------------------------------


@pytest.fixture
def listings(provider_a, provider_b, today):
    old = today - dt.timedelta(days=120)
    made = {
        "a_never": ActivityFactory(parent=provider_a, title="A never checked", last_checked=None),
        "a_old": ActivityFactory(parent=provider_a, title="A checked long ago", last_checked=old),
        "a_fresh": ActivityFactory(parent=provider_a, title="A checked lately", last_checked=today),
        "a_draft": ActivityFactory(
            parent=provider_a, title="A unpublished", last_checked=None, live=False
        ),
        "b_old": ActivityFactory(parent=provider_b, title="B checked long ago", last_checked=old),
    }
    for activity in made.values():
        ScheduleFactory(activity=activity)
    return made


def panel_titles(response):
    (panel,) = [p for p in response.context["panels"] if p.name == "listings_to_check"]
    return [a.title for a in panel.activities]


def test_dashboard_panel_lists_only_own_stale_live_activities(client, editor_a, listings):
    client.force_login(editor_a)

    response = client.get(reverse("wagtailadmin_home"))

    html = response.content.decode()
    assert panel_titles(response) == ["A never checked", "A checked long ago"]
    assert "Confirm these are still right" in html
    assert "B checked long ago" not in html
    assert f'name="activity" value="{listings["a_never"].pk}"' in html


def test_dashboard_panel_city_admin_sees_every_provider(client, city_admin, listings):
    client.force_login(city_admin)

    response = client.get(reverse("wagtailadmin_home"))

    assert sorted(panel_titles(response)) == [
        "A checked long ago",
        "A never checked",
        "B checked long ago",
    ]


def test_freshness_list_page_lists_own_stale(client, editor_a, listings):
    client.force_login(editor_a)

    response = client.get(reverse("freshness_list"))

    assert [a.title for a in response.context["activities"]] == [
        "A never checked",
        "A checked long ago",
    ]


def test_confirm_sets_today_on_own_and_leaves_other_providers(client, editor_a, listings, today):
    client.force_login(editor_a)
    ids = [listings["a_never"].pk, listings["a_old"].pk, listings["b_old"].pk]

    response = client.post(
        reverse("freshness_confirm"), {"activity": ids, "next": reverse("wagtailadmin_home")}
    )

    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    checked = dict(ActivityPage.objects.filter(pk__in=ids).values_list("title", "last_checked"))
    assert checked == {
        "A never checked": today,
        "A checked long ago": today,
        "B checked long ago": today - dt.timedelta(days=120),
    }
    entry = PageLogEntry.objects.get(action=CONFIRM_ACTION, page=listings["a_never"])
    assert entry.user == editor_a
    assert not PageLogEntry.objects.filter(action=CONFIRM_ACTION, page=listings["b_old"]).exists()
    after = client.get(reverse("wagtailadmin_home"))
    assert panel_titles(after) == []
    assert "All your live listings have been confirmed as right" in after.content.decode()


def test_confirm_only_other_providers_is_refused(client, editor_a, listings, today):
    client.force_login(editor_a)

    response = client.post(reverse("freshness_confirm"), {"activity": [listings["b_old"].pk]})

    # Wagtail's admin answers PermissionDenied with a redirect to the dashboard and a message.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    b_old = ActivityPage.objects.get(pk=listings["b_old"].pk)
    assert b_old.last_checked == today - dt.timedelta(days=120)


def test_confirm_needs_admin_login(client, listings, today):
    response = client.post(reverse("freshness_confirm"), {"activity": [listings["a_old"].pk]})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert ActivityPage.objects.get(pk=listings["a_old"].pk).last_checked != today


def test_confirm_survives_publishing_an_earlier_draft(editor_a, listings, today):
    page = ActivityPage.objects.get(pk=listings["a_old"].pk)
    page.title = "A renamed in a draft"
    draft = page.save_revision(user=editor_a)  # a draft made before the confirmation

    result = activity_list_confirm_checked(user=editor_a, page_ids=[page.pk], today=TODAY)
    draft.refresh_from_db()
    draft.publish(user=editor_a)

    live = ActivityPage.objects.get(pk=page.pk)
    assert [p.pk for p in result.confirmed] == [page.pk]
    # Never the draft's old date: the confirmation, or (publishing counts as checking) today.
    assert (live.title, live.last_checked) == ("A renamed in a draft", today)


def test_confirm_shows_in_the_editor_and_survives_a_publish_from_it(
    client, editor_a, listings, today
):
    """The editor opens the page after confirming and publishes it through the admin form."""
    page = ActivityPage.objects.get(pk=listings["a_old"].pk)
    page.title = "A renamed in a draft"
    page.save_revision(user=editor_a)
    client.force_login(editor_a)
    client.post(reverse("freshness_confirm"), {"activity": [page.pk]})

    edit = client.get(edit_url(page))
    form = edit.context["form"]

    assert form["last_checked"].value() == today
    assert form["title"].value() == "A renamed in a draft"
    draft = ActivityPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    data = activity_form_data(draft, last_checked=form["last_checked"].value().isoformat())
    published = client.post(edit_url(page), data | PUBLISH)

    assert published.status_code == 302
    live = ActivityPage.objects.get(pk=page.pk)
    assert (live.title, live.last_checked, live.has_unpublished_changes) == (
        "A renamed in a draft",
        today,
        False,
    )


def test_confirm_service_refuses_pages_the_user_may_not_edit(editor_a, listings):
    result = activity_list_confirm_checked(
        user=editor_a, page_ids=[listings["b_old"].pk, 999_999], today=TODAY
    )

    assert (result.confirmed, sorted(result.refused)) == ([], [listings["b_old"].pk, 999_999])
