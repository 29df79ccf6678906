"""What the browser tests share besides fixtures: the axe-core scan, layout checks, demo pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from activities.models import ActivityPage

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# axe leaves the WCAG 2.2 rules out unless asked, so every tag is named (issue 5).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "browser-Tests-Passw0rd"
# 210 mm at 96 CSS pixels to the inch: the width of an A4 sheet as the print view lays it out.
A4_WIDTH_PX = 794


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    mobile: bool


DESKTOP = Viewport("desktop", 1280, 800, mobile=False)
PHONE = Viewport("phone", 320, 640, mobile=True)


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.2 AA tags on the page as it stands; its violations."""
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS} is missing: run `npm ci` (make test does) to install axe-core.",
            pytrace=False,
        )
    # A page reached by a click may still be streaming in: scanning it then finds inputs whose
    # labels have not arrived yet (seen on a loaded CI machine). Scan the whole document.
    page.wait_for_load_state("load")
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern; a <script> tag with the source inline (add_script_tag) would be refused by it.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    # page.evaluate has no timeout of its own: a scan that never settles fails after 60 s.
    return page.evaluate(
        """tags => Promise.race([
            axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],  // details for violations only: quicker
            }).then(results => results.violations),
            new Promise((_, reject) => setTimeout(
                () => reject(new Error('axe did not finish within 60 s')), 60000)),
        ])""",
        WCAG_TAGS,
    )


def describe_violations(violations: list[dict]) -> str:
    """Each violation's rule, help text and the nodes it found, one per line."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls across)."""
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )


def activity_path(ref: str) -> str:
    """The public path of the demo activity with this reference (e.g. "PSS-OAD")."""
    return ActivityPage.objects.get(ref=ref).url


def sign_in(page, username: str) -> None:
    """Sign in through the admin's login form (every demo login's password is PASSWORD)."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
