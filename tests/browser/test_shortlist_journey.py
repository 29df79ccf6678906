"""Journey: build a shortlist from the browse list and an activity page, share it as a link that
works in a fresh browser, and print it on A4; with and without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.support import A4_WIDTH_PX, DESKTOP, activity_path, horizontal_overflow

pytestmark = pytest.mark.browser

# An A4 page in PDF points (1/72 inch): 210 mm x 297 mm.
A4_POINTS = (595.3, 841.9)
A4_PRINTABLE_WIDTH_PX = round((210 - 2 * 15) / 25.4 * 96)  # 180 mm at 96 px to the inch
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]")


def _titles(page) -> list[str]:
    return page.locator(".shortlist .shortlist-title").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_shortlist_built_shared_and_printed_on_a4(new_context, javascript):
    page = new_context(DESKTOP, javascript=javascript).new_page()

    # One from the browse list ...
    page.goto("/activities/?postcode=L8+1TH&day=tue")
    card = page.locator(".results .cards > li").first
    first = card.locator(".card-title").inner_text()
    card.get_by_role("button", name="Add to shortlist").click()
    expect(card.get_by_role("button", name="Remove from shortlist")).to_be_visible()
    # ... and one from an activity page.
    page.goto(activity_path("LR-WELCOME"))
    second = page.get_by_role("heading", level=1).inner_text()
    assert second != first
    page.get_by_role("button", name="Add to shortlist").click()
    page.get_by_role("button", name="Remove from shortlist").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Shortlist (2)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your shortlist")
    assert _titles(page) == [first, second]

    # The share link holds the activities in order, and nothing else.
    share = page.get_by_label("Copy this link")
    link = share.input_value()
    parts = urlsplit(link)
    assert parts.path == "/shortlist/" and re.fullmatch(r"ids=\d+,\d+", parts.query)
    if javascript:
        share.focus()  # shortlist.js selects it all, ready to copy
        assert page.evaluate(
            "() => document.activeElement.selectionEnd - document.activeElement.selectionStart"
        ) == len(link)

    # A fresh browser (no cookies) sees the same two activities in the same order. The link
    # names the configured site address (SITE_URL); here the site is the test server.
    fresh = new_context(DESKTOP, javascript=javascript).new_page()
    fresh.goto(f"{parts.path}?{parts.query}")
    expect(fresh.get_by_role("heading", level=1)).to_have_text("A shared shortlist")
    assert not [cookie for cookie in fresh.context.cookies() if cookie["name"] == "shortlist"]
    assert _titles(fresh) == [first, second]

    # The large-print sheet fits the width of A4 paper and prints as A4.
    page.get_by_role("link", name="Print this list").click()
    page.wait_for_url(re.compile(r"/shortlist/print/\?ids="))
    page.emulate_media(media="print")
    assert _titles(page) == [first, second]
    # The sheet's width, and the width inside print.css's 15 mm margins: nothing runs off.
    for width in (A4_WIDTH_PX, A4_PRINTABLE_WIDTH_PX):
        page.set_viewport_size({"width": width, "height": 1123})
        assert horizontal_overflow(page) == 0, f"wider than {width}px"
    assert page.locator(".site-header nav").is_hidden()
    assert page.get_by_text(re.compile(r"0151 \d{3} \d{4}")).first.is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    boxes = [(float(width), float(height)) for width, height in MEDIA_BOX.findall(pdf)]
    assert boxes, "the PDF has pages"
    for width, height in boxes:
        assert width == pytest.approx(A4_POINTS[0], abs=2)
        assert height == pytest.approx(A4_POINTS[1], abs=2)
