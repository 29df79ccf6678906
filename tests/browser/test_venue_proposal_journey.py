"""Journey: an editor opens a venue another organisation owns, is sent to propose a change
(with and without JavaScript), sends it, and the owner's editor approves it. axe-core scans the
new admin pages (WCAG 2.2 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from directory.enums import ProposalStatus
from directory.models import VenueOwner, VenueProposal
from tests.browser.support import DESKTOP, PASSWORD, axe_violations, describe_violations
from venues.models import Venue

pytestmark = pytest.mark.browser


def sign_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def assert_accessible(page, javascript):
    """axe-core needs JavaScript: the scan runs in the JavaScript run of the journey."""
    if javascript:
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_editor_proposes_a_venue_change_and_the_owner_approves_it(new_context, javascript):
    owned_by_pss = VenueOwner.objects.filter(provider__slug="pss").values("venue")
    venue = Venue.objects.exclude(pk__in=owned_by_pss).filter(ownerships__isnull=False).first()
    owner = VenueOwner.objects.filter(venue=venue).select_related("provider").first().provider
    page = new_context(DESKTOP, javascript=javascript).new_page()
    sign_in(page, "pss-editor")

    page.goto(f"/admin/snippets/venues/venue/edit/{venue.pk}/")

    expect(page.get_by_role("heading", name=f"Propose a change to {venue.name}")).to_be_visible()
    assert_accessible(page, javascript)
    page.get_by_label("Hearing loop").select_option("no")
    page.get_by_label("Why (optional)").fill("The loop has been removed.")
    page.get_by_role("button", name="Send the proposed change").click()

    expect(page.get_by_text(f"Your proposed change to “{venue.name}” was sent")).to_be_visible()
    page.reload()  # scan our page, not Wagtail's flash message (its colours are Wagtail's)
    expect(page.get_by_role("cell", name=venue.name)).to_be_visible()
    assert_accessible(page, javascript)
    proposal = VenueProposal.objects.get(venue=venue)
    assert proposal.values["features"]["hearing_loop"] == "no"

    owner_page = new_context(DESKTOP, javascript=javascript).new_page()
    sign_in(owner_page, f"{owner.slug}-editor")
    owner_page.goto("/admin/venue-changes/")
    section = owner_page.get_by_role("region", name=venue.name)
    expect(section).to_contain_text("The loop has been removed.")
    assert_accessible(owner_page, javascript)
    approve = section.locator('button[value="approve"]')
    expect(approve).to_have_text(f"Approve and apply: {venue.name}")
    approve.click()

    expect(owner_page.get_by_text(f"Applied the change to {venue.name}")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert venue.features.get(code="hearing_loop").status == "no"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_city_admin_chooses_a_venues_owners(new_context, javascript):
    venue = Venue.objects.filter(ownerships__isnull=False).order_by("name").first()
    page = new_context(DESKTOP, javascript=javascript).new_page()
    sign_in(page, "admin")

    page.goto(f"/admin/venues/{venue.pk}/owners/")

    expect(page.get_by_role("heading", name=f"Owners of {venue.name}")).to_be_visible()
    assert_accessible(page, javascript)
    page.get_by_label("Person Shaped Support (PSS)", exact=True).check()
    page.get_by_role("button", name="Save owners").click()

    expect(page.get_by_text(f"Saved the owners of “{venue.name}”.")).to_be_visible()
    assert VenueOwner.objects.filter(venue=venue, provider__slug="pss").exists()
