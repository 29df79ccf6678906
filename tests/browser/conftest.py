"""Browser tests: Playwright drives Debian's Chromium against a live server holding the demo.

Nothing here downloads a browser. `make test` installs Debian's `chromium` when it is missing
and axe-core through `npm ci`; a machine without either fails these tests with a message that
says so, rather than skipping them (a skipped accessibility check looks like a passing one).

Each test gets pytest-django's `live_server` on a transactional database with the Liverpool
demo freshly loaded (about half a second), and its own browser context, so no cookie or
shortlist leaks from one test into the next. Chromium starts once per test module.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connections

from directory.demo.services import DemoResult, demo_load
from tests.browser.support import DESKTOP, PASSWORD, Viewport

CHROMIUM = Path(os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium, one per test module. Fails (never skips) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. The browser tests use Debian's package "
            "and never download one: run `make test` (it installs it) or "
            "`apt-get install chromium`, or set CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- after the check above

    # While Playwright's sync API is started, the test's code runs in a greenlet with its own
    # context variables, and so with its own Django connection objects, and an asyncio loop
    # runs on the main thread. Django would refuse ORM calls there (SynchronousOnlyOperation)
    # though they are synchronous: the test thread only loads data and reads it back, while
    # the server thread answers the browser. So the check is off while Playwright runs, and
    # the new connections learn the migrated data that serialized rollback puts back after
    # each test's flush. Module scope stops all this before the rest of the suite.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # CI runs as root, where Chromium's sandbox cannot start.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()
        # These connections belong to Playwright's greenlet: close them now, or PostgreSQL
        # keeps them open and refuses to drop the test database at the end.
        connections.close_all()


@pytest.fixture
def demo(django_db_serialized_rollback, live_server) -> DemoResult:
    """The Liverpool demo, current today, with every login's password set to PASSWORD.

    serialized_rollback puts back the pages the migrations made (the home page, the providers
    index) after the transactional flush, so the rest of the suite still finds them.
    """
    for cache in caches.all():
        cache.clear()
    return demo_load(password=PASSWORD)


@pytest.fixture
def new_context(browser, live_server, demo) -> Iterator[Callable[..., object]]:
    """Make fresh browser contexts (no cookies), closed after the test: new_context(PHONE,
    javascript=False). PHONE is 320x640 with touch, DESKTOP 1280x800 (tests.browser.support)."""
    contexts = []

    def make(viewport: Viewport = DESKTOP, *, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": viewport.width, "height": viewport.height},
            is_mobile=viewport.mobile,
            has_touch=viewport.mobile,
            device_scale_factor=2 if viewport.mobile else 1,
            java_script_enabled=javascript,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def desktop(new_context):
    """A page in a fresh 1280x800 desktop context with JavaScript on."""
    return new_context(DESKTOP).new_page()
