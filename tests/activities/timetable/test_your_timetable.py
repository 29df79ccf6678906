"""'Your timetable': a provider editor's admin home lists their activities as a timetable."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.duplicates.services import duplicate_decision_record
from activities.duplicates.store import stored_pairs_refresh_all
from activities.models import ProblemReport
from tests.factories import ActivityFactory, ProviderFactory, ScheduleFactory, VenueFactory


def _activity(provider, title, *, weekday_offset=0, venue=None):
    activity = ActivityFactory(parent=provider, title=title, venue=venue or VenueFactory())
    ScheduleFactory(
        activity=activity,
        first_date=dt.date(2026, 1, 5) + dt.timedelta(days=weekday_offset),
        start_time=dt.time(10, 30),
        end_time=dt.time(12, 0),
    )
    return activity


def test_your_timetable_shows_each_activity_with_day_time_venue_and_edit_link(
    client, editor_a, provider_a
):
    venue = VenueFactory(name="Toxteth Library")
    activity = _activity(provider_a, "Monday walk", venue=venue)
    ProblemReport.objects.create(activity=activity, kind=ProblemReport.Kind.CLOSED)
    client.force_login(editor_a)

    html = client.get("/admin/your-timetable/").content.decode()

    assert "Monday walk" in html
    assert f'href="/admin/pages/{activity.pk}/edit/"' in html
    assert "Every Monday, 10:30 to 12:00" in html
    assert "Toxteth Library" in html
    assert "1 open" in html
    assert "Not checked yet" in html or "Last checked" in html


def test_your_timetable_is_the_editors_dashboard(client, editor_a, provider_a):
    _activity(provider_a, "Monday walk")
    client.force_login(editor_a)

    html = client.get("/admin/").content.decode()

    assert 'id="your-timetable' in html
    assert "Monday walk" in html


def test_your_timetable_leaves_out_other_providers_activities(
    client, editor_a, provider_a, provider_b
):
    _activity(provider_a, "Ours")
    _activity(provider_b, "Theirs")
    client.force_login(editor_a)

    html = client.get("/admin/your-timetable/").content.decode()

    assert "Ours" in html
    assert "Theirs" not in html


def test_your_timetable_orders_by_day_then_time(client, editor_a, provider_a):
    _activity(provider_a, "Wednesday group", weekday_offset=2)
    _activity(provider_a, "Monday group", weekday_offset=0)
    client.force_login(editor_a)

    html = client.get("/admin/your-timetable/").content.decode()

    assert html.index("Monday group") < html.index("Wednesday group")


def test_your_timetable_counts_possible_duplicates(client, editor_a, provider_a):
    venue = VenueFactory(name="Shared hall")
    _activity(provider_a, "Walking group for wellbeing", venue=venue)
    other = ProviderFactory(title="Other org")
    _activity(other, "Walking group for wellbeing", venue=venue)
    stored_pairs_refresh_all()  # as publishing, an import or the nightly scan does
    client.force_login(editor_a)

    html = client.get("/admin/your-timetable/").content.decode()

    assert "1 similar nearby" in html


def test_your_timetable_leaves_out_pairs_marked_not_a_duplicate(client, editor_a, provider_a):
    venue = VenueFactory(name="Shared hall")
    ours = _activity(provider_a, "Walking group for wellbeing", venue=venue)
    theirs = _activity(
        ProviderFactory(title="Other org"), "Walking group for wellbeing", venue=venue
    )
    stored_pairs_refresh_all()
    duplicate_decision_record(
        first=ours,
        second=theirs,
        status="not_duplicate",
        note="Theirs is for carers",
        user=editor_a,
    )
    client.force_login(editor_a)

    html = client.get("/admin/your-timetable/").content.decode()

    assert "similar nearby" not in html


def test_publishing_a_look_alike_shows_on_your_timetable(
    client, editor_a, provider_a, django_capture_on_commit_callbacks
):
    venue = VenueFactory(name="Shared hall")
    _activity(provider_a, "Walking group for wellbeing", venue=venue)
    theirs = _activity(
        ProviderFactory(title="Other org"), "Walking group for wellbeing", venue=venue
    )
    client.force_login(editor_a)
    assert "similar nearby" not in client.get("/admin/your-timetable/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        theirs.save_revision().publish()

    assert "1 similar nearby" in client.get("/admin/your-timetable/").content.decode()


def test_your_timetable_query_count_does_not_grow_with_rows(client, editor_a, provider_a):
    _activity(provider_a, "First")
    client.force_login(editor_a)
    client.get("/admin/your-timetable/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/your-timetable/")
    for number in range(8):
        _activity(provider_a, f"More {number}", weekday_offset=number % 7)

    with CaptureQueriesContext(connection) as many:
        client.get("/admin/your-timetable/")

    assert len(many) == len(few)


def test_publishing_an_activity_lands_the_editor_on_your_timetable(client, editor_a, provider_a):
    from activities.models import ActivityPage  # noqa: PLC0415
    from tests.support.admin_forms import PUBLISH, activity_form_data, edit_url  # noqa: PLC0415

    page = ActivityPage.objects.get(pk=_activity(provider_a, "Monday walk").pk)
    client.force_login(editor_a)

    response = client.post(edit_url(page), activity_form_data(page) | PUBLISH)

    assert response["Location"] == "/admin/your-timetable/"


def test_publish_is_the_main_button_of_the_activity_editor(client, editor_a, provider_a):
    page = _activity(provider_a, "Monday walk")
    client.force_login(editor_a)

    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()

    # The main button comes first in the footer's dropdown button; "Save draft" (class
    # action-save) follows inside the menu.
    assert html.index('name="action-publish"') < html.index('class="button action-save')
