"""Issue 10 in a real browser: the strict Content-Security-Policy breaks nothing on public pages,
and the second factor's admin pages work without JavaScript and pass axe."""

from __future__ import annotations

import re
import time

import pytest
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.support import (
    DESKTOP,
    PASSWORD,
    PHONE,
    activity_path,
    axe_violations,
    describe_violations,
)

pytestmark = pytest.mark.browser

# Runs before any of the page's own scripts, through the DevTools protocol (not under the CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watched_page(context):
    """A page that records CSP violations, from the DOM event and from the console."""
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def violations(page, console) -> list[str]:
    return page.evaluate("() => window.__cspViolations") + console


def test_public_pages_load_with_the_strict_policy_and_no_violation(new_context):
    page, console = watched_page(new_context(DESKTOP))
    problems = {}
    for path in ["/", "/activities/", activity_path("PSS-OAD"), "/shortlist/"]:
        response = page.goto(path)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        if found := violations(page, console):
            problems[path] = found
        console.clear()

    assert problems == {}


def test_the_shortlist_script_still_works_under_the_policy(new_context):
    page, console = watched_page(new_context(PHONE))
    page.goto(activity_path("PSS-OAD"))

    page.get_by_role("button", name="Add to shortlist").click()

    expect(page.get_by_role("button", name="Remove from shortlist")).to_be_visible()
    assert violations(page, console) == []


def test_an_inline_script_is_refused_and_reported(new_context):
    # The control for the tests above: an inline script does break the policy, and is seen.
    page, console = watched_page(new_context(DESKTOP))
    page.goto("/")

    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")

    assert page.evaluate("() => window.__ran === undefined")
    assert any(v.startswith("script-src") for v in violations(page, console))


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize(
    ("viewport", "javascript"),
    [(PHONE, False), (PHONE, True), (DESKTOP, True)],
    ids=["phone-no-js", "phone", "desktop"],
)
def test_second_factor_pages_work_without_javascript_and_pass_axe(
    new_context, viewport, javascript
):
    problems = []

    def scan(page):
        # axe needs JavaScript; the journey without it shows the pages work all the same.
        if javascript:
            problems.append(describe_violations(axe_violations(page)))

    def sign_in():
        page = new_context(viewport, javascript=javascript).new_page()
        page.goto("/admin/login/")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        return page

    with override_settings(OTP_REQUIRED=True):
        page = sign_in()
        expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
        scan(page)

        page.get_by_label("Code from your authenticator app").fill("12345")
        page.get_by_role("button", name="Confirm code").click()
        expect(page.get_by_role("alert")).to_contain_text("Enter the six digits")
        scan(page)

        device = TOTPDevice.objects.get(user__username="admin")
        page.get_by_label("Code from your authenticator app").fill(_code(device))
        page.get_by_role("button", name="Confirm code").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        codes = page.locator(".recovery-codes li").all_inner_texts()
        scan(page)
        page.get_by_role("link", name="I have kept my codes: continue").click()
        assert re.search(r"/admin/$", page.url)

        # The next sign-in, elsewhere: a wrong code, then a recovery code.
        page = sign_in()
        expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
        scan(page)
        page.get_by_label("Code from your authenticator app").fill("abcdef")
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("Enter the six digits")
        scan(page)
        page.get_by_label("Recovery code").fill(codes[0])
        page.get_by_role("button", name="Sign in with a recovery code").click()
        assert re.search(r"/admin/$", page.url)

    assert len(codes) == 10
    assert [p for p in problems if p] == []


def test_the_lockout_page_says_when_to_try_again_and_passes_axe(new_context):
    page = new_context(PHONE).new_page()
    page.goto("/admin/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("pss-editor")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        if page.get_by_role("heading", name="Too many sign-in attempts").count():
            break
        expect(page.get_by_label("Username")).to_be_visible()

    expect(page.get_by_role("heading", name="Too many sign-in attempts")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Please try again after")
    assert "pss-editor" not in page.content()
    assert describe_violations(axe_violations(page)) == ""
