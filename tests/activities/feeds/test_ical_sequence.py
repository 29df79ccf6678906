"""SEQUENCE rises when a slot's sessions change through the admin, proved with real edits.

Calendar apps only replace an event they already hold when its SEQUENCE goes up, so every
way an editor moves sessions (timing fields, cancelled dates) must raise it, and nothing
else may.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from activities.ical import schedule_uid
from activities.models import ActivityPage, Schedule
from tests.factories import ActivityFactory, CancellationFactory, ScheduleFactory
from tests.support.admin_forms import PUBLISH, activity_form_data, edit_url, slot_row

pytestmark = pytest.mark.django_db


# Nothing here depends on today: admin edits take any dates, and an activity's own feed keeps
# its ended series. (admin_client is pytest-django's: a superuser, logged in.)
TUESDAY = date(2027, 1, 5)


@pytest.fixture
def group(db):
    activity = ActivityFactory(title="Tuesday Art")
    slot = ScheduleFactory(activity=activity, first_date=TUESDAY, start_time=time(10))
    return activity, slot


def edit(client, activity, data):
    response = client.post(edit_url(activity), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    return response


def sequence_of(slot) -> int:
    return Schedule.objects.get(pk=slot.pk).sequence


def test_publishing_new_start_time_raises_sequence(admin_client, group):
    # Arrange
    activity, slot = group

    # Act
    edit(
        admin_client,
        activity,
        {**activity_form_data(activity, slots=[slot_row(slot, start_time="10:30")]), **PUBLISH},
    )

    # Assert
    stored = Schedule.objects.get(pk=slot.pk)
    assert (stored.start_time, stored.sequence, stored.uid) == (time(10, 30), 1, slot.uid)


@pytest.mark.parametrize(
    "changes",
    [
        {"frequency": "fortnightly"},
        {"first_date": (TUESDAY + timedelta(weeks=1)).isoformat()},
        {"end_time": "12:30"},
        {"sessions": "6"},
        {"last_date": (TUESDAY + timedelta(weeks=10)).isoformat()},
    ],
)
def test_publishing_any_timing_change_raises_sequence(admin_client, group, changes):
    # Arrange
    activity, slot = group

    # Act
    edit(
        admin_client,
        activity,
        {**activity_form_data(activity, slots=[slot_row(slot, **changes)]), **PUBLISH},
    )

    # Assert
    assert sequence_of(slot) == 1


def test_publishing_title_change_keeps_sequence(admin_client, group):
    # Arrange
    activity, slot = group

    # Act
    edit(
        admin_client,
        activity,
        {
            **activity_form_data(activity, slots=[slot_row(slot)], title="Tuesday Art Club"),
            **PUBLISH,
        },
    )

    # Assert
    assert ActivityPage.objects.get(pk=activity.pk).title == "Tuesday Art Club"
    assert sequence_of(slot) == 0


def test_cancelling_a_session_raises_sequence(admin_client, group):
    # Arrange
    activity, slot = group
    data = activity_form_data(activity, slots=[slot_row(slot)])
    data.update(
        nested_form_data(
            {
                "cancellations": inline_formset(
                    [{"date": (TUESDAY + timedelta(weeks=3)).isoformat(), "reason": "Closed"}]
                )
            }
        )
    )

    # Act
    edit(admin_client, activity, {**data, **PUBLISH})

    # Assert
    assert sequence_of(slot) == 1


def test_cancelling_a_day_without_session_keeps_sequence(admin_client, group):
    # Arrange: a Wednesday is no session of a Tuesday group
    activity, slot = group
    data = activity_form_data(activity, slots=[slot_row(slot)])
    data.update(
        nested_form_data(
            {
                "cancellations": inline_formset(
                    [{"date": (TUESDAY + timedelta(days=8)).isoformat(), "reason": "Closed"}]
                )
            }
        )
    )

    # Act
    edit(admin_client, activity, {**data, **PUBLISH})

    # Assert
    assert sequence_of(slot) == 0


def test_removing_a_cancellation_raises_sequence(admin_client, group):
    # Arrange
    activity, slot = group
    cancellation = CancellationFactory(activity=activity, date=TUESDAY + timedelta(weeks=2))
    data = activity_form_data(activity, slots=[slot_row(slot)], cancellations=[cancellation])
    data["cancellations-0-DELETE"] = "1"

    # Act
    edit(admin_client, activity, {**data, **PUBLISH})

    # Assert
    assert activity.cancellations.count() == 0
    assert sequence_of(slot) == 1


def test_draft_changes_sequence_only_when_published(admin_client, group):
    # Arrange
    activity, slot = group

    # Act: save a draft, then publish that revision later (as a scheduled publish would)
    edit(
        admin_client,
        activity,
        activity_form_data(activity, slots=[slot_row(slot, end_time="13:00")]),
    )
    after_draft = sequence_of(slot)
    ActivityPage.objects.get(pk=activity.pk).get_latest_revision().publish()

    # Assert
    assert (after_draft, sequence_of(slot)) == (0, 1)
    assert Schedule.objects.get(pk=slot.pk).end_time == time(13)


def test_sequence_never_goes_down_when_older_draft_is_published(admin_client, group):
    # Arrange: a draft is saved, then an import moves the slot twice (sequence 2)
    activity, slot = group
    edit(
        admin_client,
        activity,
        activity_form_data(activity, slots=[slot_row(slot, end_time="13:00")]),
    )
    Schedule.objects.filter(pk=slot.pk).update(start_time=time(9), sequence=2)

    # Act
    ActivityPage.objects.get(pk=activity.pk).get_latest_revision().publish()

    # Assert: the draft's times win and the number still rises
    stored = Schedule.objects.get(pk=slot.pk)
    assert (stored.start_time, stored.end_time, stored.sequence) == (time(10), time(13), 3)


def test_feed_shows_raised_sequence_after_admin_edit(admin_client, group):
    # Arrange
    activity, slot = group
    edit(
        admin_client,
        activity,
        {**activity_form_data(activity, slots=[slot_row(slot, start_time="11:00")]), **PUBLISH},
    )

    # Act
    response = admin_client.get(f"/feeds/activities/{activity.pk}.ics")

    # Assert
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (schedule_uid(slot), 1)
    assert event["DTSTART"].dt.time() == time(11)
