"""Journey: a provider's editor signs in, sees their listings not checked for 90 days on the
admin dashboard, confirms one as still right, and it leaves the list."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from activities.models import ActivityPage
from tests.browser.support import DESKTOP, PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_provider_editor_confirms_a_stale_listing_from_the_dashboard(
    new_context, javascript, today
):
    # The dashboard reads the clock itself: "half a year ago" counts from the site's today.
    mine = ActivityPage.objects.live().filter(provider__slug="pss").order_by("title")
    mine.update(last_checked=today)
    # Two of PSS's listings were last checked half a year ago; another organisation's too.
    stale, still_stale = mine[0], mine[1]
    long_ago = today - dt.timedelta(days=180)
    ActivityPage.objects.filter(pk__in=[stale.pk, still_stale.pk]).update(last_checked=long_ago)
    others = ActivityPage.objects.live().exclude(provider__slug="pss")
    others.filter(pk=others.first().pk).update(last_checked=long_ago)
    page = new_context(DESKTOP, javascript=javascript).new_page()

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("pss-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    panel = page.get_by_role("region", name="Listings to check")
    listed = panel.locator(".nwd-freshness-list li")
    expect(listed).to_have_count(2)  # their own two, not the other organisation's
    expect(listed.get_by_role("checkbox").first).to_be_checked()  # all ticked to start with
    panel.get_by_label(still_stale.title).uncheck()
    panel.get_by_role("button", name="Confirm these are still right").click()

    expect(page.get_by_text("Confirmed 1 listing as still right")).to_be_visible()
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text(still_stale.title)
    stale.refresh_from_db()
    still_stale.refresh_from_db()
    assert (stale.last_checked, still_stale.last_checked) == (today, long_ago)
