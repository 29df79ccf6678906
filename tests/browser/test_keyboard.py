"""Keyboard use: the skip link comes first and shows, and every control that Tab reaches shows
where the focus is (WCAG 2.4.7) and is on screen when focused (2.4.11). axe cannot check
either, so this walks each page with the Tab key."""

from __future__ import annotations

import pytest

from tests.browser.support import DESKTOP, PHONE, activity_path

pytestmark = pytest.mark.browser

MAX_TABS = 150  # enough to reach past each page's main form into its results

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    name: el.tagName.toLowerCase() + ' '
      + (el.innerText || el.value || el.id || '').trim().slice(0, 50),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    on_screen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth,
  };
}"""


def _walk(page) -> list[dict]:
    """Press Tab until the focus leaves the page or comes round again; what each stop showed."""
    stops, seen = [], set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["name"] in seen and focused["name"] == stops[0]["name"]:
            break
        seen.add(focused["name"])
        stops.append(focused)
    return stops


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/activities/?postcode=L8&day=tue",
        "PSS-OAD",
        "/find/?postcode=L8&days=tue",
        "/providers/pss/",
    ],
)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
def test_every_tab_stop_shows_its_focus_and_is_on_screen(new_context, viewport, path):
    page = new_context(viewport).new_page()
    page.goto(path if path.startswith("/") else activity_path(path))

    stops = _walk(page)

    assert stops[0]["name"] == "a Skip to main content"
    assert len(stops) > 5
    hidden = [stop["name"] for stop in stops if not (stop["outline"] or stop["shadow"])]
    off_screen = [stop["name"] for stop in stops if not stop["on_screen"]]
    assert hidden == [], "focus not visible on these"
    assert off_screen == [], "focused but off screen"
