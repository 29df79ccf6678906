"""axe-core (WCAG 2.2 AA tags) finds nothing on the referrer invitation screens (issue 11): the
city admins' list of referrers and invitation form (empty, with errors) in the admin, and the
public page where the invited person chooses their password, at desktop and phone widths.
Each is reached by clicking, as a person would."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from directory.demo.services import ADMIN_USERNAME
from referrals import invites
from tests.browser.support import DESKTOP, PHONE, axe_violations, describe_violations, sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Mersey-ferry-1965-lantern"
FIRST_PASSWORD = re.compile(r"^New password(?! confirmation)")  # its label holds the hint


FADES_FINISHED = """Promise.race([
  Promise.all(document.getAnimations()
    .filter(a => !a.effect || a.effect.getTiming().iterations !== Infinity)
    .map(a => a.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 3000)),
])"""


def _check(page, where: str, problems: list[str]) -> None:
    # Wagtail's messages fade in: scan the colours they end with, not a frame of the fade.
    # Only animations that end, and never more than 3 s (an endless one would hang the run).
    page.evaluate(FADES_FINISHED)
    violations = axe_violations(page)
    if violations:
        problems.append(f"{where}:\n{describe_violations(violations)}")


def test_invite_screens_and_join_page(new_context):
    # After a click the next page may still be streaming in, so every check on it is an
    # expect(), which waits for the text, rather than one read of inner_text().
    problems: list[str] = []
    for n, viewport in enumerate((DESKTOP, PHONE)):
        page = new_context(viewport).new_page()
        sign_in(page, ADMIN_USERNAME)
        page.goto("/admin/referrals/referrers/")
        _check(page, f"{viewport.name} referrers (empty)", problems)
        page.get_by_role("link", name="Invite a referrer").click()
        expect(page.locator("h1")).to_contain_text("Invite a referrer")
        _check(page, f"{viewport.name} invite form", problems)
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.locator("main")).to_contain_text("There is a problem")
        _check(page, f"{viewport.name} invite form with errors", problems)
        email = f"priya{n}@nhs.example"
        page.get_by_label("Full name").fill("Priya Shah")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Organisation").fill("Princes Park Health Centre")
        page.get_by_label("Role").fill("Link worker")
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.locator("main")).to_contain_text(email)
        _check(page, f"{viewport.name} referrers (one invited)", problems)

        user = get_user_model().objects.get(email=email)
        visitor = new_context(viewport).new_page()
        link = invites.join_path(user)
        visitor.goto(link)
        expect(visitor.locator("h1")).to_contain_text("Choose your password")
        _check(visitor, f"{viewport.name} join", problems)
        visitor.get_by_label(FIRST_PASSWORD).fill(NEW_PASSWORD)
        visitor.get_by_label("New password confirmation").fill("not the same")
        visitor.get_by_role("button", name="Set my password").click()
        expect(visitor.locator("main")).to_contain_text("There is a problem")
        _check(visitor, f"{viewport.name} join with errors", problems)
        visitor.get_by_label(FIRST_PASSWORD).fill(NEW_PASSWORD)
        visitor.get_by_label("New password confirmation").fill(NEW_PASSWORD)
        visitor.get_by_role("button", name="Set my password").click()
        expect(visitor.locator("h1")).to_contain_text("Your referrals")
        visitor.goto(link)
        expect(visitor.locator("h1")).to_contain_text("no longer works")
        _check(visitor, f"{viewport.name} used link", problems)

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)
