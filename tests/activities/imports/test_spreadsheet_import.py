"""Importing the timetable spreadsheet: validation, all-or-nothing, idempotency, updates."""

import csv
import datetime as dt
import io
import sys

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from wagtail.models import Page, ReferenceIndex, Revision

from activities.imports.columns import COLUMNS, ImportFailed, Problem
from activities.imports.services import timetable_import, timetable_read
from activities.models import ActivityPage, Audience, Cancellation, Category, Schedule
from directory.models import ProviderPage
from tests.factories import CategoryFactory, ProviderFactory, VenueFactory, VenueFeatureFactory
from tests.support.timetables import SAMPLE, timetable_row
from venues.models import Venue

pytestmark = pytest.mark.django_db

PROVIDER = "Hope Wellbeing"
# 2027-01-12 is a Tuesday, 2027-01-13 a Wednesday.
TUESDAY = "2027-01-12"


def row(**cells) -> dict[str, str]:
    """A good row (a weekly Tuesday group at a Liverpool hall), with `cells` changed."""
    return timetable_row(
        **{
            "provider": PROVIDER,
            "category": "Art",
            "description": "Drawing and painting for beginners.",
            "age_min": "18",
            "cost": "Free",
            "accessibility": "step_free_entrance;small_group",
            "contact_email": "hello@example.org",
            **cells,
        }
    )


@pytest.fixture
def provider() -> ProviderPage:
    return ProviderFactory(title=PROVIDER)


def problems_of(rows, **kwargs) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportFailed) as caught:
        timetable_import(rows=rows, **kwargs)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def csv_bytes(rows: list[dict[str, str]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- creating


def test_import_sample_file_creates_live_pages_under_new_provider(client):
    with SAMPLE.open("rb") as handle:
        rows = timetable_read(file=handle, filename=SAMPLE.name)

    result = timetable_import(rows=rows, create_providers=True)

    provider = ProviderPage.objects.get(title="Example Wellbeing Centre")
    activities = ActivityPage.objects.child_of(provider).order_by("path")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.providers_created == ["Example Wellbeing Centre"]
    assert result.venues_created == 2
    assert [(a.ref, a.title, a.live, a.provider_id) for a in activities] == [
        ("EX-1", "Coping with Worry", True, provider.pk),
        ("EX-2", "Walk and Talk", True, provider.pk),
        ("EX-3", "Online Social", True, provider.pk),
    ]
    assert provider.get_children_count() == 3
    assert Page.find_problems() == ([], [], [], [], [])
    response = client.get(activities[1].url)
    assert response.status_code == 200
    assert "Walk and Talk" in response.content.decode()


def test_import_sets_fields_slots_features_and_taxonomy(provider):
    timetable_import(
        rows=[
            row(
                category="Walking; physical activity",
                audience="Women only; 18-25",
                referral="self;gp",
                sessions="6",
                cancelled_dates="2027-01-19",
                cancelled_reasons="2027-01-19=Room booked",
                accessibility="step_free_entrance;hearing_loop:partly;bsl_interpreter:on_request",
                support_level="peer",
                booking_required="yes",
                capacity_status="few_places",
                last_checked="2026-11-01",
            )
        ]
    )

    activity = ActivityPage.objects.get(ref="HW-1")
    schedule = activity.schedules.get()
    assert (activity.self_referral, activity.professional_referral, activity.gp_referral) == (
        True,
        False,
        True,
    )
    assert (activity.support_level, activity.booking_required, activity.capacity_status) == (
        "peer",
        True,
        "few_places",
    )
    assert activity.last_checked == dt.date(2026, 11, 1)
    assert (schedule.ref, schedule.weekday, schedule.sessions, schedule.ends_on) == (
        "HW-1",
        1,
        6,
        dt.date(2027, 2, 16),
    )
    assert list(activity.cancellations.values_list("date", "reason")) == [
        (dt.date(2027, 1, 19), "Room booked")
    ]
    assert list(activity.features.values_list("code", "status")) == [
        ("bsl_interpreter", "on_request")
    ]
    assert sorted(activity.venue.features.values_list("code", "status")) == [
        ("hearing_loop", "partly"),
        ("step_free_entrance", "yes"),
    ]
    assert sorted(activity.categories.values_list("slug", flat=True)) == [
        "physical-activity",
        "walking",
    ]
    assert sorted(activity.audiences.values_list("name", "restriction")) == [
        ("18-25", ""),
        ("Women only", "women"),
    ]


def test_import_locates_venue_from_postcode_when_coordinates_are_empty(provider):
    timetable_import(rows=[row()])

    venue = Venue.objects.get()
    assert (venue.name, venue.postcode, venue.slug) == ("Hope Hall", "L1 9BQ", "hope-hall-l1-9bq")
    assert venue.latitude == pytest.approx(53.40, abs=0.02)
    assert venue.longitude == pytest.approx(-2.97, abs=0.02)


def test_import_records_search_and_reference_index_entries(provider):
    timetable_import(rows=[row()])

    activity = ActivityPage.objects.get()
    assert list(ActivityPage.objects.search("Art Group")) == [activity]
    assert sorted(
        ReferenceIndex.objects.filter(object_id=str(activity.pk)).values_list(
            "model_path", "to_object_id"
        )
    ) == [("provider", str(provider.pk)), ("venue", str(activity.venue_id))]


def test_import_gives_duplicate_titles_unique_slugs(provider):
    timetable_import(rows=[row(ref="A"), row(ref="B"), row(ref="C", title="Art group!")])

    assert list(ActivityPage.objects.order_by("ref").values_list("slug", flat=True)) == [
        "art-group",
        "art-group-2",
        "art-group-3",
    ]


def test_import_creates_one_live_revision_per_page(provider):
    timetable_import(rows=[row()])

    page = ActivityPage.objects.get()
    assert list(Revision.objects.values_list("pk", flat=True)) == [page.latest_revision_id]
    assert page.live_revision_id == page.latest_revision_id
    assert page.has_unpublished_changes is False


def test_import_warns_when_every_session_is_over(provider):
    result = timetable_import(
        rows=[row(first_date="2026-01-06", sessions="4")], today=dt.date(2026, 11, 25)
    )

    assert result.warnings == [
        "Row 2: “Art Group” has no sessions after 2026-01-27, so it will not be listed."
    ]


def test_import_reports_progress_when_asked(provider):
    calls = []

    timetable_import(rows=[row()], progress=lambda *call: calls.append(call))

    assert calls == [("Checking", 0, 1), ("Checking", 1, 1), ("Writing", 0, 1), ("Writing", 1, 1)]


def test_import_without_progress_prints_nothing(provider, capsys):
    timetable_import(rows=[row()])

    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------- all or nothing


def test_import_with_bad_rows_writes_nothing_and_lists_every_bad_row(provider):
    rows = [
        row(ref="OK-1"),
        row(ref="BAD-1", postcode="NOT A POSTCODE"),
        row(ref="OK-2"),
        row(ref="BAD-2", first_date="2026-02-30", kind="class"),
    ]

    problems = problems_of(rows)

    assert [(number, column) for number, column, _ in problems] == [
        (3, "postcode"),
        (5, "kind"),
        (5, "first_date"),
    ]
    assert problems[2][2] == "2026-02-30 is not a real date."
    assert ActivityPage.objects.count() == 0
    assert Venue.objects.count() == 0
    assert Category.objects.count() == 0


def test_import_failure_message_lists_problems_by_row_and_column(provider):
    with pytest.raises(ImportFailed) as caught:
        timetable_import(rows=[row(), row(ref="X", start_time="10am")])

    assert str(caught.value) == (
        "Row 3, start_time: “10am” is not a time: use the 24-hour clock, HH:MM, like 09:30 "
        "or 14:00."
    )
    assert caught.value.problems == [
        Problem(
            3,
            "start_time",
            "“10am” is not a time: use the 24-hour clock, HH:MM, like 09:30 or 14:00.",
        )
    ]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"first_date": "2026-02-30"}, "first_date", "2026-02-30 is not a real date."),
        ({"first_date": "12 Jan"}, "first_date", "“12 Jan” is not a date: use YYYY-MM-DD"),
        (
            {"end_time": "09:00"},
            "end_time",
            "The end time (09:00) must be after the start time (10:00).",
        ),
        (
            {"last_date": "2027-01-01"},
            "last_date",
            "The last date (1 January 2027) must not be before the first date",
        ),
        ({"sessions": "0"}, "sessions", "The number of sessions must be at least 1, not 0."),
        ({"sessions": "six"}, "sessions", "“six” is not a whole number"),
        ({"frequency": "once", "sessions": "3"}, "sessions", "A one-off session cannot have 3"),
        ({"age_min": "30", "age_max": "18"}, "age_max", "The oldest age must not be lower"),
        ({"age_min": "18.5"}, "age_min", "“18.5” is not a whole number"),
        ({"kind": "class"}, "kind", "“class” is not one of: course, group, drop-in"),
        ({"frequency": "daily"}, "frequency", "“daily” is not one of: once, weekly"),
        ({"referral": "self;friend"}, "referral", "“friend” is not a way to join we know"),
        ({"accessibility": "wifi"}, "accessibility", "“wifi” is not an accessibility code"),
        ({"accessibility": "lift:maybe"}, "accessibility", "“maybe” is not a status for lift"),
        ({"postcode": "NOT A POSTCODE"}, "postcode", "is not a full UK postcode"),
        ({"postcode": "L99 9ZZ"}, "postcode", "We could not find the postcode L99 9ZZ"),
        ({"latitude": "53.4"}, "longitude", "Give both latitude and longitude, or neither"),
        ({"latitude": "95", "longitude": "-3"}, "latitude", "95 is out of range"),
        ({"contact_email": "not-an-email"}, "contact_email", "is not an email address"),
        ({"booking_url": "example.org"}, "booking_url", "is not a web address"),
        ({"start_time": ""}, "start_time", "This is required"),
        ({"description": ""}, "description", "This is required"),
        (
            {"venue_name": "", "address": "", "postcode": "", "accessibility": ""},
            "venue_name",
            "Give where it meets",
        ),
        ({"online": "maybe"}, "online", "“maybe” is not yes or no."),
        (
            {"cancelled_dates": "2027-01-14"},
            "cancelled_dates",
            "2027-01-14 is a Thursday, but this activity meets on Tuesdays (Every Tuesday, "
            "10:00 to 12:00).",
        ),
        (
            {"frequency": "fortnightly", "cancelled_dates": "2027-01-19"},
            "cancelled_dates",
            "2027-01-19 is not one of this activity's session dates",
        ),
        (
            {"cancelled_dates": "2027-01-19", "cancelled_reasons": "2027-01-26=Closed"},
            "cancelled_reasons",
            "This gives a reason for 2027-01-26, which is not in cancelled_dates.",
        ),
        ({"engagement_limit_weeks": "0"}, "engagement_limit_weeks", "0 is out of range"),
        ({"support_level": "lots"}, "support_level", "“lots” is not one of: peer"),
    ],
)
def test_import_rejects_bad_cell_naming_row_and_column(provider, cells, column, message):
    problems = problems_of([row(ref="GOOD"), row(ref="BAD", **cells)])

    assert [(number, col) for number, col, _ in problems] == [(3, column)]
    assert message in problems[0][2]
    assert ActivityPage.objects.count() == 0


def test_import_missing_required_columns_is_one_problem_naming_them(provider):
    rows = [{k: v for k, v in row().items() if k not in {"kind", "first_date"}}]

    problems = problems_of(rows)

    assert problems == [
        (1, "kind, first_date", "The header row is missing the required columns kind, first_date.")
    ]


def test_import_warns_about_unknown_columns_and_ignores_them(provider):
    result = timetable_import(rows=[row(notes="call Sue first")])

    assert result.created == 1
    assert result.warnings == [
        "Ignored the column “notes”: it is not part of the timetable layout."
    ]


def test_import_rejects_duplicate_ref_within_provider(provider):
    problems = problems_of([row(), row(title="Another")])

    assert problems == [
        (
            3,
            "ref",
            "The ref “HW-1” is also on row 2: each row needs its own ref within an organisation.",
        )
    ]


def test_import_rejects_conflicting_venue_feature_statuses_naming_both_rows(provider):
    rows = [
        row(ref="A", accessibility="hearing_loop"),
        row(ref="B", venue_name="HOPE HALL", postcode="l19bq", accessibility="hearing_loop:no"),
    ]

    problems = problems_of(rows)

    assert problems == [
        (
            3,
            "accessibility",
            "Row 2 says hearing_loop is “yes” at Hope Hall, but this row says “no”: a venue's "
            "feature has one status, so give the same on both rows.",
        )
    ]


def test_import_unknown_provider_is_an_error_without_create_providers():
    problems = problems_of([row(provider="Nobody We Know")])

    assert problems == [
        (
            2,
            "provider",
            "We do not know the organisation “Nobody We Know”. Check it is spelt as in the "
            "directory, or ask a city admin to add it.",
        )
    ]
    assert not ProviderPage.objects.filter(title="Nobody We Know").exists()


def test_import_create_providers_creates_provider_with_editors_group():
    result = timetable_import(rows=[row(provider="New Org")], create_providers=True)

    provider = ProviderPage.objects.get(title="New Org")
    assert result.providers_created == ["New Org"]
    assert provider.live is True
    assert provider.editors_group.name == "New Org editors"
    assert ActivityPage.objects.get().get_parent().specific == provider


def test_import_matches_provider_name_ignoring_case(provider):
    timetable_import(rows=[row(provider="  hope WELLBEING ")])

    assert ActivityPage.objects.get().provider == provider


def test_import_restricted_to_one_provider_rejects_rows_for_another(provider):
    ProviderFactory(title="Other Org")

    problems = problems_of(
        [row(), row(ref="X", provider="Other Org"), row(ref="Y", provider="Unknown Org")],
        only_provider=provider,
    )

    assert problems == [
        (
            3,
            "provider",
            "this file has rows for “Other Org”; you can only import your own organisation's "
            "timetable (“Hope Wellbeing”).",
        ),
        (
            4,
            "provider",
            "this file has rows for “Unknown Org”; you can only import your own organisation's "
            "timetable (“Hope Wellbeing”).",
        ),
    ]
    assert ActivityPage.objects.count() == 0


def test_import_part_of_unknown_activity_is_an_error(provider):
    problems = problems_of([row(), row(ref="HW-9b", part_of="HW-9")])

    assert problems == [
        (
            3,
            "part_of",
            "There is no activity with the ref “HW-9” for Hope Wellbeing, in this file or in "
            "the directory.",
        )
    ]


def test_import_next_steps_must_exist(provider):
    problems = problems_of([row(next_steps="NOPE")])

    assert problems == [
        (
            2,
            "next_steps",
            "There is no activity with the ref “NOPE” for Hope Wellbeing, in this file or in "
            "the directory.",
        )
    ]


def test_import_links_next_steps_in_file_and_at_other_providers(provider):
    other = ProviderFactory(title="Peer Group Org", slug="peer-group-org")
    timetable_import(rows=[row(provider="Peer Group Org", ref="PG-1", title="Peer group")])

    timetable_import(
        rows=[
            row(ref="COURSE", title="Course", next_steps="FOLLOW;peer-group-org:PG-1"),
            row(ref="FOLLOW", title="Follow-on group"),
        ]
    )

    course = ActivityPage.objects.get(ref="COURSE")
    assert sorted(course.next_steps.values_list("provider__title", "ref")) == [
        ("Hope Wellbeing", "FOLLOW"),
        (other.title, "PG-1"),
    ]


# --------------------------------------------------------------------------- updates


def test_import_twice_changes_nothing(provider):
    rows = [
        row(ref="A", cancelled_dates="2027-01-19"),
        row(ref="A-2", part_of="A", first_date="2027-01-14", start_time="14:00", end_time="15:00"),
        row(ref="B", title="Walk", category="Walking", audience="men"),
    ]
    timetable_import(rows=rows)
    pages = dict(ActivityPage.objects.values_list("ref", "pk"))
    slots = set(Schedule.objects.values_list("pk", "uid", "sequence", "ref"))
    published = dict(ActivityPage.objects.values_list("ref", "last_published_at"))
    revisions = Revision.objects.count()

    result = timetable_import(rows=rows)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert dict(ActivityPage.objects.values_list("ref", "pk")) == pages
    assert set(Schedule.objects.values_list("pk", "uid", "sequence", "ref")) == slots
    assert dict(ActivityPage.objects.values_list("ref", "last_published_at")) == published
    assert (Venue.objects.count(), Category.objects.count(), Audience.objects.count()) == (1, 2, 1)
    assert Cancellation.objects.count() == 1
    assert Revision.objects.count() == revisions == 2


def test_import_update_by_ref_changes_fields_and_bumps_only_changed_slots(provider):
    timetable_import(
        rows=[
            row(ref="A"),
            row(ref="A-2", part_of="A", first_date="2027-01-14"),
            row(ref="A-3", part_of="A", first_date="2027-01-15"),
        ]
    )
    page_id = ActivityPage.objects.get().pk
    uids = dict(Schedule.objects.values_list("ref", "uid"))

    result = timetable_import(
        rows=[
            row(ref="A", title="Art and Craft", cost="£2"),
            row(ref="A-2", part_of="A", first_date="2027-01-14", start_time="11:00"),
            row(ref="A-3", part_of="A", first_date="2027-01-15", title="ignored here"),
        ]
    )

    activity = ActivityPage.objects.get()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert (activity.pk, activity.title, activity.cost, activity.slug) == (
        page_id,
        "Art and Craft",
        "£2",
        "art-group",
    )
    assert list(activity.schedules.order_by("sort_order").values_list("ref", "sequence")) == [
        ("A", 0),
        ("A-2", 1),
        ("A-3", 0),
    ]
    assert dict(Schedule.objects.values_list("ref", "uid")) == uids
    assert Schedule.objects.get(ref="A-2").start_time == dt.time(11, 0)


def test_import_update_rewrites_reasons_statuses_and_publication_time(provider):
    timetable_import(
        rows=[
            row(
                cancelled_dates="2027-01-19",
                cancelled_reasons="2027-01-19=Flood",
                accessibility="small_group",
                age_max="65",
            )
        ]
    )
    first_published = ActivityPage.objects.get().last_published_at

    result = timetable_import(
        rows=[
            row(
                cancelled_dates="2027-01-19",
                cancelled_reasons="2027-01-19=Heating broken",
                accessibility="small_group:no",
                age_max="",
            )
        ]
    )

    activity = ActivityPage.objects.get()
    assert result.updated == 1
    assert list(activity.cancellations.values_list("reason", flat=True)) == ["Heating broken"]
    assert list(activity.features.values_list("code", "status")) == [("small_group", "no")]
    assert activity.age_max is None
    assert activity.last_published_at > first_published
    # A new reason is a change to the cancellation, so calendars hear about it.
    assert activity.schedules.get().sequence == 1


def test_import_fills_in_coordinates_a_shared_venue_lacks(provider):
    hall = VenueFactory(name="Hope Hall", postcode="L1 9BQ", latitude=None, longitude=None)

    timetable_import(rows=[row(latitude="53.4", longitude="-2.97")])

    hall.refresh_from_db()
    assert (hall.latitude, hall.longitude) == (53.4, -2.97)


def test_import_new_cancellation_bumps_only_the_slot_it_falls_on(provider):
    timetable_import(rows=[row(ref="A"), row(ref="A-2", part_of="A", first_date="2027-01-13")])

    timetable_import(
        rows=[
            row(ref="A", cancelled_dates="2027-01-19"),
            row(ref="A-2", part_of="A", first_date="2027-01-13"),
        ]
    )

    assert dict(Schedule.objects.values_list("ref", "sequence")) == {"A": 1, "A-2": 0}
    assert list(Cancellation.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 19)]


def test_import_removes_slots_and_features_no_longer_in_file(provider):
    timetable_import(rows=[row(ref="A"), row(ref="A-2", part_of="A", first_date="2027-01-13")])

    timetable_import(rows=[row(ref="A", accessibility="step_free_entrance")])

    activity = ActivityPage.objects.get()
    assert list(activity.schedules.values_list("ref", flat=True)) == ["A"]
    assert activity.features.count() == 0
    # Venue features are shared: leaving a code out does not remove it.
    assert list(activity.venue.features.values_list("code", flat=True)) == ["step_free_entrance"]


def test_import_without_optional_column_leaves_field_unchanged(provider):
    timetable_import(rows=[row(who_for="People who like to draw", support_level="peer")])
    rows = [
        {k: v for k, v in row(title="Renamed").items() if k not in {"who_for", "support_level"}}
    ]

    timetable_import(rows=rows)

    activity = ActivityPage.objects.get()
    assert (activity.title, activity.who_for, activity.support_level) == (
        "Renamed",
        "People who like to draw",
        "peer",
    )


def test_import_keeps_cancellation_reasons_when_reason_column_is_absent(provider):
    timetable_import(rows=[row(cancelled_dates="2027-01-19", cancelled_reasons="2027-01-19=Flood")])
    rows = [
        {k: v for k, v in row(cancelled_dates="2027-01-19").items() if k != "cancelled_reasons"}
    ]

    result = timetable_import(rows=rows)

    assert result.unchanged == 1
    assert list(Cancellation.objects.values_list("reason", flat=True)) == ["Flood"]


def test_import_supersedes_unpublished_draft_with_warning(provider):
    timetable_import(rows=[row()])
    page = ActivityPage.objects.get()
    page.title = "Draft title"
    page.save_revision()

    result = timetable_import(rows=[row()])

    page.refresh_from_db()
    assert result.updated == 1
    assert page.has_unpublished_changes is False
    assert page.get_latest_revision_as_object().title == "Art Group"
    assert result.warnings == [
        "Row 2: “Art Group” had unpublished changes in the editor; the import replaced them "
        "with the spreadsheet's values."
    ]


def test_import_update_matches_admin_added_slot_by_generated_ref(provider):
    timetable_import(rows=[row(ref="A")])
    activity = ActivityPage.objects.get()
    extra = Schedule.objects.create(
        activity=activity,
        first_date=dt.date(2027, 1, 13),
        start_time=dt.time(18, 0),
        end_time=dt.time(19, 0),
        sort_order=1,
    )

    timetable_import(
        rows=[
            row(ref="A"),
            row(
                ref="A-2",
                part_of="A",
                first_date="2027-01-13",
                start_time="18:00",
                end_time="19:00",
            ),
        ]
    )

    # Matched on the ref the export would give it ("A-2"); its blank ref and UID are kept.
    assert list(activity.schedules.values_list("pk", "ref", "sequence")) == [
        (activity.schedules.get(sort_order=0).pk, "A", 0),
        (extra.pk, "", 0),
    ]


def test_import_part_of_rows_can_add_slot_to_activity_already_in_directory(provider):
    timetable_import(rows=[row(ref="A")])

    result = timetable_import(
        rows=[row(ref="A-late", part_of="A", start_time="18:00", end_time="19:00")]
    )

    assert result.updated == 1
    assert list(Schedule.objects.order_by("sort_order").values_list("ref", "start_time")) == [
        ("A", dt.time(10, 0)),
        ("A-late", dt.time(18, 0)),
    ]


# --------------------------------------------------------------------------- venues


def test_import_shares_existing_venue_across_providers_and_merges_features(provider):
    hall = VenueFactory(name="Hope Hall", postcode="L1 9BQ", slug="hope-hall")
    VenueFeatureFactory(venue=hall, code="step_free_entrance", status="partly")
    ProviderFactory(title="Second Org")

    result = timetable_import(
        rows=[
            row(accessibility="hearing_loop"),
            row(
                provider="Second Org",
                venue_name="hope hall",
                postcode="l19bq",
                accessibility="quiet_space;step_free_entrance:partly",
            ),
        ]
    )

    assert result.venues_created == 0
    assert set(ActivityPage.objects.values_list("venue_id", flat=True)) == {hall.pk}
    assert sorted(hall.features.values_list("code", "status")) == [
        ("hearing_loop", "yes"),
        ("quiet_space", "yes"),
        ("step_free_entrance", "partly"),
    ]


def test_import_changes_shared_venue_feature_status_when_file_says_so(provider):
    hall = VenueFactory(name="Hope Hall", postcode="L1 9BQ")
    VenueFeatureFactory(venue=hall, code="lift", status="yes")

    timetable_import(rows=[row(accessibility="lift:no")])

    assert list(hall.features.values_list("code", "status")) == [("lift", "no")]


def test_import_venue_slug_is_unique(provider):
    VenueFactory(name="Elsewhere", slug="hope-hall-l1-9bq", postcode="L8 1AA")

    timetable_import(rows=[row()])

    assert Venue.objects.get(name="Hope Hall").slug == "hope-hall-l1-9bq-2"


def test_import_reuses_existing_category_by_name_ignoring_case(provider):
    art = CategoryFactory(name="Art", slug="arts-and-crafts")

    timetable_import(rows=[row(category="ART")])

    assert list(ActivityPage.objects.get().categories.all()) == [art]
    assert Category.objects.count() == 1


def test_import_online_row_needs_no_venue(provider):
    timetable_import(
        rows=[
            row(
                online="yes",
                venue_name="",
                address="",
                postcode="",
                accessibility="captions",
                booking_url="https://example.org/book",
            )
        ]
    )

    activity = ActivityPage.objects.get()
    assert (activity.online, activity.venue, Venue.objects.count()) == (True, None, 0)


# --------------------------------------------------------------------------- reading files


def test_read_csv_with_byte_order_mark(provider):
    data = csv_bytes([row()], bom=True)

    rows = timetable_read(file=io.BytesIO(data), filename="timetable.csv")
    result = timetable_import(rows=rows)

    assert list(rows[0])[0] == "ref"
    assert result.created == 1


def test_read_csv_that_is_not_utf8_says_how_to_save_it():
    data = "ref,provider\nA,Caf\xe9 \xa32\n".encode("cp1252")

    with pytest.raises(ImportFailed) as caught:
        timetable_read(file=io.BytesIO(data), filename="timetable.csv")

    assert "not saved as UTF-8" in str(caught.value)
    assert "CSV UTF-8 (Comma delimited)" in str(caught.value)


def test_read_csv_with_only_a_header_is_an_error():
    with pytest.raises(ImportFailed) as caught:
        timetable_read(file=io.BytesIO(b"ref,provider,title\n"), filename="t.csv")

    assert str(caught.value) == "There are no activities in this file, only a header row."


def test_read_old_excel_format_is_refused():
    with pytest.raises(ImportFailed) as caught:
        timetable_read(file=io.BytesIO(b"\xd0\xcf\x11\xe0rest"), filename="timetable.xls")

    assert "We can read .csv and .xlsx files only" in str(caught.value)


def test_read_xlsx_first_sheet_with_date_and_time_cells(provider):
    workbook = Workbook()
    sheet = workbook.active
    cells = row(sessions="6")
    sheet.append(list(cells))
    values = list(cells.values())
    values[COLUMNS.index("first_date")] = dt.datetime(2027, 1, 12)
    values[COLUMNS.index("start_time")] = dt.time(10, 0)
    values[COLUMNS.index("end_time")] = dt.time(12, 30)
    values[COLUMNS.index("sessions")] = 6
    values[COLUMNS.index("age_min")] = 18.0
    sheet.append(values)
    workbook.create_sheet("Notes").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    rows = timetable_read(file=buffer, filename="timetable.xlsx")
    timetable_import(rows=rows)

    schedule = Schedule.objects.get()
    assert (rows[0]["first_date"], rows[0]["start_time"], rows[0]["age_min"]) == (
        "2027-01-12",
        "10:00",
        "18",
    )
    assert (schedule.first_date, schedule.end_time, schedule.sessions) == (
        dt.date(2027, 1, 12),
        dt.time(12, 30),
        6,
    )


def test_read_unreadable_xlsx_is_a_clear_error():
    with pytest.raises(ImportFailed) as caught:
        timetable_read(file=io.BytesIO(b"PK\x03\x04garbage"), filename="timetable.xlsx")

    assert "We could not open this .xlsx file" in str(caught.value)


# --------------------------------------------------------------------------- command


def test_command_imports_file_and_prints_summary(tmp_path, provider, capsys):
    path = tmp_path / "timetable.csv"
    path.write_bytes(csv_bytes([row()]))

    call_command("import_timetable", str(path))

    assert capsys.readouterr().out == (
        "Imported timetable.csv: 1 created, 0 updated, 0 unchanged, 1 venue created.\n"
    )
    assert ActivityPage.objects.count() == 1


def test_command_progress_bar_goes_to_stderr_when_asked(tmp_path, provider, capsys, monkeypatch):
    # The command draws bars for big files on a terminal; make this one count as both.
    monkeypatch.setattr("activities.management.commands.import_timetable.PROGRESS_MIN_ROWS", 0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    path = tmp_path / "timetable.csv"
    path.write_bytes(csv_bytes([row()]))

    call_command("import_timetable", str(path))

    err = capsys.readouterr().err
    assert "Checking" in err
    assert "Writing" in err


def test_command_dry_run_writes_nothing(tmp_path, capsys):
    path = tmp_path / "timetable.csv"
    path.write_bytes(csv_bytes([row(provider="Brand New Org")]))

    call_command("import_timetable", str(path), "--dry-run", "--create-providers")

    assert capsys.readouterr().out.startswith("Checked (dry run, nothing written) timetable.csv")
    assert not ProviderPage.objects.filter(title="Brand New Org").exists()
    assert ActivityPage.objects.count() == 0


def test_command_failure_lists_every_problem_and_writes_nothing(tmp_path, provider):
    path = tmp_path / "timetable.csv"
    path.write_bytes(
        csv_bytes([row(ref="A"), row(ref="B", postcode="XX"), row(ref="C", kind="class")])
    )

    with pytest.raises(CommandError) as caught:
        call_command("import_timetable", str(path))

    message = str(caught.value)
    assert message.startswith("timetable.csv was not imported (nothing was changed): 2 problems.")
    assert "\nRow 3, postcode: “XX” is not a full UK postcode" in message
    assert "\nRow 4, kind: “class” is not one of" in message
    assert ActivityPage.objects.count() == 0
