"""The timetable layout is a public interface: every row valid under it imports.

(`../shared/design/timetable-spreadsheet.md`: only ref, provider, title, kind, description, the
time cells and, unless online, the venue are required.)
"""

import pytest

from activities.imports.services import timetable_import
from activities.models import ActivityPage
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

# The layout's columns, as the contract names them (not the importer's own list).
REQUIRED = {
    "ref": "PR-1",
    "provider": "Hope Wellbeing",
    "title": "Art Group",
    "kind": "group",
    "description": "Drawing and painting.",
    "venue_name": "Hope Hall",
    "address": "1 Hope Street, Liverpool",
    "postcode": "L1 9BQ",
    "start_time": "10:00",
    "end_time": "12:00",
    "frequency": "weekly",
    "first_date": "2027-01-12",
}
OPTIONAL = {
    "category": "Art; Creative",
    "audience": "women; 18-25",
    "age_min": "18",
    "age_max": "25",
    "cost": "£2",
    "referral": "self;professional;gp",
    "latitude": "53.4009",
    "longitude": "-2.9729",
    "online": "no",
    "sessions": "6",
    "last_date": "2027-03-30",
    "cancelled_dates": "2027-01-26",
    "accessibility": "step_free_entrance;lift:partly;hearing_loop:on_request;small_group",
    "engagement_limit_weeks": "26",
    "contact_email": "hello@example.org",
    "contact_phone": "0151 000 0000",
    "booking_url": "https://example.org/book",
}


@pytest.fixture(autouse=True)
def provider():
    return ProviderFactory(title="Hope Wellbeing")


def test_import_row_with_every_optional_column_empty_imports():
    row = {**REQUIRED, **dict.fromkeys(OPTIONAL, "")}

    result = timetable_import(rows=[row])

    assert result.created == 1
    activity = ActivityPage.objects.get(ref="PR-1")
    assert activity.live
    assert activity.venue.name == "Hope Hall"
    assert [s.weekday for s in activity.schedules.all()] == [1]


def test_import_file_with_only_the_required_columns_imports():
    result = timetable_import(rows=[dict(REQUIRED)])

    assert result.created == 1


def test_import_online_row_with_no_venue_and_no_link_imports_with_a_nudge():
    row = {
        **REQUIRED,
        **dict.fromkeys(OPTIONAL, ""),
        "venue_name": "",
        "address": "",
        "postcode": "",
        "online": "yes",
    }

    result = timetable_import(rows=[row])

    assert result.created == 1
    activity = ActivityPage.objects.get(ref="PR-1")
    assert activity.online and activity.venue is None and not activity.booking_url
    assert result.warnings == [
        "Row 2: an online activity with no meeting link or booking_url; its page will ask "
        "people to contact you for the joining link."
    ]


def test_import_row_using_every_optional_column_imports_each_value():
    row = {**REQUIRED, **OPTIONAL, "kind": "course"}

    result = timetable_import(rows=[row])

    assert result.created == 1
    activity = ActivityPage.objects.get(ref="PR-1")
    assert sorted(c.name for c in activity.categories.all()) == ["Art", "Creative"]
    assert sorted(a.name for a in activity.audiences.all()) == ["18-25", "women"]
    assert (activity.age_min, activity.age_max, activity.cost) == (18, 25, "£2")
    assert activity.referral_routes == ["self", "professional", "gp"]
    assert activity.venue.coordinates == (53.4009, -2.9729)
    schedule = activity.schedules.get()
    assert (schedule.sessions, schedule.last_date.isoformat()) == (6, "2027-03-30")
    assert [c.date.isoformat() for c in activity.cancellations.all()] == ["2027-01-26"]
    assert {f.code: f.status for f in activity.venue.features.all()} == {
        "step_free_entrance": "yes",
        "lift": "partly",
        "hearing_loop": "on_request",
    }
    assert [f.code for f in activity.features.all()] == ["small_group"]
    assert activity.engagement_limit_weeks == 26
    assert (activity.contact_email, activity.contact_phone, activity.booking_url) == (
        "hello@example.org",
        "0151 000 0000",
        "https://example.org/book",
    )


def test_online_activity_without_link_page_says_whom_to_ask(client):
    row = {
        **REQUIRED,
        "venue_name": "",
        "address": "",
        "postcode": "",
        "online": "yes",
        "contact_phone": "0151 000 0000",
        "contact_email": "hello@example.org",
    }
    timetable_import(rows=[row])
    activity = ActivityPage.objects.get(ref="PR-1")

    html = client.get(activity.url).content.decode()

    assert "Ask Hope Wellbeing for the joining link: call" in html
    assert 'href="tel:01510000000"' in html
    assert 'href="mailto:hello@example.org"' in html
