"""Journey: browse and filter what's on, on a 320-px phone and a desktop, with and without
JavaScript, then open an activity."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, PHONE, horizontal_overflow

pytestmark = pytest.mark.browser

COUNT = re.compile(r"^(\d+) activit(?:y|ies)")


def _count(page) -> int:
    heading = page.locator("#results-title").inner_text()
    match = COUNT.match(heading)
    assert match, f"no count in the results heading {heading!r}"
    return int(match.group(1))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=lambda v: v.name)
def test_browse_filter_by_postcode_day_and_access_then_open_an_activity(
    new_context, viewport, javascript
):
    page = new_context(viewport, javascript=javascript).new_page()
    page.goto("/activities/")
    everything = _count(page)
    assert horizontal_overflow(page) == 0

    page.get_by_label("Your postcode").fill("L8 1TH")
    page.get_by_role("group", name="Day").get_by_label("Tuesday").check()
    page.get_by_text("More filters").click()  # a <details>: opens without JavaScript too
    page.get_by_role("group", name="Access needs").get_by_label("Step-free way in").check()
    page.get_by_role("button", name="Show activities").click()

    page.wait_for_url(re.compile(r"/activities/\?"))
    assert "postcode=L8+1TH" in page.url
    assert "day=tue" in page.url
    assert "access=step_free_entrance" in page.url
    assert page.locator("#results-title").inner_text().endswith("near L8 1TH")
    filtered = _count(page)
    cards = page.locator(".results .cards > li")
    assert 0 < filtered < everything
    assert cards.count() == min(filtered, 20)
    # Every card meets on a Tuesday and says how far away it is.
    for card in cards.all():
        assert "Tuesday" in card.locator(".facts").inner_text()
        assert card.locator(".distance").count() == 1
    # The choices stay ticked, so the visitor can see and change them.
    assert page.get_by_label("Your postcode").input_value() == "L8 1TH"
    assert page.get_by_role("group", name="Day").get_by_label("Tuesday").is_checked()
    assert horizontal_overflow(page) == 0
    if viewport is PHONE:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 320

    first = cards.first.locator(".card-title a")
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert horizontal_overflow(page) == 0
