"""The shortlist's large-print sheet as Chromium really prints it to A4 PDF (pypdf reads the
pages back): activities packed onto as few pages as fit, each whole on one page, no page without
an activity, the share link as a QR code, and space for the referrer's note."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from activities.models import ActivityPage
from activities.shortlist.qr import share_qr_svg
from tests.browser.support import DESKTOP

pytestmark = pytest.mark.browser

PX_TO_MM = 25.4 / 96
A4_CONTENT_MM = 297 - 2 * 15  # print.css: A4 with 15 mm margins
A4_CONTENT_WIDTH_PX = round((210 - 2 * 15) / PX_TO_MM)


def _ids(count: int) -> list[int]:
    pages = ActivityPage.objects.live().order_by("title").values_list("pk", flat=True)
    return list(pages[:count])


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("ﬀ", "ff").replace("ﬁ", "fi")


def _printed_pages(page) -> list[str]:
    """The sheet printed to A4 PDF by Chromium, each page's text."""
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    return [_flat(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _heights_mm(page) -> tuple[float, list[float]]:
    """In the print layout at A4's width: the height above the first activity, and each
    activity's height with its bottom margin."""
    page.set_viewport_size({"width": A4_CONTENT_WIDTH_PX, "height": 1000})
    head, entries = page.evaluate(
        """() => {
          const items = [...document.querySelectorAll('.shortlist-entry')];
          const gap = parseFloat(getComputedStyle(items[0]).marginBottom);
          return [items[0].getBoundingClientRect().top,
                  items.map(e => e.getBoundingClientRect().height + gap)];
        }"""
    )
    return head * PX_TO_MM, [h * PX_TO_MM for h in entries]


@pytest.mark.parametrize(("count", "pages"), [(3, 2), (8, 4)])
def test_print_sheet_packs_activities_onto_as_few_a4_pages_as_fit(new_context, count, pages):
    page = new_context(DESKTOP, javascript=False).new_page()
    ids = _ids(count)
    titles = [_flat(ActivityPage.objects.get(pk=pk).title) for pk in ids]
    page.goto(f"/shortlist/print/?ids={','.join(map(str, ids))}")
    page.emulate_media(media="print")

    texts = _printed_pages(page)

    assert len(texts) == pages
    # Each activity is printed whole on one page: its title and its phone number together.
    on_page = []
    for title in titles:
        (number,) = [n for n, text in enumerate(texts) if title in text]
        on_page.append(number)
    assert on_page == sorted(on_page)
    # No page holds only a link, a note or the footer: each has an activity.
    assert set(on_page) == set(range(pages))
    # As few as fit: each page's first activity would not have fitted on the page before.
    head, heights = _heights_mm(page)
    for number in range(1, pages):
        before = [h for h, n in zip(heights, on_page, strict=True) if n == number - 1]
        used = sum(before) + (head if number == 1 else 0)
        first = heights[on_page.index(number)]
        assert used + first > A4_CONTENT_MM - 1, f"page {number + 1} could have started sooner"


def test_print_sheet_has_a_qr_code_for_the_share_link_and_space_for_a_note(new_context):
    page = new_context(DESKTOP, javascript=False).new_page()
    ids = _ids(3)
    page.goto(f"/shortlist/print/?ids={','.join(map(str, ids))}")
    page.emulate_media(media="print")

    first = _printed_pages(page)[0]

    link = page.locator(".share-url").inner_text()
    assert link.endswith(f"/shortlist/?ids={','.join(map(str, ids))}")
    assert "See this list online" in first and "Notes" in first
    assert f"ids={','.join(map(str, ids))}" in first.replace(" ", "")  # the link, printed
    qr = page.get_by_role("img", name="QR code for this list's web address")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] * PX_TO_MM == pytest.approx(25, abs=1)  # big enough to scan
    # The code is the share link's: the same library draws the same code for it.
    drawn = qr.locator("svg path").get_attribute("d")
    assert drawn == re.search(r' d="([^"]+)"', share_qr_svg(link)).group(1)
    note = page.locator(".note-lines").bounding_box()
    assert note["height"] * PX_TO_MM >= 14.5  # 15 mm, to the pixel
