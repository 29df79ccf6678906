"""Exporting the timetable spreadsheet, and importing what we export (round trips)."""

import csv
import datetime as dt
import io

import pytest

from activities.imports import export as export_module
from activities.imports.columns import ACTIVITY_FIELDS, COLUMNS, STANDARD_COLUMNS, slot_refs
from activities.imports.export import activity_rows, write_csv
from activities.imports.services import timetable_import, timetable_read
from activities.models import (
    ActivityFeature,
    ActivityPage,
    Audience,
    Cancellation,
    Category,
    Schedule,
)
from activities.selectors import with_display_data
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    CancellationFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
from tests.support import dates
from tests.support.timetables import SAMPLE, timetable_row
from venues.models import Venue, VenueFeature

pytestmark = pytest.mark.django_db

# 2027-01-12 is a Tuesday.
TUESDAY, WEDNESDAY, THURSDAY = "2027-01-12", "2027-01-13", "2027-01-14"
# For the imports, which take `today` (it only decides which rows are warned about as over).
TODAY = dt.date(2026, 11, 25)


def row(**cells) -> dict[str, str]:
    return timetable_row(**{"ref": "R-1", **cells})


def export(activities) -> str:
    buffer = io.StringIO()
    write_csv(activities, buffer)
    return buffer.getvalue()


def exported_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def everything():
    return with_display_data(
        ActivityPage.objects.select_related("provider", "venue").order_by("path")
    )


def snapshot() -> dict:
    through = {
        name: sorted(getattr(ActivityPage, name).through.objects.values_list()[:1000])
        for name in ("categories", "audiences", "next_steps")
    }
    return {
        "pages": sorted(
            ActivityPage.objects.values_list(
                "pk", "ref", "provider_id", "slug", "path", "live", "venue_id", *ACTIVITY_FIELDS
            )
        ),
        "schedules": sorted(
            Schedule.objects.values_list(
                "pk",
                "activity_id",
                "ref",
                "uid",
                "sequence",
                "sort_order",
                "frequency",
                "first_date",
                "start_time",
                "end_time",
                "sessions",
                "last_date",
            )
        ),
        "cancellations": sorted(
            Cancellation.objects.values_list("pk", "activity_id", "date", "reason")
        ),
        "features": sorted(
            ActivityFeature.objects.values_list("pk", "activity_id", "code", "status")
        ),
        "venues": sorted(
            Venue.objects.values_list("pk", "name", "address", "postcode", "latitude", "longitude")
        ),
        "venue_features": sorted(
            VenueFeature.objects.values_list("pk", "venue_id", "code", "status")
        ),
        "categories": sorted(Category.objects.values_list("pk", "name", "slug")),
        "audiences": sorted(Audience.objects.values_list("pk", "name", "slug", "restriction")),
        **through,
    }


def build_varied_directory(*, tuesday: dt.date, today: dt.date) -> None:
    """Two providers' imported timetables plus activities made in the admin, from `tuesday` on.

    Weekly and monthly slots, a six-week course starting the next day, cancellations (one of
    them on a day that is no session), a slot with seconds, a service without sessions.
    """

    def day(days: int = 0, *, weeks: int = 0) -> str:
        return (tuesday + dt.timedelta(days=days, weeks=weeks)).isoformat()

    ProviderFactory(title="Hope Wellbeing", slug="hope-wellbeing")
    ProviderFactory(title="Peer Org", slug="peer-org")
    timetable_import(
        rows=[
            row(
                provider="Peer Org",
                ref="P-1",
                title="Peer group",
                audience="Women only",
                first_date=day(),
            ),
            row(
                ref="R-1",
                first_date=day(),
                category="Art; Creative",
                audience="18-25",
                age_min="18",
                age_max="25",
                cost="£2",
                referral="self;professional;gp",
                accessibility="step_free_entrance;hearing_loop:partly;small_group",
                cancelled_dates=f"{day(weeks=1)};{day(weeks=2)}",
                cancelled_reasons=f"{day(weeks=1)}=Room booked",
                engagement_limit_weeks="26",
                contact_email="art@example.org",
                contact_phone="0151 000 0000",
                who_for="Anyone who wants to try drawing",
                not_suitable_for="People in crisis",
                support_level="facilitated",
                how_to_join="Just turn up",
                referrer_needs="Nothing",
                languages="Arabic, Somali",
                capacity_status="waiting_list",
                capacity_updated="2026-11-01",
                last_checked="2026-11-02",
                booking_required="yes",
                next_steps="R-2;peer-org:P-1",
            ),
            row(
                ref="R-1-thu",
                part_of="R-1",
                first_date=day(2),
                start_time="18:00",
                end_time="19:30",
                cancelled_dates=day(2, weeks=1),
            ),
            row(
                ref="R-2",
                title="Coping with Worry",
                kind="course",
                frequency="weekly",
                first_date=day(1),
                sessions="6",
                venue_name="Park Cafe",
                address="Park Road",
                postcode="L8 1AA",
                latitude="53.39",
                longitude="-2.96",
            ),
            row(
                ref="R-3",
                title="Monthly Social",
                frequency="monthly",
                first_date=day(),
                last_date=f"{tuesday.year}-12-31",
                online="yes",
                venue_name="",
                address="",
                postcode="",
                meeting_link="https://example.org/meet",
                accessibility="captions",
            ),
            row(
                ref="R-4",
                title="Text support",
                kind="service",
                venue_name="",
                address="",
                postcode="",
                start_time="",
                end_time="",
                frequency="",
                first_date="",
            ),
        ],
        today=today,
    )
    # Made in the admin: slots without refs, a cancellation that is no session date.
    admin_made = ActivityFactory(ref="ADM-1", title="Drop-in café", kind="drop-in")
    VenueFeatureFactory(venue=admin_made.venue, code="lift", status="on_request")
    ActivityFeatureFactory(activity=admin_made, code="meet_at_door")
    friday, monday = tuesday + dt.timedelta(days=3), tuesday + dt.timedelta(days=6)
    ScheduleFactory(activity=admin_made, first_date=friday, sort_order=0)
    ScheduleFactory(
        activity=admin_made,
        first_date=monday,
        start_time=dt.time(14, 0),
        end_time=dt.time(15, 30, 30),
        sort_order=1,
    )
    CancellationFactory(
        activity=admin_made, date=friday + dt.timedelta(weeks=1), reason="Staff training"
    )
    CancellationFactory(
        activity=admin_made, date=friday + dt.timedelta(days=8), reason="Not a session"
    )


@pytest.fixture
def varied_directory():
    """The varied directory on fixed dates, from Tuesday 12 January 2027."""
    build_varied_directory(tuesday=dt.date.fromisoformat(TUESDAY), today=TODAY)


def test_export_then_import_changes_nothing(varied_directory):
    before = snapshot()
    text = export(everything())

    rows = timetable_read(file=io.BytesIO(text.encode("utf-8")), filename="export.csv")
    result = timetable_import(rows=rows, today=TODAY)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert snapshot() == before
    assert export(everything()) == text


def test_export_writes_one_row_per_slot_with_part_of(varied_directory):
    rows = exported_rows(export(everything()))

    by_ref = {r["ref"]: r for r in rows}
    assert [(r["ref"], r["part_of"]) for r in rows if r["ref"].startswith(("R-1", "ADM"))] == [
        ("R-1", ""),
        ("R-1-thu", "R-1"),
        ("ADM-1", ""),
        ("ADM-1-2", "ADM-1"),
    ]
    assert by_ref["R-1"]["cancelled_dates"] == "2027-01-19;2027-01-26"
    assert by_ref["R-1"]["cancelled_reasons"] == "2027-01-19=Room booked"
    assert by_ref["R-1-thu"]["cancelled_dates"] == "2027-01-21"
    assert by_ref["R-1"]["accessibility"] == "step_free_entrance;hearing_loop:partly;small_group"
    assert by_ref["R-1"]["next_steps"] == "R-2;peer-org:P-1"
    assert by_ref["R-1"]["referral"] == "self;professional;gp"
    assert by_ref["R-1"]["category"] == "Art; Creative"
    assert by_ref["ADM-1-2"]["end_time"] == "15:30:30"
    assert by_ref["ADM-1"]["cancelled_dates"] == "2027-01-22"
    assert by_ref["R-4"]["start_time"] == ""


def test_export_columns_are_the_contract_then_extras():
    text = export([])

    header = text.lstrip("\ufeff").splitlines()[0].split(",")
    assert header[: len(STANDARD_COLUMNS)] == STANDARD_COLUMNS
    assert header == COLUMNS
    assert text.startswith("\ufeff")


def test_export_of_imported_sample_matches_the_sample():
    with SAMPLE.open("rb") as handle:
        original = timetable_read(file=handle, filename=SAMPLE.name)
    timetable_import(rows=original, create_providers=True, today=TODAY)

    exported = exported_rows(export(everything()))

    def normal(cells: dict[str, str], column: str) -> object:
        value = cells.get(column, "")
        if column in {"category", "audience", "referral", "accessibility", "cancelled_dates"}:
            return sorted(part.strip().lower() for part in value.split(";") if part.strip())
        return value

    # The sample leaves coordinates for us to find from the postcode.
    compared = [c for c in STANDARD_COLUMNS if c not in {"latitude", "longitude"}]
    assert [{c: normal(r, c) for c in compared} for r in exported] == [
        {c: normal(r, c) for c in compared} for r in original
    ]
    assert all(r["latitude"] and r["longitude"] for r in exported if r["venue_name"])


def test_export_query_count_does_not_grow_with_activities(django_assert_max_num_queries):
    provider = ProviderFactory()
    for _ in range(3):
        activity = ActivityFactory(parent=provider)
        ScheduleFactory(activity=activity)
        ActivityFeatureFactory(activity=activity)
    small = export(everything())
    for _ in range(6):
        activity = ActivityFactory(parent=provider)
        ScheduleFactory(activity=activity)

    # The ids in order, then each chunk's activities with their rows' relations.
    with django_assert_max_num_queries(9):
        large = export(everything())

    assert (len(exported_rows(small)), len(exported_rows(large))) == (3, 9)


def test_export_view_returns_exactly_the_filtered_activities(client):
    provider = ProviderFactory(title="Hope Wellbeing")
    timetable_import(
        rows=[
            row(ref="TUE"),
            row(ref="WED", title="Wednesday walk", first_date=WEDNESDAY),
            row(ref="BOTH", title="Twice weekly", first_date=WEDNESDAY),
            row(ref="BOTH-tue", part_of="BOTH", first_date=TUESDAY),
        ],
        today=TODAY,
    )

    response = client.get("/activities/export.csv?day=tue")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert sorted((r["ref"], r["part_of"], r["first_date"]) for r in rows) == [
        ("BOTH", "", WEDNESDAY),
        ("BOTH-tue", "BOTH", TUESDAY),
        ("TUE", "", TUESDAY),
    ]
    assert {r["provider"] for r in rows} == {provider.title}


def test_export_view_everything_round_trips_through_import(client, today):
    # The view exports what is current on the site's today, so this directory starts early next
    # year: everything in it is current whenever the test runs.
    build_varied_directory(tuesday=dates.early_next_year(dates.TUESDAY), today=today)
    before = snapshot()

    response = client.get("/activities/export.csv")
    rows = timetable_read(file=io.BytesIO(response.content), filename="export.csv")
    result = timetable_import(rows=rows, today=today)

    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == ActivityPage.objects.count()
    assert snapshot() == before


def test_activity_rows_for_online_activity_without_venue():
    activity = ActivityFactory(
        venue=None, online=True, meeting_link="https://example.org/m", ref="ON-1"
    )
    ScheduleFactory(activity=activity, first_date=dt.date(2027, 1, 12))
    venue_less = with_display_data(ActivityPage.objects.filter(pk=activity.pk)).get()

    (cells,) = activity_rows(venue_less)

    assert (cells["ref"], cells["online"], cells["venue_name"], cells["meeting_link"]) == (
        "ON-1",
        "yes",
        "",
        "https://example.org/m",
    )
    assert (cells["frequency"], cells["first_date"], cells["start_time"]) == (
        "weekly",
        "2027-01-12",
        "10:00",
    )


def test_slot_refs_generates_missing_refs_without_clashes():
    assert slot_refs("A", []) == []
    assert slot_refs("A", ["", "", "A-2", "x", "x"]) == ["A", "A-3", "A-2", "x", "A-4"]


def test_export_lists_venue_shared_with_other_provider():
    hall = VenueFactory(name="Shared Hall", postcode="L8 1AA")
    VenueFeatureFactory(venue=hall, code="hearing_loop")
    first = ActivityFactory(venue=hall, ref="ONE")
    second = ActivityFactory(venue=hall, ref="TWO")

    rows = exported_rows(export(with_display_data(ActivityPage.objects.order_by("ref"))))

    assert [(r["ref"], r["venue_name"], r["postcode"], r["accessibility"]) for r in rows] == [
        ("ONE", "Shared Hall", "L8 1AA", "hearing_loop"),
        ("TWO", "Shared Hall", "L8 1AA", "hearing_loop"),
    ]
    assert first.provider != second.provider


def test_a_whole_list_is_read_in_chunks_and_written_in_its_order(monkeypatch):
    timetable_import(
        rows=[row(ref=f"R-{i}", title=f"Group {i}") for i in range(5)],
        create_providers=True,
        today=TODAY,
    )
    expected = export(list(everything()))  # a list: read at once
    monkeypatch.setattr(export_module, "EXPORT_CHUNK", 2)
    chunked = export(everything())
    assert chunked == expected
    assert [r["ref"] for r in exported_rows(chunked)] == [f"R-{i}" for i in range(5)]
