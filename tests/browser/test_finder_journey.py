"""Journey: a social prescriber finds a group for someone at /find/, with and without
JavaScript, on a phone and a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, PHONE, horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("viewport", "javascript"),
    [(DESKTOP, True), (DESKTOP, False), (PHONE, False)],
    ids=["desktop-js", "desktop-no-js", "phone-no-js"],
)
def test_find_a_group_by_postcode_day_and_access_need_explains_why_each_fits(
    new_context, viewport, javascript
):
    page = new_context(viewport, javascript=javascript).new_page()
    page.goto("/find/")
    assert page.locator(".finder-results").count() == 0  # nothing until asked

    page.get_by_label("Their postcode").fill("L8 1TH")
    page.get_by_role("group", name="Days they can manage").get_by_label("Tuesday").check()
    page.get_by_label("Step-free way in").check()
    page.get_by_role("button", name="Find groups").click()

    page.wait_for_url(re.compile(r"/find/\?"))
    assert "postcode=L8+1TH" in page.url and "days=tue" in page.url
    assert "access=step_free_entrance" in page.url
    heading = page.locator("#good-title").inner_text()
    assert re.match(r"^\d+ good fits? near L8 1TH$", heading), heading
    good = page.locator("#good-title ~ .cards > li")
    assert good.count() > 0
    for result in good.all():
        assert result.get_by_role("heading", name="Why it fits").is_visible()
        reasons = result.locator(".finder-fits li").all_inner_texts()
        assert reasons, "a good fit says why it fits"
        assert result.get_by_role("heading", name="Check before referring").is_visible()
    # The answers stay in the form (and only in the address), ready to adjust.
    assert page.get_by_label("Their postcode").input_value() == "L8 1TH"
    assert page.get_by_label("Step-free way in").is_checked()
    assert horizontal_overflow(page) == 0

    # The prescriber keeps the first good fit: the browser posts from a page whose answers
    # must not leak in a Referer, and the post must still pass the CSRF origin check.
    title = good.first.get_by_role("heading", level=3).inner_text()
    good.first.get_by_role("button", name=re.compile(r"^Add to shortlist")).click()
    expect(page.get_by_role("link", name="Shortlist (1)")).to_be_visible()
    assert "postcode=L8+1TH" in page.url  # back on the same results
    page.get_by_role("link", name="Shortlist (1)").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_find_without_a_postcode_names_the_problem(new_context):
    page = new_context(PHONE, javascript=False).new_page()
    page.goto("/find/")

    page.get_by_role("group", name="Days they can manage").get_by_label("Tuesday").check()
    page.get_by_role("button", name="Find groups").click()

    problem = page.locator(".error-summary").get_by_role("link")
    expect(problem).to_have_text(re.compile(r"^Their postcode: "))
    problem.click()
    postcode = page.get_by_label("Their postcode")
    expect(page).to_have_url(re.compile("#" + postcode.get_attribute("id") + "$"))
    expect(postcode).to_have_attribute("aria-invalid", "true")
