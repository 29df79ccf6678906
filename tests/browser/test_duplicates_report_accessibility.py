"""axe-core (WCAG 2.2 AA tags) finds nothing on the stored duplicates report: a city admin's
first and second page (with the page links) and a filtered page, on a desktop and a 320-px
phone."""

from __future__ import annotations

import pytest

from activities.duplicates import admin as duplicates_admin
from activities.duplicates.store import stored_pairs_refresh_all
from directory.demo.services import ADMIN_USERNAME
from tests.browser.support import DESKTOP, PHONE, axe_violations, describe_violations, sign_in

pytestmark = pytest.mark.browser


def test_duplicates_report_pages_have_no_wcag_problems(new_context, monkeypatch):
    stored = stored_pairs_refresh_all()
    assert stored >= 3, "the demo should hold a few duplicate pairs"
    # Two pairs a page, so the demo's pairs fill more than one and the page links show.
    monkeypatch.setattr(duplicates_admin, "PAIRS_PER_PAGE", 2)
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport).new_page()
        sign_in(page, ADMIN_USERNAME)
        for path in ("/admin/duplicates/", "/admin/duplicates/?page=2"):
            response = page.goto(path)
            assert response.status == 200, f"{path} answered {response.status}"
            assert page.locator("#duplicates-pages").count() == 1
            violations = axe_violations(page)
            if violations:
                problems.append(f"{viewport.name} {path}:\n{describe_violations(violations)}")
        page.get_by_role("link", name="Next page").click()
        assert "page=" in page.url

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)
