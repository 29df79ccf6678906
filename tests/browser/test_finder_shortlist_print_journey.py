"""Journey: a link worker finds groups at /find/ for someone who uses a hearing aid, keeps two on
a shortlist and prints it; on a 320-px phone and a desktop, with JavaScript on and off. The
steps are counted, and each screen is checked by what a person sees there. axe checks the
finder, its results, the shortlist and the print sheet as the journey reaches them, at both
widths (axe is a script: it runs in the JavaScript-on journeys; the pages are the same
server-rendered HTML without it, and sideways scrolling is checked in every journey)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
    horizontal_overflow,
)

pytestmark = pytest.mark.browser

WALK = "Wellbeing Walk in Sefton Park"
MOST_TAPS = 6  # hearing loop, Find groups, Add, Add, Shortlist, Print


def _in_view(page, locator) -> bool:
    """The element's top is on the screen the person is looking at."""
    box = locator.bounding_box()
    return box is not None and -1 <= box["y"] < page.viewport_size["height"]


def _axe_clean(page, name: str, *, javascript: bool) -> None:
    if javascript:
        violations = axe_violations(page)
        assert not violations, f"{name}:\n{describe_violations(violations)}"
    assert horizontal_overflow(page) == 0, f"{name} scrolls sideways"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_finder_to_shortlist_to_print(new_context, viewport, javascript):
    page = new_context(viewport, javascript=javascript).new_page()
    taps = 0

    page.goto("/find/")
    # One question about women-only and men's groups, and its default leaves none out.
    single_sex = page.get_by_role("group", name="Women-only and men's groups")
    expect(single_sex).to_have_count(1)
    expect(page.get_by_role("group", name="Groups for")).to_have_count(0)
    expect(single_sex.get_by_label(re.compile("^Show all groups"))).to_be_checked()
    _axe_clean(page, "finder", javascript=javascript)

    page.get_by_label("Their postcode").fill("L17 1AP")
    page.get_by_label("Hearing loop").check()
    taps += 1
    page.get_by_role("button", name="Find groups").click()
    taps += 1

    # The page lands on the results, not on the top of the form.
    page.wait_for_url(re.compile(r"/find/\?.*#results$"))
    heading = page.locator("#good-title")
    assert re.fullmatch(r"\d+ good fits? near L17 1AP", heading.inner_text())
    assert _in_view(page, heading)
    # The outdoor walk is a good fit, not a near miss for "Hearing loop: not known".
    good = page.locator("#good-title ~ .cards > li")
    walk = good.filter(has=page.get_by_role("heading", name=WALK, exact=True))
    expect(walk).to_have_count(1)
    expect(walk.locator(".finder-fits")).to_contain_text("Outdoors, so hearing loop does not apply")
    near = page.locator("#near-title ~ .cards > li")
    assert WALK not in " ".join(near.all_inner_texts())
    _axe_clean(page, "finder results", javascript=javascript)

    walk.get_by_role("button", name=re.compile("^Add to shortlist")).click()
    taps += 1
    # Back on the same results, at the same group, which now says it is on the list.
    expect(page.get_by_role("link", name="Shortlist (1)")).to_be_visible()
    assert "postcode=L17+1AP" in page.url
    walk = page.locator("#good-title ~ .cards > li").filter(
        has=page.get_by_role("heading", name=WALK, exact=True)
    )
    status = walk.get_by_text("On your shortlist")
    expect(status).to_be_visible()
    assert _in_view(page, status)

    other = (
        page.locator("#good-title ~ .cards > li")
        .filter(has_not=page.get_by_role("heading", name=WALK, exact=True))
        .first
    )
    second = other.get_by_role("heading", level=3).inner_text()
    other.get_by_role("button", name=re.compile("^Add to shortlist")).click()
    taps += 1
    expect(page.get_by_role("link", name="Shortlist (2)")).to_be_visible()

    page.get_by_role("link", name="Shortlist (2)").click()
    taps += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Your shortlist")
    assert page.locator(".shortlist .shortlist-title").all_inner_texts() == [WALK, second]
    _axe_clean(page, "shortlist", javascript=javascript)

    page.get_by_role("link", name=re.compile("^Print this list")).click()
    taps += 1
    page.wait_for_url(re.compile(r"/shortlist/print/\?ids=\d+,\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My shortlist")
    assert page.locator(".shortlist .shortlist-title").all_inner_texts() == [WALK, second]
    qr = page.get_by_role("img", name="QR code for this list's web address")
    expect(qr).to_be_visible()
    expect(page.locator(".share-url")).to_have_text(re.compile(r"/shortlist/\?ids=\d+,\d+$"))
    expect(page.get_by_role("heading", name="Notes")).to_be_visible()
    # The print button is there only with JavaScript; the words say how to print without it.
    expect(page.get_by_role("button", name="Print now")).to_have_count(1 if javascript else 0)
    if not javascript:
        expect(page.get_by_text("Use your browser's Print command")).to_be_visible()
    _axe_clean(page, "print sheet", javascript=javascript)

    assert taps <= MOST_TAPS
