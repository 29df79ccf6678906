"""Journeys: a person asks to join a group (from a finder result without JavaScript on a
phone, from its page with it); its provider declines and forwards it; the person sees where it
went through their private link. A referrer refers from a shortlist to two providers: one
declines and forwards, the other accepts, the person sees both, and a navigator re-refers.
axe-core (WCAG 2.2 AA) checks every referral page on the way, public and admin.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from activities.models import ActivityPage
from referrals.enums import Route, State
from referrals.models import Referral
from referrals.permissions import NAVIGATORS, REFERRERS
from referrals.selectors import activities_fit
from tests.browser import support
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


def fill_and_continue(page, answers: dict[str, str]) -> None:
    for label, value in answers.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Continue").click()


def contact_and_language(page, method: str, phone: str, *, leave_message: str) -> None:
    """The contact, times and language questions (no interpreter)."""
    page.get_by_label(method).check()
    page.get_by_label("Phone number").fill(phone)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name=leave_message, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Continue").click()


def from_finder(page, activity: ActivityPage) -> None:
    """The finder's results for the activity's area, then its result's link."""
    page.goto("/find/")
    page.get_by_label("Their postcode").fill(activity.venue.postcode)
    page.get_by_role("button", name="Find groups").click()
    result = page.locator(".finder-card").filter(
        has=page.get_by_role("heading", name=activity.title, exact=True)
    )
    result.get_by_role("link", name=f"Ask to join or refer someone to {activity.title}").click()


def self_referral(page, activity: ActivityPage, problems: list[str], *, finder=False) -> None:
    if finder:
        from_finder(page, activity)
    else:
        page.goto(activity.url)
        page.get_by_role("link", name=f"Ask to join {activity.title}").click()
    check_page(page, problems)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("button", name="Continue").click()  # nothing typed: an error summary
    expect(page.locator(".error-summary")).to_contain_text("Enter full name")
    check_page(page, problems)
    fill_and_continue(page, {"Full name": "Test Person"})
    check_page(page, problems)
    contact_and_language(page, "Text message", "07700 900456", leave_message="Yes")
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
    [(PHONE, False), (DESKTOP, True)],
    ids=["phone-no-js", "desktop-js"],
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

    self_referral(person, activity, problems, finder=not javascript)
    referral = Referral.objects.get()
    assert referral.details["name"] == "Test Person-Changed"
    status_link = person.get_by_role("link", name=f"See where referral {referral.reference} is")
    status_url = status_link.get_attribute("href")

    editor = new_context(DESKTOP, javascript=javascript).new_page()  # staff use a desktop
    sign_in(editor, "pss-editor", then="/admin/referrals/")
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


def sign_in(page, username: str, *, then: str) -> None:
    support.sign_in(page, username)
    page.goto(then)


def user_in(group: str, username: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    return user


def admin_axe(page, problems: list[str]) -> None:
    if page.context.javascript:
        violations = axe_violations(page)
        if violations:
            problems.append(f"{page.url}:\n{describe_violations(violations)}")


def fitting_for_referrers(count: int) -> list[ActivityPage]:
    """The first activities (one per organisation with a demo editor) a referrer may refer to."""
    chosen: list[ActivityPage] = []
    candidates = ActivityPage.objects.live().exclude(capacity_status="full").order_by("title")
    for activity in candidates.filter(provider__slug__in=["pss", "life-rooms", "waythrough"]):
        if any(activity.provider_id == other.provider_id for other in chosen):
            continue
        if activities_fit(ids=[activity.pk], route=Route.REFERRER)[0].fit.fits:
            chosen.append(activity)
        if len(chosen) == count:
            return chosen
    raise AssertionError("the demo has no activities a referrer may refer to")


@pytest.mark.parametrize(
    ("viewport", "javascript"), [(PHONE, True), (DESKTOP, False)], ids=["phone-js", "desktop-no-js"]
)
def test_referrer_refers_from_shortlist_to_two_one_forwards_one_accepts_navigator_re_refers(
    new_context, settings, viewport, javascript
):
    settings.REPORT_MIN_SECONDS = 0
    first, second, elsewhere = fitting_for_referrers(3)
    editors = {"pss": "pss-editor", "life-rooms": "liferooms-editor"}
    editors["waythrough"] = "waythrough-editor"
    user_in(REFERRERS, "rita-referrer")
    user_in(NAVIGATORS, "nina-navigator")
    problems: list[str] = []
    admin_problems: list[str] = []

    # The referrer (on a phone with JavaScript, or a desktop without; the first journey has
    # the other two) opens a shared
    # shortlist of two groups and refers the person to both.
    referrer = new_context(viewport, javascript=javascript).new_page()
    referrer.context.javascript = javascript
    sign_in(referrer, "rita-referrer", then=f"/shortlist/?ids={first.pk},{second.pk}")
    referrer.get_by_role("link", name="Ask to join or refer someone to these").click()
    expect(referrer.get_by_role("heading", name="Before you refer someone")).to_be_visible()
    check_page(referrer, problems)
    referrer.get_by_role("button", name="Continue with 2 groups").click()
    fill_and_continue(referrer, {"Full name": "Pat Referred"})
    contact_and_language(referrer, "Phone call", "07700 900789", leave_message="No")
    referrer.get_by_role("button", name="Continue").click()  # access needs: none
    referrer.get_by_role("button", name="Continue").click()  # first visit: nothing
    referrer.get_by_role("button", name="Continue").click()  # hopes: optional
    fill_and_continue(
        referrer,
        {
            "Your organisation": "Toxteth Health Centre",
            "Your role": "Social prescribing link worker",
            "Your work phone or email": "0151 496 0000",
        },
    )
    check_page(referrer, problems)
    referrer.get_by_label("I confirm the person has agreed").check()
    referrer.get_by_role("button", name="Continue").click()
    expect(
        referrer.get_by_role("heading", name="Check your answers before sending")
    ).to_be_visible()
    referrer.get_by_role("button", name="Send").click()
    expect(referrer.get_by_role("heading", name="Referral sent")).to_be_visible()
    referral = Referral.objects.get()
    assert referral.route == Route.REFERRER
    status_url = referrer.get_by_role(
        "link", name=f"See where referral {referral.reference} is"
    ).get_attribute("href")
    referrer.goto("/referrals/mine/")
    expect(referrer.locator("body")).to_contain_text(referral.reference)

    # The first organisation is full: it declines and forwards; the second accepts.
    declining = new_context(DESKTOP, javascript=javascript).new_page()
    declining.context.javascript = javascript
    sign_in(declining, editors[first.provider.slug], then="/admin/referrals/")
    declining.get_by_role("link", name=referral.reference).click()
    declining.get_by_role("radio", name="Full", exact=True).check()
    declining.get_by_label("Forward it to another group").check()
    declining.get_by_label("Group to forward it to (suggestions first)").select_option(
        label=f"{elsewhere.title} ({elsewhere.provider.title})"
    )
    declining.get_by_label(
        "The person agreed to their details going to the new organisation"
    ).check()
    declining.get_by_role("button", name="Decline and pass it on").click()
    expect(declining.get_by_text("Declined and passed on.")).to_be_visible()

    accepting = new_context(DESKTOP, javascript=javascript).new_page()
    sign_in(accepting, editors[second.provider.slug], then="/admin/referrals/")
    accepting.get_by_role("link", name=referral.reference).click()
    accepting.get_by_role("button", name="Accept: we will contact them").click()
    expect(accepting.locator("body")).to_contain_text("Accepted")

    # The person, given the link by the referrer, sees both answers.
    person = new_context(viewport, javascript=javascript).new_page()
    person.context.javascript = javascript
    person.goto(status_url)
    check_page(person, problems)
    rows = person.locator("table tbody tr")
    expect(rows.filter(has_text=first.provider.title)).to_contain_text("Forwarded")
    expect(rows.filter(has_text=second.provider.title)).to_contain_text("Accepted")
    expect(rows.filter(has_text=elsewhere.provider.title)).to_contain_text("New")

    # Their needs change: a navigator re-refers them to another group, linked to this one.
    navigator = new_context(DESKTOP, javascript=javascript).new_page()
    navigator.context.javascript = javascript
    sign_in(navigator, "nina-navigator", then="/admin/referrals/navigators/")
    admin_axe(navigator, admin_problems)
    navigator.goto(f"/admin/referrals/?q={referral.reference}")
    accepted_row = navigator.locator("tbody tr").filter(has_text=second.title)
    accepted_row.get_by_role("link", name=referral.reference).click()
    admin_axe(navigator, admin_problems)
    navigator.get_by_label(f"{elsewhere.title} ({elsewhere.provider.title})").check()
    navigator.get_by_label(
        "The person agreed to their details going to these organisations"
    ).check()
    navigator.get_by_role("button", name="Re-refer").click()
    new = Referral.objects.get(previous=referral)
    expect(navigator.get_by_text(f"Re-referred as {new.reference}.")).to_be_visible()
    assert new.route == Route.NAVIGATOR
    assert new.details["name"] == "Pat Referred"
    assert list(new.destinations.values_list("activity", flat=True)) == [elsewhere.pk]
    states = dict(referral.destinations.values_list("activity", "state"))
    assert states == {
        first.pk: State.FORWARDED,
        second.pk: State.ACCEPTED,
        elsewhere.pk: State.NEW,
    }
    assert not problems, "Problems on referral pages:\n" + "\n".join(problems)
    assert not admin_problems, "WCAG problems in the admin:\n" + "\n".join(admin_problems)
