"""Journey: an anxious first-time visitor on a 320-px phone or a desktop, JavaScript on and off,
goes from the home page to the first group near L8 that is free, step-free and for women, and
the steps are counted: at most 6 taps and 2 screens of scrolling, and the first result within
1.5 screens of the top of the page it lands on. Then the chips, the "when" filter, the activity
page's lead, the one-session calendar links and the trust pages, each scanned with axe."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from tests.browser.support import (
    DESKTOP,
    PHONE,
    activity_path,
    axe_violations,
    describe_violations,
    horizontal_overflow,
)

pytestmark = pytest.mark.browser


@dataclass
class Steps:
    """Counts what a person does: each tap, and how far they scroll to reach the next target."""

    page: object
    mobile: bool
    taps: int = 0
    scrolled: float = 0.0
    log: list[str] = field(default_factory=list)

    def tap(self, locator, what: str) -> None:
        before = self.page.evaluate("window.scrollY")
        locator.scroll_into_view_if_needed()
        after = self.page.evaluate("window.scrollY")
        self.scrolled += abs(after - before)
        if self.mobile:
            locator.tap()
        else:
            locator.click()
        self.taps += 1
        self.log.append(what)

    @property
    def screens(self) -> float:
        return self.scrolled / self.page.viewport_size["height"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=lambda v: v.name)
def test_home_to_first_free_step_free_womens_group_near_l8_in_few_taps(
    new_context, viewport, javascript
):
    page = new_context(viewport, javascript=javascript).new_page()
    page.goto("/")
    steps = Steps(page, mobile=viewport.mobile)

    form = page.locator(".hero-form")
    steps.tap(form.get_by_label("Your postcode"), "postcode box")
    page.keyboard.type("L8")
    steps.tap(form.get_by_label("Free", exact=True), "Free")
    steps.tap(form.get_by_label("Step-free way in"), "Step-free way in")
    steps.tap(form.get_by_label("For women only"), "For women only")
    steps.tap(form.get_by_role("button", name="Show what's on near me"), "Show")
    page.wait_for_url(re.compile(r"/activities/\?.*#results$"))

    assert steps.taps <= 6, steps.log
    assert steps.screens <= 2, f"scrolled {steps.screens:.2f} screens"
    height = viewport.height
    first = page.locator(".results .cards > li").first
    box = first.bounding_box()
    top_of_page = box["y"] + page.evaluate("window.scrollY")
    # Within 1.5 screens of the top of the page it lands on, and in view where it lands.
    assert top_of_page <= 1.5 * height, f"first result starts {top_of_page}px down"
    assert 0 <= box["y"] < height, f"first result is not in view ({box['y']}px)"
    print(
        f"{viewport.name} js={javascript}: {steps.taps} taps, {steps.screens:.2f} screens "
        f"scrolled, first result {top_of_page / height:.2f} screens from the top"
    )
    text = first.inner_text()
    assert "Free" in text
    assert "miles away" in text
    assert "Step-free way in" in text
    assert re.search(r"For: (.* )?Women", text), text
    # What was chosen is summarised as chips, and "More filters" stays closed.
    chips = [" ".join(c.split()) for c in page.locator(".chips a").all_inner_texts()]
    assert [c.removeprefix("Remove filter: ") for c in chips] == [
        "Near L8 ×",
        "Within 2 miles ×",  # the home page's default distance
        "Step-free way in ×",
        "Free only ×",
        "For: Women ×",
    ]
    assert page.locator("details.more-filters").get_attribute("open") is None
    # Every result meets the step-free need, and a "partly" one says what that means.
    for card in page.locator(".results .cards > li").all():
        assert "Step-free way in" in card.inner_text()
    partly = page.locator(".access-check", has_text="Step-free way in: partly")
    assert partly.count() >= 1
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_chip_removes_one_filter_and_lands_on_results(new_context, javascript):
    page = new_context(PHONE, javascript=javascript).new_page()
    page.goto("/activities/?postcode=L8&free=on&audience=women#results")
    narrow = page.locator(".results .cards > li").count()

    page.get_by_role("link", name="Remove filter: Free only").tap()

    page.wait_for_url(lambda url: "free=" not in url)
    assert page.url.endswith("#results")
    assert "postcode=L8" in page.url
    assert "audience=women" in page.url
    assert page.locator(".results .cards > li").count() >= narrow
    assert page.locator(".results .cards > li").first.bounding_box()["y"] < PHONE.height


def test_when_this_week_soonest_first_lists_only_this_weeks_sessions_in_order(desktop):
    page = desktop
    page.goto("/activities/")
    page.get_by_role("group", name="When").get_by_label("This week").check()
    page.get_by_label("Sort by").select_option(label="Soonest first")
    page.get_by_role("button", name="Show activities").click()
    page.wait_for_url(re.compile(r"when=this_week"))

    nexts = page.locator(".results .cards > li .facts time").all()
    assert nexts, "nothing on this week in the demo"
    stamps = [n.get_attribute("datetime") for n in nexts]
    assert stamps == sorted(stamps)
    words = [n.inner_text() for n in nexts]
    # This week: today, tomorrow or "this <day>", never next week.
    assert all(re.match(r"^(Today|Tomorrow|This \w+day),", w) for w in words), words


def test_activity_page_leads_with_when_where_join_and_first_visit(new_context):
    page = new_context(PHONE).new_page()
    page.goto(activity_path("MSH-WOMEN"))
    headings = page.locator(".activity-main > section > h2").all_inner_texts()
    assert headings[:4] == ["When", "Where", "How to join", "Your first visit"]
    assert page.get_by_role("heading", name="Add this session to your calendar").is_visible()
    google = page.get_by_role("link", name=re.compile("^Add to Google Calendar"))
    href = google.get_attribute("href")
    assert href.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE&")
    assert page.get_by_role("img", name=re.compile("Where Mary Seacole House is")).is_visible()
    assert page.get_by_role("link", name=re.compile("^Directions to Mary Seacole House")).count()
    access = page.locator(".access").inner_text()
    assert "Step-free way in: Partly" in access
    assert re.search(r"Not known: [^.]*hearing loop", access)
    assert "Ref " not in page.locator("main").inner_text()
    assert horizontal_overflow(page) == 0


def test_time_bank_page_has_no_access_table(desktop):
    desktop.goto(activity_path("WT-TIMEBANK"))
    access = desktop.locator(".access").inner_text()
    assert "Not known" not in access
    assert desktop.locator(".access table").count() == 0


def _csrf_failure(page) -> None:
    """A form sent without its security cookie: the 403 page a visitor would see."""
    page.goto(activity_path("PSS-OAD"))
    page.context.clear_cookies()
    page.get_by_role("button", name="Add to shortlist").click()
    page.get_by_role("heading", name="Please try that again").wait_for()


SCANNED = {
    "browse-when-chips": "/activities/?postcode=L8&free=on&access=step_free_entrance"
    "&audience=women&when=this_week&sort=soonest",
    "browse-bad-date": "/activities/?when=date",
    "activity-lead": lambda page: activity_path("MSH-WOMEN"),
    "time-bank": lambda page: activity_path("WT-TIMEBANK"),
    "about": "/about/",
    "privacy": "/privacy/",
    "accessibility": "/accessibility/",
    "contact": "/contact/",
    "csrf-403": _csrf_failure,
}


@pytest.mark.parametrize("name", SCANNED)
def test_new_and_changed_public_pages_have_no_axe_violations(new_context, name):
    target = SCANNED[name]
    problems = []
    for viewport in (PHONE, DESKTOP):
        page = new_context(viewport).new_page()
        path = target if isinstance(target, str) else target(page)
        if path is not None:
            response = page.goto(path)
            assert response.status in (200, 400), f"{path} answered {response.status}"
        violations = axe_violations(page)
        if violations:
            problems.append(f"{viewport.name} {page.url}:\n{describe_violations(violations)}")
        if horizontal_overflow(page) > 0:
            problems.append(f"{viewport.name} {page.url}: scrolls sideways")
        # Every page keeps the site header and the crisis line.
        assert page.locator(".site-header").count() == 1
        assert "Samaritans" in page.locator(".site-footer").inner_text()
    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)
