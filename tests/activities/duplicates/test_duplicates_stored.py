"""The stored duplicate scan: refreshed nightly and when an activity changes, and the city
report, its pages, filters and CSV served from it with a constant number of queries."""

import csv
import io
from datetime import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.duplicates.services import duplicate_decision_record
from activities.duplicates.store import stored_pairs_refresh_all, stored_pairs_refresh_for
from activities.imports.services import timetable_import
from activities.models import ActivityPage, DuplicateDecision, Schedule, StoredDuplicatePair
from tests.factories import ActivityFactory, CategoryFactory, ProviderFactory, ScheduleFactory
from tests.support.duplicates import (
    ANXIETY,
    CLASH_PAIR,
    KNIT_PAIR,
    city_admin_make,
    duplicates_world,
    editor_client,
    last_weekday,
)
from tests.support.timetables import timetable_row

NEW_PAIRS = {frozenset({"MSH-ANX", "PSS-OAD"}), frozenset({"MSH-ANX", "LR-UALM"})}


@pytest.fixture
def world(db, today):
    return duplicates_world(today)


@pytest.fixture
def city_admin(db):
    return city_admin_make()


def stored_pairs() -> set[frozenset[str]]:
    return {frozenset(refs) for refs in StoredDuplicatePair.objects.values_list("ref_a", "ref_b")}


def report_pairs(response) -> set[frozenset[str]]:
    return {frozenset((f.match.a.ref, f.match.b.ref)) for f in response.context["report"].findings}


def third_anxiety_course(world, today):
    """Mary Seacole House's anxiety course at the Millennium Centre on Tuesday mornings: it
    pairs with both anxiety courses already there (saved, not yet scanned)."""
    page = ActivityFactory(
        parent=world["providers"]["msh"],
        ref="MSH-ANX",
        title="Understanding Anxiety",
        kind="course",
        venue=world["venues"]["mill"],
        description="A short course about anxiety, worry and what helps.",
        categories=[world["categories"]["anxiety"]],
    )
    ScheduleFactory(
        activity=page,
        first_date=last_weekday(today, 1),
        start_time=time(10, 0),
        end_time=time(11, 30),
    )
    return ActivityPage.objects.get(pk=page.pk)


# --- refreshing the stored scan -------------------------------------------------------------


def test_refresh_duplicates_command_replaces_stored_pairs(world):
    StoredDuplicatePair.objects.all().delete()
    out = io.StringIO()

    call_command("refresh_duplicates", stdout=out)

    assert out.getvalue().strip() == "Stored 2 pairs."
    assert stored_pairs() == {CLASH_PAIR, KNIT_PAIR}
    clash = StoredDuplicatePair.objects.get(kind="clash")
    assert clash.activity_a_id < clash.activity_b_id
    assert (clash.place_a, clash.area_a) == (
        "The Millennium Centre, L25 2RG",
        "Belle Vale (Liverpool)",
    )
    assert clash.reasons[0] == "same venue: The Millennium Centre"
    # Clashes' groups come first.
    assert clash.cluster < StoredDuplicatePair.objects.get(kind="duplicate").cluster


def test_publishing_an_activity_stores_its_new_pairs(
    world, today, django_capture_on_commit_callbacks
):
    page = third_anxiety_course(world, today)
    assert stored_pairs() == {CLASH_PAIR, KNIT_PAIR}

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert stored_pairs() == {CLASH_PAIR, KNIT_PAIR, *NEW_PAIRS}
    # It joins the anxiety courses' group.
    clusters = set(
        StoredDuplicatePair.objects.filter(kind="clash").values_list("cluster", flat=True)
    )
    assert len(clusters) == 1


def test_unpublishing_an_activity_drops_its_stored_pairs(world, django_capture_on_commit_callbacks):
    page = ActivityPage.objects.get(ref="IM-KNIT")

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()

    assert stored_pairs() == {CLASH_PAIR}


def test_deleting_an_activity_drops_its_stored_pairs(world):
    ActivityPage.objects.get(ref="PSS-OAD").delete()

    assert stored_pairs() == {KNIT_PAIR}


def test_importing_a_timetable_stores_the_new_activitys_pairs(
    world, today, django_capture_on_commit_callbacks
):
    provider = world["providers"]["msh"]
    row = timetable_row(
        provider=provider.title,
        ref="MSH-ANX",
        title="Understanding Anxiety",
        kind="course",
        description="A short course about anxiety, worry and what helps.",
        category=ANXIETY,
        venue_name="The Millennium Centre",
        address=world["venues"]["mill"].address,
        postcode="L25 2RG",
        start_time="10:00",
        end_time="11:30",
        first_date=last_weekday(today, 1).isoformat(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        timetable_import(rows=[row], only_provider=provider)

    assert stored_pairs() >= NEW_PAIRS


def test_refresh_for_one_activity_agrees_with_the_whole_scan(world, today):
    third_anxiety_course(world, today)
    Schedule.objects.filter(activity__ref="IM-KNIT").update(weekday=3)

    stored_pairs_refresh_for(
        page_ids=ActivityPage.objects.filter(ref__in=["MSH-ANX", "IM-KNIT"]).values_list(
            "pk", flat=True
        )
    )
    one_by_one = set(StoredDuplicatePair.objects.values_list("ref_a", "ref_b", "kind", "score"))
    stored_pairs_refresh_all()
    whole = set(StoredDuplicatePair.objects.values_list("ref_a", "ref_b", "kind", "score"))

    assert one_by_one == whole


def test_dismissed_pair_comes_back_reopened_after_a_material_change(world, city_admin, client):
    pages = world["pages"]
    duplicate_decision_record(
        first=pages["RT-KNIT"],
        second=pages["IM-KNIT"],
        status=DuplicateDecision.Status.NOT_DUPLICATE,
        note="Ours teaches beginners.",
        user=city_admin,
    )
    client.force_login(city_admin)
    assert report_pairs(client.get(reverse("duplicates_report"))) == {CLASH_PAIR}

    Schedule.objects.filter(activity=pages["IM-KNIT"]).update(start_time=time(14, 0))
    stored_pairs_refresh_for(page_ids=[pages["IM-KNIT"].pk])
    response = client.get(reverse("duplicates_report"))

    assert report_pairs(response) == {CLASH_PAIR, KNIT_PAIR}
    html = response.content.decode()
    assert "but one of them has changed since" in html
    assert "Ours teaches beginners." in html


# --- pages, filters, CSV and the query count -------------------------------------------------


def many_pairs(count_per_side: int, today, tag: str = "") -> None:
    """Two organisations' identical knitting groups at one venue: count² pairs, all stored
    (with ``tag``, another two organisations' groups at another venue)."""
    knitting = CategoryFactory(name=f"Knitting{tag}", slug=f"knitting-many{tag}")
    first = ProviderFactory(title=f"North Knitters{tag}")
    second = ProviderFactory(title=f"South Yarns{tag}")
    venue = None
    for provider in (first, second):
        for n in range(count_per_side):
            page = ActivityFactory(
                parent=provider,
                title="Knit and Natter",
                ref=f"{provider.title[:5].upper()}{tag}-{n}",
                description="Knitting, crochet and a natter over a cuppa.",
                categories=[knitting],
                **({"venue": venue} if venue else {}),
            )
            venue = page.venue
            ScheduleFactory(activity=page, first_date=last_weekday(today, n % 5))
    stored_pairs_refresh_all()


@pytest.mark.django_db
def test_report_page_query_count_does_not_grow_with_pairs(
    client, city_admin, today, django_assert_max_num_queries
):
    client.force_login(city_admin)
    many_pairs(2, today)
    client.get(reverse("duplicates_report"))  # the session and the admin's own caches
    with django_assert_max_num_queries(35) as small:
        response = client.get(reverse("duplicates_report"))
    assert response.context["report"].pair_count == 4
    many_pairs(8, today, tag=" 2")

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("duplicates_report"))

    assert response.context["report"].pair_count == StoredDuplicatePair.objects.count() >= 68


@pytest.mark.django_db
def test_report_shows_fifty_pairs_a_page_with_links_between_pages(client, city_admin, today):
    many_pairs(8, today)
    client.force_login(city_admin)

    first = client.get(reverse("duplicates_report"))
    second = client.get(reverse("duplicates_report"), {"page": "2"})
    beyond = client.get(reverse("duplicates_report"), {"page": "99"})

    assert (len(first.context["report"].findings), len(second.context["report"].findings)) == (
        50,
        14,
    )
    assert report_pairs(first).isdisjoint(report_pairs(second))
    html = first.content.decode()
    assert "64 pairs" in html
    assert "Pairs 1 to 50 of 64." in html
    assert 'href="?page=2" rel="next"' in html
    assert 'rel="prev"' in second.content.decode()
    # Past the end: the last page, not an error.
    assert beyond.context["page_obj"].number == 2


@pytest.mark.django_db
def test_report_page_links_keep_the_filters(client, city_admin, today):
    many_pairs(8, today)
    client.force_login(city_admin)

    response = client.get(reverse("duplicates_report"), {"category": "Knitting", "page": "1"})

    html = response.content.decode()
    assert 'href="?category=Knitting&amp;page=2" rel="next"' in html
    assert f'href="{reverse("duplicates_report_csv")}?category=Knitting"' in html


@pytest.mark.django_db
def test_report_csv_has_every_stored_pair_not_just_one_page(client, city_admin, today):
    many_pairs(8, today)
    client.force_login(city_admin)

    response = client.get(reverse("duplicates_report_csv"))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 64
    assert {row["cluster"] for row in rows} == {"1"}
    assert {row["a_provider"] for row in rows} == {"North Knitters"}


def test_editor_sees_only_stored_pairs_of_own_activities(client, world):
    client, _ = editor_client(client, world["providers"]["im"], "ima")

    response = client.get(reverse("duplicates_report"))
    rows = list(
        csv.DictReader(io.StringIO(client.get(reverse("duplicates_report_csv")).content.decode()))
    )

    assert report_pairs(response) == {KNIT_PAIR}
    assert [frozenset((r["a_ref"], r["b_ref"])) for r in rows] == [KNIT_PAIR]
    assert [label for _, label in response.context["form"].fields["provider"].choices] == [
        "Any",
        "Imagine Independence",
        "Liverpool Roots Trust",
    ]


def test_a_rescan_replaces_the_old_pairs_without_reading_them_back(world, today):
    stored_pairs_refresh_all(today=today)
    before = stored_pairs()
    assert before
    table = StoredDuplicatePair._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        stored_pairs_refresh_all(today=today)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]]
    assert reads == []
    assert stored_pairs() == before
