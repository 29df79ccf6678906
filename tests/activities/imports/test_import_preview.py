"""The admin's import preview: a bounded page of rows or problems, a summary of the counts,
and links between pages (no JavaScript), whatever the size of the file."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.imports.admin import SESSION_KEY
from activities.models import ActivityPage
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/timetable-import/"
PREVIEW = "/admin/timetable-import/preview/"
CONFIRM = "/admin/timetable-import/confirm/"


@pytest.fixture
def provider():
    return ProviderFactory(title="Hope Wellbeing")


@pytest.fixture
def editor_client(client, provider):
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)
    return client


def csv_upload(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("timetable.csv", buffer.getvalue().encode(), content_type="text/csv")


def check(client, provider, rows):
    return client.post(UPLOAD, {"provider": provider.pk, "file": csv_upload(rows)})


def refs(count: int, **cells: str) -> list[dict[str, str]]:
    return [timetable_row(ref=f"HW-{n}", online="", **cells) for n in range(1, count + 1)]


def test_preview_shows_one_page_of_rows_and_the_confirm_imports_them_all(
    editor_client, provider, settings
):
    # Arrange
    settings.IMPORT_PREVIEW_PAGE_SIZE = 20
    response = check(editor_client, provider, refs(45))

    # Act
    last = editor_client.get(PREVIEW, {"p": "3"})
    confirmed = editor_client.post(CONFIRM, {"token": response.context["token"]})

    # Assert
    first_page = [r["ref"] for r in response.context["rows"]]
    assert first_page == [f"HW-{n}" for n in range(1, 21)]
    assert "Rows 1 to 20 of 45" in response.content.decode()
    assert [r["ref"] for r in last.context["rows"]] == [f"HW-{n}" for n in range(41, 46)]
    assert "Rows 41 to 45 of 45" in last.content.decode()
    assert confirmed.status_code == 302
    assert ActivityPage.objects.filter(provider=provider).count() == 45


def test_pager_is_links_with_the_current_page_marked(editor_client, provider, settings):
    # Arrange
    settings.IMPORT_PREVIEW_PAGE_SIZE = 10

    # Act
    html = check(editor_client, provider, refs(25)).content.decode()

    # Assert
    assert '<nav class="pagination" aria-label="Pages of rows">' in html
    assert "Page 1 of 3" in html
    assert f'href="{PREVIEW}?p=1" aria-current="page"' in html
    assert f'href="{PREVIEW}?p=2">Next page' in html
    assert "Previous page" not in html


def test_thousands_of_problems_make_a_bounded_page(editor_client, provider):
    # Arrange: 3,000 rows, each with a bad postcode and a bad date (about 500 KB of CSV).
    rows = refs(3000, postcode="NOPE", first_date="2027-02-30")

    # Act
    response = check(editor_client, provider, rows)
    last = editor_client.get(PREVIEW, {"p": "60"})

    # Assert
    html = response.content.decode()
    assert "Fix 6000 problems on 3000 rows" in html
    assert "Problems 1 to 100 of 6000" in html
    assert len(response.context["problems"]) == 100
    assert len(html) < 150_000
    assert [p.row for p in last.context["problems"]][-1] == 3001
    assert ActivityPage.objects.count() == 0


def test_huge_cells_are_cut_short_in_the_preview(editor_client, provider):
    # Arrange: each row's problem quotes its 20,000-character provider cell.
    rows = refs(100, provider="Other " * 4000)

    # Act
    response = check(editor_client, provider, rows)

    # Assert
    assert "this file has rows for “Other Other" in response.content.decode()
    assert len(response.context["problems"]) == 100
    assert len(response.content) < 150_000


def test_page_number_out_of_range_shows_the_last_page(editor_client, provider, settings):
    # Arrange
    settings.IMPORT_PREVIEW_PAGE_SIZE = 10
    check(editor_client, provider, refs(15))

    # Act
    responses = [editor_client.get(PREVIEW, {"p": p}) for p in ("99", "nope", "-1")]

    # Assert
    assert [r.context["page"].number for r in responses] == [2, 1, 2]


def test_preview_without_a_check_sends_back_to_the_upload(editor_client):
    # Act
    response = editor_client.get(PREVIEW)

    # Assert
    assert (response.status_code, response["Location"]) == (302, reverse("timetable_import"))


def test_a_failed_check_cannot_be_confirmed(editor_client, provider):
    # Arrange
    check(editor_client, provider, refs(2, postcode="NOPE"))

    # Act
    response = editor_client.post(CONFIRM, {"token": ""})

    # Assert
    assert editor_client.session[SESSION_KEY]["token"] == ""
    assert (response.status_code, ActivityPage.objects.count()) == (302, 0)
