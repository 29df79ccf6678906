"""Journeys: a person asks to join a group, without JavaScript on a phone and with it on a
desktop; its provider declines and forwards it; the person sees where it went through their
private link. axe-core (WCAG 2.2 AA) checks every referral page on the way, public and admin.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from activities.models import ActivityPage
from referrals.enums import State
from referrals.models import Referral
from tests.browser.support import (
    DESKTOP,
    PASSWORD,
    PHONE,
    axe_violations,
    describe_violations,
    horizontal_overflow,
)

pytestmark = pytest.mark.browser


def check_page(page, problems: list[str]) -> None:
    """axe (it needs JavaScript: without it the journey alone is tested), reflow, crisis note."""
    if page.context.javascript:
        violations = axe_violations(page)
        if violations:
            problems.append(f"{page.url}:\n{describe_violations(violations)}")
    if horizontal_overflow(page) > 0:
        problems.append(f"{page.url}: scrolls sideways")
    if "116 123" not in page.locator("body").inner_text():
        problems.append(f"{page.url}: no crisis notice")


def self_referral(page, activity: ActivityPage, problems: list[str]) -> None:
    page.goto(activity.url)
    page.get_by_role("link", name=f"Ask to join {activity.title}").click()
    check_page(page, problems)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("button", name="Continue").click()  # nothing typed: an error summary
    expect(page.locator(".error-summary")).to_contain_text("Enter full name")
    check_page(page, problems)
    page.get_by_label("Full name").fill("Test Person")
    page.get_by_role("button", name="Continue").click()
    check_page(page, problems)
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number").fill("07700 900456")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    check_page(page, problems)  # the access needs: the long list of checkboxes
    page.get_by_label("Step-free way in").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Someone to meet me at the door").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What would you like to get from it? (optional)").fill("Company")
    page.get_by_role("button", name="Continue").click()
    check_page(page, problems)
    page.get_by_label("I agree to my details being shared like this").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
    check_page(page, problems)
    page.get_by_role("link", name="Change full name").click()
    page.get_by_label("Full name").fill("Test Person-Changed")
    page.get_by_role("button", name="Save and go back to your answers").click()
    expect(page.locator(".summary-list")).to_contain_text("Test Person-Changed")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()
    check_page(page, problems)


@pytest.mark.parametrize(
    ("viewport", "javascript"),
    [(PHONE, False), (PHONE, True), (DESKTOP, True)],
    ids=["phone-no-js", "phone-js", "desktop-js"],
)
def test_person_asks_to_join_provider_forwards_person_sees_it(
    new_context, settings, viewport, javascript
):
    settings.REPORT_MIN_SECONDS = 0  # the journey is quicker than a person
    activity = ActivityPage.objects.live().filter(provider__slug="pss", self_referral=True)
    activity = activity.exclude(capacity_status="full").order_by("title").first()
    elsewhere = ActivityPage.objects.live().exclude(provider__slug="pss").order_by("title")[0]
    problems: list[str] = []
    person = new_context(viewport, javascript=javascript).new_page()
    person.context.javascript = javascript

    self_referral(person, activity, problems)
    referral = Referral.objects.get()
    assert referral.details["name"] == "Test Person-Changed"
    status_link = person.get_by_role("link", name=f"See where referral {referral.reference} is")
    status_url = status_link.get_attribute("href")

    editor = new_context(DESKTOP, javascript=javascript).new_page()  # staff use a desktop
    editor.goto("/admin/login/")
    editor.get_by_label("Username").fill("pss-editor")
    editor.get_by_label("Password").fill(PASSWORD)
    editor.get_by_role("button", name="Sign in").click()
    editor.goto("/admin/referrals/")
    check_page_admin = []
    editor.get_by_role("link", name=referral.reference).click()
    expect(editor.get_by_text("Test Person-Changed")).to_be_visible()
    if javascript:
        violations = axe_violations(editor)
        if violations:
            check_page_admin.append(f"{editor.url}:\n{describe_violations(violations)}")
    editor.get_by_role("radio", name="Full", exact=True).check()
    editor.get_by_label("Forward it to another group").check()
    editor.get_by_label("Group to forward it to (suggestions first)").select_option(
        label=f"{elsewhere.title} ({elsewhere.provider.title})"
    )
    editor.get_by_label("The person agreed to their details going to the new organisation").check()
    editor.get_by_role("button", name="Decline and pass it on").click()
    expect(editor.get_by_text("Declined and passed on.")).to_be_visible()

    person.goto(status_url)
    check_page(person, problems)
    table = person.locator("table")
    expect(table).to_contain_text("Forwarded")
    expect(table).to_contain_text(elsewhere.provider.title)
    states = set(referral.destinations.values_list("state", flat=True))
    assert states == {State.FORWARDED, State.NEW}
    assert not problems, "Problems on referral pages:\n" + "\n".join(problems)
    assert not check_page_admin, "WCAG problems in the admin:\n" + "\n".join(check_page_admin)
