"""The Liverpool demo's planted overlaps are found, with reasons a provider would accept."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from activities.duplicates.selectors import finding_list_city
from activities.models import ActivityPage

PASSWORD = "demo-Passw0rd-for-duplicates"


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """Load the demo once for this module, and roll it back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True):
            call_command("load_demo", password=PASSWORD, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def findings(demo_loaded, db):
    return {frozenset((f.match.a.ref, f.match.b.ref)): f.match for f in finding_list_city()}


def test_demo_anxiety_courses_at_millennium_centre_clash(findings):
    match = findings[frozenset({"PSS-OAD", "LR-UALM"})]

    assert match.kind == "clash"
    assert {match.a.provider, match.b.provider} == {
        "Person Shaped Support (PSS)",
        "Mersey Care Life Rooms",
    }
    assert match.reasons[0] == "same venue: The Millennium Centre"
    assert match.reasons[1] in (
        "both Tuesday mornings: 10:00–12:00 and 10:30–12:30",
        "both Tuesday mornings: 10:30–12:30 and 10:00–12:00",
    )
    assert "both about anxiety and low mood" in match.reasons


def test_demo_knitting_groups_nearby_are_duplicates(findings):
    match = findings[frozenset({"RT-KNIT", "IM-KNIT"})]

    assert match.kind == "duplicate"
    place = match.reasons[0]
    assert place.startswith("0.4 km apart: ")
    assert "Joseph Lappin Centre" in place and "Old Swan Library" in place
    assert "both about knitting" in match.reasons
    assert match.differences[0] in (
        "different days: Thursday vs Monday",
        "different days: Monday vs Thursday",
    )


def test_demo_walks_in_sefton_park_are_duplicates(findings):
    match = findings[frozenset({"PSS-WALK", "IM-WALK"})]

    assert match.kind == "duplicate"
    assert match.reasons[0].endswith(
        (
            "Sefton Park Palm House and Lark Lane Community Centre",
            "Lark Lane Community Centre and Sefton Park Palm House",
        )
    )
    assert "both about walking" in match.reasons


def test_demo_womens_and_mens_groups_are_never_paired(findings):
    women_or_men = {"MSH-WOMEN", "MSH-MEN", "IM-WOMEN", "IM-MENWALK", "RT-MEN", "MSH-SOMALI"}

    paired = {ref for pair in findings for ref in pair} & women_or_men

    assert paired == set()


def test_demo_pairs_are_all_cross_provider_with_a_place_reason(findings):
    for match in findings.values():
        assert match.a.provider != match.b.provider
        assert (
            match.reasons[0].startswith(("same venue", "both online"))
            or " km apart" in (match.reasons[0])
        )


def test_demo_editor_sees_clash_warning_in_page_editor(client, demo_loaded, db):
    user = get_user_model().objects.get(username="liferooms-editor")
    client.force_login(user)
    page = ActivityPage.objects.get(ref="LR-UALM")

    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))

    html = response.content.decode()
    panel = html[html.index("data-duplicates-panel") :][:6000]
    assert "Clash:" in panel
    assert "Overcoming Anxiety and Depression" in panel
    assert "(Person Shaped Support (PSS))" in panel
    assert "same venue: The Millennium Centre" in panel
