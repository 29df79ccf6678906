"""Every way an import can fail is a message, and nothing is written: a malformed EXDATE, a
NUL byte in a cell (PostgreSQL refuses them), a new organisation whose web address is taken,
and a second import of the same organisation while one is running or already done."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from activities.imports.calendar import CalendarRefused, calendar_plan
from activities.imports.columns import ImportFailed
from activities.imports.services import import_lock, timetable_import, timetable_read
from activities.models import ActivityPage
from directory.models import ProviderPage
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support.calendars.files import YEAR
from tests.support.import_lock import lock_held_elsewhere
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/timetable-import/"
CONFIRM = "/admin/timetable-import/confirm/"


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def calendar(*lines: str) -> bytes:
    body = "\r\n".join(
        [
            "UID:e1@example.org",
            "SUMMARY:Art Group",
            f"DTSTART;TZID=Europe/London:{YEAR}0105T100000",
            f"DTEND;TZID=Europe/London:{YEAR}0105T120000",
            "RRULE:FREQ=WEEKLY",
            "LOCATION:Hope Hall\\, 1 Hope Street\\, Liverpool L1 9BQ",
            *lines,
        ]
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\n"
        f"{body}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize(
    "exdate",
    [
        "EXDATE;TZID=Europe/London:NOTADATE",
        f"EXDATE:{YEAR}013",
        "EXDATE;VALUE=DATE:",
        "EXDATE:P1D",  # a duration (found by the fuzz suite)
        "EXDATE:PT1H",
    ],
)
def test_malformed_exdate_is_a_message_not_a_traceback(exdate):
    # Arrange
    provider = ProviderFactory(title="Hope Wellbeing")

    # Act
    plan = calendar_plan(
        data=calendar(exdate, "DESCRIPTION:Drawing."), provider=provider, today=timezone.localdate()
    )

    # Assert: the event is listed as not imported, with the reason.
    assert [(s.summary, s.reason[:28]) for s in plan.skipped] == [
        ("Art Group", "its EXDATE dates cannot be r")
    ]
    assert (plan.rows, ActivityPage.objects.count()) == ([], 0)


@pytest.mark.parametrize(
    ("end", "planned"),
    [(f"DTEND:{YEAR}0105T120000", True), (f"DTEND:{YEAR}0105T090000Z", False)],
    ids=["floating end after a zoned start", "UTC end before it"],
)
def test_zoned_start_and_floating_or_utc_end_are_compared_in_london(end, planned):
    # Arrange: found by the fuzz suite (comparing a naive and an aware time raised TypeError).
    provider = ProviderFactory(title="Hope Wellbeing")
    lines = [line for line in calendar().decode().split("\r\n") if not line.startswith("DTEND")]
    data = "\r\n".join(lines).replace("RRULE:FREQ=WEEKLY", f"RRULE:FREQ=WEEKLY\r\n{end}").encode()

    # Act
    try:
        plan = calendar_plan(data=data, provider=provider, today=timezone.localdate())
        outcome = [e.summary for e in plan.events]
    except CalendarRefused as exc:
        outcome = exc.problems

    # Assert
    assert outcome == (
        ["Art Group"]
        if planned
        else [f"“Art Group” (05 Jan {YEAR} 10:00): it ends before it starts."]
    )


@pytest.mark.parametrize("line", ["RECURRENCE-ID:PT1H", "DURATION:20270105", "GEO:", "GEO:x;y"])
def test_property_of_the_wrong_kind_is_not_a_traceback(line):
    # Arrange: found by the fuzz suite (a duration where a date belongs raised AttributeError).
    provider = ProviderFactory(title="Hope Wellbeing")

    # Act
    try:
        plan = calendar_plan(data=calendar(line), provider=provider, today=timezone.localdate())
        outcome = "planned" if plan.events or plan.skipped else "empty"
    except CalendarRefused as exc:
        outcome = exc.problems[0]

    # Assert
    assert outcome
    assert ActivityPage.objects.count() == 0


def test_nul_bytes_in_cells_are_removed(db):
    # Arrange
    ProviderFactory(title="Hope Wellbeing")
    data = csv_bytes([timetable_row(title="Art\x00 Group", description="Drawing\x00.")])

    # Act
    rows = timetable_read(file=io.BytesIO(data), filename="timetable.csv")
    timetable_import(rows=rows)

    # Assert
    page = ActivityPage.objects.get()
    assert (page.title, page.description) == ("Art Group", "Drawing.")


def test_nul_bytes_in_a_calendar_are_removed():
    # Arrange
    provider = ProviderFactory(title="Hope Wellbeing")

    # Act
    plan = calendar_plan(
        data=calendar("DESCRIPTION:Draw\x00ing."), provider=provider, today=timezone.localdate()
    )

    # Assert
    assert [row["description"] for row in plan.rows] == ["Drawing."]


def test_new_organisation_whose_web_address_is_taken_is_a_message(tmp_path):
    # Arrange: "Hope Wellbeing!" is not "Hope Wellbeing", but both would be hope-wellbeing.
    ProviderFactory(title="Hope Wellbeing")
    path = tmp_path / "timetable.csv"
    path.write_bytes(csv_bytes([timetable_row(provider="Hope, Wellbeing!")]))

    # Act
    with pytest.raises(CommandError) as caught:
        call_command("import_timetable", str(path), "--create-providers", "--no-progress")

    # Assert
    assert "Row 2, provider: " in str(caught.value)
    assert "“hope-wellbeing”" in str(caught.value)
    assert (ProviderPage.objects.count(), ActivityPage.objects.count()) == (1, 0)


def test_two_new_organisations_with_the_same_web_address_are_a_message(tmp_path):
    # Arrange
    path = tmp_path / "timetable.csv"
    rows = [
        timetable_row(ref="A", provider="Hope Wellbeing!"),
        timetable_row(ref="B", provider="Hope, Wellbeing"),
    ]
    path.write_bytes(csv_bytes(rows))

    # Act
    with pytest.raises(CommandError) as caught:
        call_command("import_timetable", str(path), "--create-providers", "--no-progress")

    # Assert
    assert "Row 3, provider: " in str(caught.value)
    assert ProviderPage.objects.count() == 0


@pytest.fixture
def editor_client(client):
    provider = ProviderFactory(title="Hope Wellbeing")
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)
    client.provider = provider
    return client


def checked(client) -> str:
    upload = SimpleUploadedFile("timetable.csv", csv_bytes([timetable_row(online="")]))
    response = client.post(UPLOAD, {"provider": client.provider.pk, "file": upload})
    return response.context["token"]


def test_confirm_while_an_import_of_that_organisation_runs_is_a_message(editor_client):
    # Arrange
    token = checked(editor_client)

    # Act: another worker (its own database connection) is importing for them
    with lock_held_elsewhere(editor_client.provider):
        response = editor_client.post(CONFIRM, {"token": token})

    # Assert
    assert response.status_code == 200
    assert "Another import for Hope Wellbeing is in progress" in response.content.decode()
    assert ActivityPage.objects.count() == 0


def test_double_confirm_imports_once_and_then_says_so(editor_client):
    # Arrange
    token = checked(editor_client)

    # Act
    first = editor_client.post(CONFIRM, {"token": token})
    second = editor_client.post(CONFIRM, {"token": token}, follow=True)

    # Assert
    assert first.status_code == 302
    assert "That upload has already been imported, or has expired." in second.content.decode()
    assert ActivityPage.objects.count() == 1


def test_lock_is_released_after_a_failed_import(editor_client):
    # Arrange
    provider = editor_client.provider

    # Act
    with pytest.raises(ImportFailed):
        timetable_import(rows=[timetable_row(first_date="nope")], only_provider=provider)

    # Assert: taking the lock again works.
    with import_lock(provider=provider):
        pass
