"""The import page offers the layout and a template that imports as it is, and its preview
runs the similar-activities check before anything is published."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.imports.columns import COLUMNS
from activities.models import ActivityPage
from tests.factories import ActivityFactory, ScheduleFactory, VenueFactory
from tests.support.timetables import timetable_row

UPLOAD = "/admin/timetable-import/"
CONFIRM = "/admin/timetable-import/confirm/"


def test_import_page_links_to_the_layout_and_both_templates(client, editor_a):
    client.force_login(editor_a)

    html = client.get(UPLOAD).content.decode()

    assert 'href="/admin/timetable-import/layout/"' in html
    assert "/admin/timetable-import/template.xlsx" in html
    assert "/admin/timetable-import/template.csv" in html


def test_layout_page_lists_every_column_with_whether_it_is_required(client, editor_a):
    client.force_login(editor_a)

    html = client.get("/admin/timetable-import/layout/").content.decode()

    for column in COLUMNS:
        assert f"<code>{column}</code>" in html
    assert "Required: Yes, unless online" in html


def test_layout_page_is_refused_to_someone_who_imports_for_nobody(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)

    assert client.get("/admin/timetable-import/layout/").status_code in (302, 403)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_downloaded_template_imports_cleanly(client, editor_a, provider_a, extension):
    client.force_login(editor_a)
    download = client.get(f"/admin/timetable-import/template.{extension}")
    assert download["Content-Disposition"] == (
        f'attachment; filename="timetable-template.{extension}"'
    )
    upload = SimpleUploadedFile(f"template.{extension}", download.content)

    preview = client.post(UPLOAD, {"provider": provider_a.pk, "file": upload})
    token = client.session["timetable_import"]["token"]
    client.post(CONFIRM, {"token": token})

    assert "Nothing was imported" not in preview.content.decode()
    activity = ActivityPage.objects.get(provider=provider_a, ref="EXAMPLE-1")
    assert (activity.kind, activity.schedules.get().sessions) == ("course", 6)


def test_csv_template_has_the_layout_headers_in_order(client, editor_a):
    client.force_login(editor_a)

    text = client.get("/admin/timetable-import/template.csv").content.decode()

    assert text.splitlines()[0] == ",".join(COLUMNS)


def test_import_preview_shows_similar_activities_of_other_providers(
    client, editor_a, provider_a, provider_b
):
    hall = VenueFactory(name="Hope Hall", address="1 Hope Street, Liverpool", postcode="L1 9BQ")
    theirs = ActivityFactory(
        parent=provider_b,
        title="Art Group",
        description="Drawing and painting.",
        venue=hall,
    )
    ScheduleFactory(activity=theirs)
    row = timetable_row(provider=provider_a.title, ref="ART-1", online="")
    upload = SimpleUploadedFile(
        "t.csv",
        (",".join(row) + "\r\n" + ",".join(f'"{v}"' for v in row.values()) + "\r\n").encode(),
    )
    client.force_login(editor_a)

    html = client.post(UPLOAD, {"provider": provider_a.pk, "file": upload}).content.decode()

    assert "Similar activities already run nearby" in html
    assert "Bold Street Wellbeing" in html
    assert "Row 2" in html


def test_import_preview_says_when_nothing_is_similar(client, editor_a, provider_a):
    row = timetable_row(provider=provider_a.title, ref="ART-1", online="")
    upload = SimpleUploadedFile(
        "t.csv",
        (",".join(row) + "\r\n" + ",".join(f'"{v}"' for v in row.values()) + "\r\n").encode(),
    )
    client.force_login(editor_a)

    html = client.post(UPLOAD, {"provider": provider_a.pk, "file": upload}).content.decode()

    assert "None: no row looks like another organisation" in html
