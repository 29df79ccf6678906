"""The admin's "Import timetable": check and preview first, import on confirmation, own
organisation only. Everything goes through real admin requests."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from activities.imports.admin import SESSION_KEY
from activities.models import ActivityPage
from directory.services import city_admins_group_ensure, provider_editor_add
from tests.factories import ProviderFactory
from tests.support.timetables import timetable_row
from venues.models import Venue

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/timetable-import/"
DENIED = "Sorry, you do not have permission to access this area."
CONFIRM = "/admin/timetable-import/confirm/"


def row(**cells) -> dict[str, str]:
    return timetable_row(**{"online": "", **cells})


def upload_file(rows, name="timetable.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


@pytest.fixture
def provider():
    return ProviderFactory(title="Hope Wellbeing")


@pytest.fixture
def other_provider():
    return ProviderFactory(title="Other Org")


@pytest.fixture
def editor_client(client, provider):
    user, _ = provider_editor_add(
        provider=provider, username="hope-editor", email="hope@example.org"
    )
    client.force_login(user)
    return client


def assert_denied(response):
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert [str(m).strip() for m in get_messages(response.wsgi_request)][-1] == DENIED


def check(client, provider, rows, **extra):
    return client.post(UPLOAD, {"provider": provider.pk, "file": upload_file(rows), **extra})


def test_upload_url_is_registered_in_admin():
    assert reverse("timetable_import") == UPLOAD
    assert reverse("timetable_import_confirm") == CONFIRM


def test_menu_item_shown_to_provider_editor(editor_client):
    response = editor_client.get("/admin/")

    assert response.status_code == 200
    assert "Import timetable" in response.content.decode()


def test_menu_item_hidden_from_admin_user_without_organisation(client, provider):
    user = get_user_model().objects.create_user("reader", password="a-long-password-1")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    menu = client.get("/admin/")
    form = client.get(UPLOAD)

    assert menu.status_code == 200
    assert "Import timetable" not in menu.content.decode()
    assert_denied(form)


def test_upload_form_offers_only_the_editors_own_organisation(
    editor_client, provider, other_provider
):
    response = editor_client.get(UPLOAD)

    choices = list(response.context["form"].fields["provider"].queryset)
    assert choices == [provider]
    html = response.content.decode()
    assert f'<form action="{UPLOAD}" method="post" enctype="multipart/form-data"' in html
    assert '<button type="submit" class="button">Check file</button>' in html


def test_upload_form_offers_city_admin_every_organisation(client, provider, other_provider):
    user = get_user_model().objects.create_user("city", password="a-long-password-1")
    user.groups.add(city_admins_group_ensure())
    client.force_login(user)

    response = client.get(UPLOAD)

    assert list(response.context["form"].fields["provider"].queryset) == [
        provider,
        other_provider,
    ]


def test_check_step_previews_counts_and_writes_nothing(editor_client, provider):
    response = check(editor_client, provider, [row(), row(ref="HW-2", title="Walk")])

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"].created == 2
    assert "2 new activities" in html
    assert "1 new venue" in html
    assert [(r["number"], r["action"], r["ref"]) for r in response.context["rows"]] == [
        (2, "New", "HW-1"),
        (3, "New", "HW-2"),
    ]
    assert ActivityPage.objects.count() == 0
    assert Venue.objects.count() == 0
    assert editor_client.session[SESSION_KEY]["provider"] == provider.pk


def test_confirm_step_imports_the_checked_rows(editor_client, provider):
    check(editor_client, provider, [row()])
    token = editor_client.session[SESSION_KEY]["token"]

    response = editor_client.post(CONFIRM, {"token": token})

    activity = ActivityPage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[provider.pk])
    assert (activity.title, activity.live, activity.get_parent().pk) == (
        "Art Group",
        True,
        provider.pk,
    )
    assert SESSION_KEY not in editor_client.session
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Imported timetable.csv for Hope Wellbeing: 1 created, 0 updated, 0 unchanged, "
        "1 venue created."
    ]


def test_check_step_lists_every_problem_and_offers_no_import(editor_client, provider):
    response = check(
        editor_client,
        provider,
        [row(), row(ref="HW-2", postcode="NOPE"), row(ref="HW-3", first_date="2026-02-30")],
    )

    html = response.content.decode()
    assert [(p.row, p.column) for p in response.context["problems"]] == [
        (3, "postcode"),
        (4, "first_date"),
    ]
    assert "2026-02-30 is not a real date." in html
    assert "Nothing was imported." in html
    assert 'name="token"' not in html
    # The failed check is kept for its preview's pages, with no token: it cannot be imported.
    assert editor_client.session[SESSION_KEY]["token"] == ""
    confirmed = editor_client.post(CONFIRM, {"token": ""})
    assert confirmed["Location"] == reverse("timetable_import")
    assert ActivityPage.objects.count() == 0


def test_rows_for_another_organisation_are_refused(editor_client, provider, other_provider):
    response = check(editor_client, provider, [row(), row(ref="X", provider="Other Org")])

    assert [str(p) for p in response.context["problems"]] == [
        "Row 3, provider: this file has rows for “Other Org”; you can only import your own "
        "organisation's timetable (“Hope Wellbeing”)."
    ]
    assert ActivityPage.objects.count() == 0


def test_other_organisations_editor_cannot_import_into_this_one(client, provider, other_provider):
    user, _ = provider_editor_add(
        provider=other_provider, username="other-editor", email="other@example.org"
    )
    client.force_login(user)

    response = check(client, provider, [row()])

    assert response.status_code == 200
    assert "provider" in response.context["form"].errors
    assert ActivityPage.objects.count() == 0
    assert SESSION_KEY not in client.session


def test_confirm_is_refused_when_editor_lost_access_meanwhile(editor_client, provider):
    check(editor_client, provider, [row()])
    token = editor_client.session[SESSION_KEY]["token"]
    user = get_user_model().objects.get(username="hope-editor")
    user.groups.clear()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))

    response = editor_client.post(CONFIRM, {"token": token})

    assert_denied(response)
    assert ActivityPage.objects.count() == 0


def test_confirm_with_wrong_token_writes_nothing(editor_client, provider):
    check(editor_client, provider, [row()])

    response = editor_client.post(CONFIRM, {"token": "guessed"})

    assert response.status_code == 302
    assert response["Location"] == UPLOAD
    assert ActivityPage.objects.count() == 0


def test_confirm_needs_post(editor_client, provider):
    check(editor_client, provider, [row()])

    response = editor_client.get(CONFIRM)

    assert response.status_code == 405
    assert ActivityPage.objects.count() == 0


def test_upload_larger_than_limit_is_refused(editor_client, provider, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100

    response = check(editor_client, provider, [row()])

    assert "the largest we accept is 100\xa0bytes" in response.context["form"].errors["file"][0]
    assert ActivityPage.objects.count() == 0


def test_upload_requires_csrf_token(provider):
    csrf_client = Client(enforce_csrf_checks=True)
    user, _ = provider_editor_add(
        provider=provider, username="hope-editor", email="hope@example.org"
    )
    csrf_client.force_login(user)

    response = check(csrf_client, provider, [row()])

    assert response.status_code == 403
    assert ActivityPage.objects.count() == 0


def test_upload_of_xlsx_previews_it(editor_client, provider):
    workbook = Workbook()
    cells = row()
    workbook.active.append(list(cells))
    workbook.active.append(list(cells.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("timetable.xlsx", buffer.getvalue())

    response = editor_client.post(UPLOAD, {"provider": provider.pk, "file": upload})

    assert response.context["result"].created == 1
    assert ActivityPage.objects.count() == 0


def test_imported_page_opens_in_the_editor_with_imported_values(editor_client, provider):
    check(editor_client, provider, [row()])
    editor_client.post(CONFIRM, {"token": editor_client.session[SESSION_KEY]["token"]})
    activity = ActivityPage.objects.get()

    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[activity.pk]))

    assert response.status_code == 200
    assert response.context["form"].initial["title"] == "Art Group"
    assert response.context["form"].initial["ref"] == "HW-1"
