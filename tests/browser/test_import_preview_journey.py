"""An editor checks a long timetable in the admin and pages through its preview, with
JavaScript on and off: the pager is plain links, the page passes axe-core's WCAG 2.2 AA rules
(scanned with JavaScript on, which axe needs), and the import takes every row."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

from activities.models import ActivityPage
from directory.models import ProviderPage
from tests.browser.support import DESKTOP, PASSWORD, axe_violations, describe_violations
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_editor_pages_through_a_long_preview(new_context, settings, tmp_path, javascript):
    # Arrange: 25 new activities for PSS, 10 to a page of the preview.
    settings.IMPORT_PREVIEW_PAGE_SIZE = 10
    provider = ProviderPage.objects.get(slug="pss")
    before = ActivityPage.objects.filter(provider=provider).count()
    rows = [
        timetable_row(ref=f"NEW-{n:02d}", provider=provider.title, title=f"New group {n:02d}")
        for n in range(1, 26)
    ]
    path = tmp_path / "timetable.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    page = new_context(DESKTOP, javascript=javascript).new_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("pss-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Act
    page.goto("/admin/timetable-import/")
    page.get_by_label("Timetable spreadsheet").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", name="Rows 1 to 10 of 25")).to_be_visible()
    violations = axe_violations(page) if javascript else []  # axe needs scripts to run
    pager = page.get_by_role("navigation", name="Pages of rows")
    pager.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("heading", name="Rows 11 to 20 of 25")).to_be_visible()
    page.get_by_role("navigation", name="Pages of rows").get_by_role("link", name="Page 3").click()
    expect(page.get_by_role("heading", name="Rows 21 to 25 of 25")).to_be_visible()
    expect(page.get_by_role("cell", name="New group 25")).to_be_visible()
    page.get_by_role("button", name="Import all 25 rows").click()

    # Assert
    expect(page.get_by_text("Imported timetable.csv")).to_be_visible()
    assert violations == [], describe_violations(violations)
    assert ActivityPage.objects.filter(provider=provider).count() == before + 25
