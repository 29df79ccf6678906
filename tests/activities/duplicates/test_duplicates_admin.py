"""Duplicates through the database and real admin requests: the editor's warning, the city
report and its CSV, remembered decisions, who sees what, and the command line."""

import csv
import io
import json
from datetime import time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from activities.duplicates.selectors import (
    activity_record_page,
    finding_list_city,
    finding_list_page,
)
from activities.duplicates.services import duplicate_decision_record
from activities.models import ActivityPage, DuplicateDecision, Schedule
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    ScheduleFactory,
)
from tests.support.duplicates import (
    ANXIETY,
    CLASH_PAIR,
    KNIT_PAIR,
    KNITTING,
    city_admin_make,
    duplicates_world,
    editor_client,
    last_weekday,
    pairs_of,
)


@pytest.fixture
def world(db, today):
    return duplicates_world(today)


@pytest.fixture
def city_admin(db):
    return city_admin_make()


# --- the scan through the ORM ---------------------------------------------------------------


def test_finding_list_city_finds_planted_pairs_and_not_women_vs_men(world):
    findings = finding_list_city()

    assert pairs_of(findings) == {CLASH_PAIR, KNIT_PAIR}
    kinds = {frozenset((f.match.a.ref, f.match.b.ref)): f.match.kind for f in findings}
    assert (kinds[CLASH_PAIR], kinds[KNIT_PAIR]) == ("clash", "duplicate")


def test_finding_list_page_query_count_does_not_grow_with_candidates(
    world, today, django_assert_num_queries
):
    record = activity_record_page(page=world["pages"]["LR-UALM"])
    with django_assert_num_queries(5) as few:
        finding_list_page(record=record)
    for n in range(8):
        page = ActivityFactory(
            parent=ProviderFactory(title=f"Extra {n}"),
            ref=f"X-{n}",
            title="Understanding Anxiety",
            kind="course",
            venue=world["venues"]["mill"],
            categories=[world["categories"]["anxiety"]],
        )
        ScheduleFactory(activity=page, first_date=last_weekday(today, 4))

    with django_assert_num_queries(len(few.captured_queries)):
        findings, total = finding_list_page(record=record)

    assert total == 9


# --- the editor's warning, through real admin requests -----------------------------------


def add_url(provider):
    return reverse("wagtailadmin_pages:add", args=["activities", "activitypage", provider.pk])


def new_activity_data(world, today, **changes):
    data = nested_form_data(
        {
            "title": "Understanding Anxiety",
            "slug": "understanding-anxiety",
            "kind": "course",
            "ref": "MSH-ANX",
            "description": "A short course about anxiety, worry and what helps.",
            "venue": world["venues"]["mill"].pk,
            "cost": "Free",
            "capacity_status": "places",
            "self_referral": "on",
            "schedules": inline_formset(
                [
                    {
                        "frequency": "weekly",
                        "first_date": (
                            today + timedelta(days=(1 - today.weekday()) % 7)
                        ).isoformat(),
                        "start_time": "10:00",
                        "end_time": "11:30",
                    }
                ]
            ),
            "cancellations": inline_formset([]),
            "features": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    data["categories"] = [world["categories"]["anxiety"].pk]
    data.update(changes)
    return data


def panel_html(response) -> str:
    """The warning panel's markup (it ends with the panel's own closing div)."""
    html = response.content.decode()
    start = html.index("data-duplicates-panel")
    return html[start : html.index('<div class="w-panel', start + 1)]


def test_add_view_explains_check_and_offers_no_js_button(client, world):
    client, _ = editor_client(client, world["providers"]["msh"], "mo")

    response = client.get(add_url(world["providers"]["msh"]))

    assert response.status_code == 200
    panel = panel_html(response)
    assert "save a draft: drafts are never public" in panel
    assert 'name="check-similar"' in panel
    assert "Save draft and check for similar activities" in panel


def test_new_activity_saved_as_draft_shows_similar_activities_before_publishing(
    client, world, today
):
    provider = world["providers"]["msh"]
    client, _ = editor_client(client, provider, "mo")

    response = client.post(
        add_url(provider), new_activity_data(world, today, **{"check-similar": "1"})
    )

    draft = ActivityPage.objects.get(ref="MSH-ANX")
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("wagtailadmin_pages:edit", args=[draft.pk]),
    )
    assert draft.live is False
    response = client.get(response["Location"])
    panel = panel_html(response)
    assert "2 similar activities already run nearby." in panel
    assert "Overcoming Anxiety and Depression" in panel
    assert "Understanding Anxiety and Low Mood" in panel
    assert "(Mersey Care Life Rooms)" in panel
    assert "same venue: The Millennium Centre" in panel
    assert "both Tuesday mornings: 10:00–11:30 and 10:00–12:00" in panel
    assert "Clash:" in panel
    assert "The Millennium Centre, L25 2RG" in panel


def test_invalid_new_activity_form_still_shows_similar_activities(client, world, today):
    provider = world["providers"]["msh"]
    client, _ = editor_client(client, provider, "mo")
    data = new_activity_data(world, today)
    data["schedules-0-end_time"] = "09:00"  # before the start: the form cannot save

    response = client.post(add_url(provider), data)

    assert response.status_code == 200
    assert ActivityPage.objects.filter(ref="MSH-ANX").exists() is False
    panel = panel_html(response)
    assert "2 similar activities already run nearby." in panel
    assert "same venue: The Millennium Centre" in panel


def test_edit_view_hides_own_provider_and_unrelated_activities(client, world):
    client, _ = editor_client(client, world["providers"]["rt"], "rita")

    response = client.get(reverse("wagtailadmin_pages:edit", args=[world["pages"]["RT-KNIT"].pk]))

    panel = panel_html(response)
    assert "1 similar activity already runs nearby." in panel
    assert "Knitting &amp; Crochet Circle" in panel
    assert "0.4 km apart: Joseph Lappin Centre and Old Swan Library" in panel
    assert "different days: Thursday vs Monday" in panel
    assert "Overcoming Anxiety" not in panel


def test_edit_view_of_mens_group_shows_no_similar_activity(client, world):
    client, _ = editor_client(client, world["providers"]["rt"], "rita")

    response = client.get(reverse("wagtailadmin_pages:edit", args=[world["pages"]["RT-MEN"].pk]))

    assert "No other organisation runs a similar activity nearby" in panel_html(response)


# --- decisions -----------------------------------------------------------------------------


def test_not_duplicate_decision_suppresses_pair_until_material_change(world, city_admin):
    pages = world["pages"]
    duplicate_decision_record(
        first=pages["RT-KNIT"],
        second=pages["IM-KNIT"],
        status=DuplicateDecision.Status.NOT_DUPLICATE,
        note="Ours teaches beginners; theirs is a social group.",
        user=city_admin,
    )

    assert pairs_of(finding_list_city()) == {CLASH_PAIR}

    ActivityPage.objects.filter(pk=pages["IM-KNIT"].pk).update(description="Reworded text.")
    assert pairs_of(finding_list_city()) == {CLASH_PAIR}

    Schedule.objects.filter(activity=pages["IM-KNIT"]).update(start_time=time(14, 0))
    findings = finding_list_city()
    assert pairs_of(findings) == {CLASH_PAIR, KNIT_PAIR}
    reopened = [f for f in findings if pairs_of([f]) == {KNIT_PAIR}][0]
    assert (reopened.reopened, reopened.decision.note) == (
        True,
        "Ours teaches beginners; theirs is a social group.",
    )


def test_confirmed_decision_keeps_pair_and_marks_it(world, city_admin):
    pages = world["pages"]
    duplicate_decision_record(
        first=pages["LR-UALM"],
        second=pages["PSS-OAD"],
        status=DuplicateDecision.Status.CONFIRMED,
        user=city_admin,
    )

    findings = {frozenset((f.match.a.ref, f.match.b.ref)): f for f in finding_list_city()}

    assert (findings[CLASH_PAIR].confirmed, findings[KNIT_PAIR].confirmed) == (True, False)
    decision = DuplicateDecision.objects.get()
    assert decision.activity_a_id < decision.activity_b_id


def test_editor_records_not_duplicate_through_admin_and_pair_disappears(client, world):
    pages = world["pages"]
    client, user = editor_client(client, world["providers"]["rt"], "rita")
    url = reverse("duplicates_decide", args=[pages["RT-KNIT"].pk, pages["IM-KNIT"].pk])

    missing_note = client.post(url, {"status": "not_duplicate", "note": " "})
    response = client.post(
        url, {"status": "not_duplicate", "note": "Different crafts.", "next": "/admin/duplicates/"}
    )

    assert missing_note.status_code == 200
    assert "Say why they are not duplicates" in missing_note.content.decode()
    assert (response.status_code, response["Location"]) == (302, "/admin/duplicates/")
    decision = DuplicateDecision.objects.get()
    assert (decision.status, decision.note, decision.decided_by) == (
        "not_duplicate",
        "Different crafts.",
        user,
    )
    assert len(decision.fingerprint_a) == len(decision.fingerprint_b) == 32
    report = client.get(reverse("duplicates_report"))
    assert report.context["report"].findings == []


def test_editor_cannot_decide_pair_of_two_other_providers(client, world):
    pages = world["pages"]
    client, _ = editor_client(client, world["providers"]["pss"], "pat")
    url = reverse("duplicates_decide", args=[pages["RT-KNIT"].pk, pages["IM-KNIT"].pk])

    response = client.post(url, {"status": "not_duplicate", "note": "Not ours to say."})

    # Wagtail answers a refusal inside the admin by sending the user to the dashboard.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert DuplicateDecision.objects.count() == 0


def test_decide_view_ignores_next_url_on_another_host(client, world):
    pages = world["pages"]
    client, _ = editor_client(client, world["providers"]["rt"], "rita")
    url = reverse("duplicates_decide", args=[pages["RT-KNIT"].pk, pages["IM-KNIT"].pk])

    response = client.post(
        url, {"status": "confirmed", "note": "", "next": "https://evil.example.org/"}
    )

    assert response["Location"] == reverse("duplicates_report")


# --- the city report and who sees what -------------------------------------------------------


def report_pairs(response) -> set[frozenset[str]]:
    return {frozenset((f.match.a.ref, f.match.b.ref)) for f in response.context["report"].findings}


def test_report_lists_clusters_with_reasons_for_city_admin(client, world, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("duplicates_report"))

    assert response.status_code == 200
    assert report_pairs(response) == {CLASH_PAIR, KNIT_PAIR}
    clusters = response.context["report"].clusters
    assert [(c.kind, c.areas) for c in clusters] == [
        ("clash", ["Belle Vale (Liverpool)"]),
        ("duplicate", ["Old Swan East (Liverpool)"]),
    ]
    html = response.content.decode()
    assert (
        "same venue: The Millennium Centre; both Tuesday mornings: 10:00–12:00 and 10:30–12:30"
        in html
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"provider": "im"}, {KNIT_PAIR}),
        ({"area": "Belle Vale (Liverpool)"}, {CLASH_PAIR}),
        ({"category": KNITTING}, {KNIT_PAIR}),
        ({"category": ANXIETY, "area": "Old Swan East (Liverpool)"}, set()),
    ],
)
def test_report_filters_by_provider_area_and_category(client, world, city_admin, filters, expected):
    client.force_login(city_admin)
    if "provider" in filters:
        filters = {**filters, "provider": world["providers"][filters["provider"]].pk}

    response = client.get(reverse("duplicates_report"), filters)

    assert report_pairs(response) == expected


def test_report_csv_has_one_row_per_pair_with_reasons(client, world, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("duplicates_report_csv"), {"category": KNITTING})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], {row["a_ref"], row["b_ref"]}, row["a_area"]) == (
        "duplicate",
        {"RT-KNIT", "IM-KNIT"},
        "Old Swan East (Liverpool)",
    )
    assert row["reasons"].startswith("0.4 km apart: ")
    assert "both about knitting" in row["reasons"]
    assert row["differences"] == "different days: Thursday vs Monday" or row["differences"] == (
        "different days: Monday vs Thursday"
    )


def test_editor_report_and_decisions_show_only_own_provider_pairs(client, world, city_admin):
    pages = world["pages"]
    duplicate_decision_record(
        first=pages["RT-KNIT"],
        second=pages["IM-KNIT"],
        status=DuplicateDecision.Status.CONFIRMED,
        note="We are merging them.",
        user=city_admin,
    )
    client, _ = editor_client(client, world["providers"]["pss"], "pat")

    response = client.get(reverse("duplicates_report"))
    csv_response = client.get(reverse("duplicates_report_csv"))

    assert report_pairs(response) == {CLASH_PAIR}
    assert response.context["decisions"] == []
    assert "We are merging them." not in response.content.decode()
    assert [r["a_ref"] for r in csv.DictReader(io.StringIO(csv_response.content.decode()))] in (
        ["PSS-OAD"],
        ["LR-UALM"],
    )


def test_editor_of_provider_in_decision_sees_it(client, world, city_admin):
    pages = world["pages"]
    decision = duplicate_decision_record(
        first=pages["RT-KNIT"],
        second=pages["IM-KNIT"],
        status=DuplicateDecision.Status.CONFIRMED,
        note="We are merging them.",
        user=city_admin,
    )
    client, _ = editor_client(client, world["providers"]["im"], "ima")

    response = client.get(reverse("duplicates_report"))

    assert response.context["decisions"] == [decision]
    assert report_pairs(response) == {KNIT_PAIR}


def decide_links(response) -> dict[frozenset[str], str | None]:
    return {
        frozenset((pair["finding"].match.a.ref, pair["finding"].match.b.ref)): pair["decide_url"]
        for cluster in response.context["clusters"]
        for pair in cluster["pairs"]
    }


def test_report_offers_decide_links_only_to_those_who_may_decide(client, world, city_admin):
    pages = world["pages"]
    commissioner = get_user_model().objects.create_user("cam", "c@example.org", "pw-123456789")
    commissioner.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_duplicatedecision"),
    )
    client.force_login(commissioner)
    seen_by_commissioner = decide_links(client.get(reverse("duplicates_report")))
    client.force_login(city_admin)

    seen_by_city_admin = decide_links(client.get(reverse("duplicates_report")))

    assert seen_by_commissioner == {CLASH_PAIR: None, KNIT_PAIR: None}
    low, high = sorted((pages["RT-KNIT"].pk, pages["IM-KNIT"].pk))
    assert seen_by_city_admin[KNIT_PAIR].startswith(
        reverse("duplicates_decide", args=[low, high]) + "?next="
    )
    assert seen_by_city_admin[CLASH_PAIR] is not None


def test_edit_view_offers_editor_a_decision_about_own_activity(client, world):
    pages = world["pages"]
    client, _ = editor_client(client, world["providers"]["rt"], "rita")

    response = client.get(reverse("wagtailadmin_pages:edit", args=[pages["RT-KNIT"].pk]))

    decide_url = reverse("duplicates_decide", args=[pages["RT-KNIT"].pk, pages["IM-KNIT"].pk])
    assert f'href="{decide_url}?next=' in panel_html(response)


def test_report_refuses_user_with_no_provider(client, world):
    user = get_user_model().objects.create_user("nobody", "n@example.org", "pw-123456789")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    response = client.get(reverse("duplicates_report"))

    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))


# --- the command line ---------------------------------------------------------------------


def test_find_duplicates_json_shape(world):
    out = io.StringIO()

    call_command("find_duplicates", "--json", stdout=out)

    items = json.loads(out.getvalue())
    assert [sorted(item) for item in items] == [
        ["a_provider", "a_ref", "b_provider", "b_ref", "kind", "reasons", "score"]
    ] * 2
    by_pair = {frozenset((i["a_ref"], i["b_ref"])): i for i in items}
    clash = by_pair[CLASH_PAIR]
    assert clash["kind"] == "clash"
    assert {clash["a_provider"], clash["b_provider"]} == {
        "Person Shaped Support",
        "Mersey Care Life Rooms",
    }
    assert 0 <= clash["score"] <= 1
    assert clash["reasons"][:2] == [
        "same venue: The Millennium Centre",
        "both Tuesday mornings: 10:00–12:00 and 10:30–12:30",
    ]
    assert by_pair[KNIT_PAIR]["kind"] == "duplicate"


def test_find_duplicates_table_lists_pairs_and_totals(world):
    out = io.StringIO()

    call_command("find_duplicates", stdout=out)

    text = out.getvalue()
    assert "CLASH" in text and "DUPLICATE" in text
    assert "RT-KNIT" in text and "IM-KNIT" in text
    assert text.rstrip().endswith("2 pairs: 1 clash, 1 duplicate.")


def test_find_duplicates_with_nothing_to_report(db):
    out = io.StringIO()

    call_command("find_duplicates", "--json", stdout=out)

    assert json.loads(out.getvalue()) == []
