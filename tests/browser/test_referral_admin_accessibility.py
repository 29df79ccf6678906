"""axe-core (WCAG 2.2 AA tags) finds nothing on the referral screens in the Wagtail admin: the
providers' inbox, the navigators' queue, the personal data requests and the city's counts,
each as the person who uses it reaches it (signed in, with referrals in it), on a desktop
and a 320-px phone.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from activities.models import ActivityPage
from directory.demo.services import ADMIN_USERNAME
from referrals import services
from referrals.links import referral_status_url, status_url
from referrals.models import Referral
from referrals.permissions import NAVIGATORS, REFERRERS
from tests.browser.support import (
    DESKTOP,
    PASSWORD,
    PHONE,
    axe_violations,
    describe_violations,
    sign_in,
)
from tests.factories.referrals import referral_send

pytestmark = pytest.mark.browser


def _referrals() -> Referral:
    """One referral to a PSS group and the navigators; another only to the navigators."""
    activity = ActivityPage.objects.live().filter(provider__slug="pss").order_by("title")[0]
    referral_send(to_navigators=True)
    return referral_send(activities=[activity], to_navigators=True)


def _scan(new_context, username: str, paths: list[str], *, shows: str = "") -> list[str]:
    """Scan each path at both widths; the first must show `shows` (so a scan is never of an
    empty list by mistake)."""
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport).new_page()
        sign_in(page, username)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, f"{path} answered {response.status}"
            if path == paths[0] and shows:
                assert shows in page.locator("main").inner_text(), f"{path} lacks {shows}"
            violations = axe_violations(page)
            if violations:
                problems.append(f"{viewport.name} {path}:\n{describe_violations(violations)}")
    return problems


def test_providers_inbox_and_referral(new_context):
    referral = _referrals()
    mine = referral.destinations.get(provider__slug="pss")

    problems = _scan(
        new_context,
        "pss-editor",
        [
            "/admin/referrals/",
            "/admin/referrals/?state=new",
            f"/admin/referrals/?q={referral.reference}",
            "/admin/referrals/?q=NOTHING",
            f"/admin/referrals/{mine.pk}/",
        ],
        shows=referral.reference,
    )

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)


def test_navigators_queue_and_referral(new_context):
    referral = _referrals()
    theirs = referral.destinations.get(provider__isnull=True)
    user = get_user_model().objects.create_user("nina", "nina@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=NAVIGATORS))

    problems = _scan(
        new_context,
        "nina",
        ["/admin/referrals/navigators/", "/admin/referrals/", f"/admin/referrals/{theirs.pk}/"],
        shows=referral.reference,
    )

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)


def test_revoking_a_status_link_and_the_fresh_one(new_context):
    """A navigator revokes the person's link from the referral and is shown the fresh one."""
    referral = _referrals()
    theirs = referral.destinations.get(provider__isnull=True)
    user = get_user_model().objects.create_user("nina", "nina@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=NAVIGATORS))
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport).new_page()
        sign_in(page, "nina")
        page.goto(f"/admin/referrals/{theirs.pk}/")
        page.get_by_role("button", name="Revoke the link and issue a fresh one").click()
        fresh = page.get_by_label("Fresh status link").input_value()
        assert "/referrals/status/" in fresh
        violations = axe_violations(page)
        if violations:
            problems.append(f"{viewport.name} new link:\n{describe_violations(violations)}")

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)


def test_personal_data_requests_and_counts(new_context):
    referral = _referrals()

    problems = _scan(
        new_context,
        ADMIN_USERNAME,
        [
            f"/admin/referrals/data/?reference={referral.reference}",
            "/admin/referrals/data/",
            "/admin/referrals/data/?reference=NWD-R-NONE22",
            "/admin/referrals/counts/",
        ],
        shows="Erase the person's details now",
    )

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)


def test_public_referral_pages_the_journeys_do_not_reach(new_context):
    """The navigators' page, a group that does not fit, an expired form, withdrawing through
    the status link and a referrer's own list: axe finds nothing, at both widths."""
    referral = _referrals()
    full = ActivityPage.objects.live().filter(capacity_status="full").order_by("title").first()
    assert full is not None, "the demo has a full group"
    user = get_user_model().objects.create_user("rita", "rita@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=REFERRERS))
    Referral.objects.filter(pk=referral.pk).update(referred_by=user)
    status = status_url(reference=referral.reference)
    ended = referral_send(to_navigators=True)
    services.referral_withdraw(referral=ended, actor=services.Actor.person())
    pages = [
        (referral_status_url(ended), "This referral has ended", 200),
        ("/referrals/navigators/", "Ask our navigators", 200),
        (f"/referrals/start/?activity={full.pk}", "This may not be the right group", 200),
        ("/referrals/questions/name/", "", 400),
        (f"{status}withdraw/", "Withdraw", 200),
    ]
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport).new_page()
        for path, heading, code in pages:
            response = page.goto(path)
            assert response.status == code, f"{path} answered {response.status}"
            if heading:
                assert heading in page.locator("h1").inner_text(), path
            violations = axe_violations(page)
            if violations:
                problems.append(f"{viewport.name} {path}:\n{describe_violations(violations)}")
    page = new_context(DESKTOP).new_page()
    sign_in(page, "rita")
    page.goto("/referrals/mine/")
    assert referral.reference in page.locator("main").inner_text()
    violations = axe_violations(page)
    if violations:
        problems.append(f"mine:\n{describe_violations(violations)}")

    assert not problems, "WCAG 2.2 AA problems:\n" + "\n".join(problems)
