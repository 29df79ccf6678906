"""axe-core finds no WCAG 2.2 AA problem on any public page, on a 320-px phone or a desktop.

Each page is scanned as a visitor reaches it (filters filled in, a shortlist built by its
buttons), at both widths, and must also fit a 320-px screen without scrolling sideways
(WCAG 1.4.10, reflow).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from activities.models import ActivityPage
from tests.browser.support import (
    DESKTOP,
    PHONE,
    activity_path,
    axe_violations,
    describe_violations,
    horizontal_overflow,
)

pytestmark = pytest.mark.browser

# Two demo activities with venues, in different organisations.
FIRST, SECOND = "PSS-OAD", "LR-WELCOME"


def _activity(ref: str) -> ActivityPage:
    return ActivityPage.objects.get(ref=ref)


def _shared_ids() -> str:
    return f"{_activity(FIRST).pk},{_activity(SECOND).pk}"


def _add_to_shortlist(page, ref: str) -> None:
    page.goto(activity_path(ref))
    page.get_by_role("button", name="Add to shortlist").click()
    page.get_by_role("button", name="Remove from shortlist").wait_for()


def _own_shortlist(page) -> str:
    _add_to_shortlist(page, FIRST)
    _add_to_shortlist(page, SECOND)
    return "/shortlist/"


def _report_with_errors(page) -> None:
    page.goto(f"/activities/{_activity(FIRST).pk}/report/")
    page.get_by_role("button", name="Send report").click()
    page.locator(".error-summary").wait_for()


# name -> what to open: a path, or a function of the browser page that prepares it and returns
# the path, or None when it leaves the page ready to scan (called once the demo is loaded, so
# it may look activities up).
PAGES: dict[str, str | Callable] = {
    "home": "/",
    "browse": "/activities/",
    "browse-filtered": "/activities/?postcode=L8+1TH&radius=3&day=tue&access=step_free_entrance",
    "browse-zero-results": "/activities/?q=nothing-is-called-this",
    "browse-bad-postcode": "/activities/?postcode=NOT+A+POSTCODE",
    "browse-corrected": "/activities/?q=gardning",
    "browse-zero-relaxed": "/activities/?q=walking&day=sun",
    "activity": lambda page: activity_path(FIRST),
    "venue": lambda page: _activity(FIRST).venue.get_absolute_url(),
    "provider": "/providers/pss/",
    "providers": "/providers/",
    "report-problem": lambda page: f"/activities/{_activity(FIRST).pk}/report/",
    "report-problem-errors": _report_with_errors,
    "report-problem-thanks": lambda page: f"/activities/{_activity(FIRST).pk}/report/thanks/",
    "finder": "/find/",
    "finder-results": "/find/?postcode=L8+1TH&where=in_person&days=tue&access=step_free_entrance",
    "finder-missing-postcode": "/find/?days=tue",
    "shortlist-empty": "/shortlist/",
    "shortlist-own": _own_shortlist,
    "shortlist-shared": lambda page: f"/shortlist/?ids={_shared_ids()}",
    "shortlist-print": lambda page: f"/shortlist/print/?ids={_shared_ids()}",
    "not-found": "/no-such-page/",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations_on_phone_or_desktop(new_context, name):
    target = PAGES[name]
    problems = []
    for viewport in (PHONE, DESKTOP):
        page = new_context(viewport).new_page()
        path = target if isinstance(target, str) else target(page)
        if path is not None:
            response = page.goto(path)
            assert response.status in (200, 400, 404), f"{path} answered {response.status}"
        path = page.url

        violations = axe_violations(page)
        if violations:
            problems.append(f"{viewport.name} {path}:\n{describe_violations(violations)}")
        overflow = horizontal_overflow(page)
        if overflow > 0:
            problems.append(f"{viewport.name} {path}: scrolls {overflow}px sideways")
        text = page.locator("body").inner_text()
        if any(marker in text for marker in ("{#", "#}", "{%", "{{")):
            problems.append(f"{viewport.name} {path}: template syntax shows as text")

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)


def test_scanned_states_show_what_they_claim(desktop):
    """The filtered browse and finder scans really have results, and the bad postcode an error
    summary; otherwise those scans would check an empty page."""
    page = desktop

    page.goto(PAGES["browse-filtered"])
    assert page.locator(".results .cards > li").count() > 0
    page.goto(PAGES["browse-bad-postcode"])
    assert page.locator(".error-summary a").count() == 1
    page.goto(PAGES["browse-zero-results"])
    assert page.get_by_text("Nothing matches all of these choices.").is_visible()
    page.goto(PAGES["browse-corrected"])
    assert page.get_by_text("Showing results for gardening").is_visible()
    page.goto(PAGES["browse-zero-relaxed"])
    assert page.locator(".empty .cards > li").count() > 0
    page.goto(PAGES["finder-results"])
    assert page.locator(".finder-results .cards > li").count() > 0
    page.goto(PAGES["finder-missing-postcode"])
    assert page.locator(".error-summary a").count() == 1


def test_axe_scan_finds_wcag_2_2_problems_when_there_are_some(browser):
    """The scan really runs the WCAG 2.2 rules (axe skips them unless asked): a page with an
    unlabelled image, a nameless button and two tiny adjacent targets fails it."""
    page = browser.new_page()
    page.set_content(
        '<html lang="en"><head><title>Bad</title></head><body><main>'
        '<img src="data:,">'
        '<button type="button"></button>'
        '<a href="/a" style="display:inline-block;width:10px;height:10px">a</a>'
        '<a href="/b" style="display:inline-block;width:10px;height:10px">b</a>'
        "</main></body></html>"
    )

    found = {violation["id"] for violation in axe_violations(page)}

    assert {"image-alt", "button-name", "target-size"} <= found
    page.close()
