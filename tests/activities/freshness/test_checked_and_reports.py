"""Publishing or importing counts as checked; "Listings to check" and open problem reports."""

import datetime as dt

from django.urls import reverse

from activities.freshness.services import activity_list_confirm_checked
from activities.imports.services import timetable_import
from activities.models import ActivityPage, ProblemReport
from tests.factories import ActivityFactory, ScheduleFactory
from tests.support.admin_forms import PUBLISH, activity_form_data, edit_url
from tests.support.timetables import timetable_row

TODAY = dt.date(2026, 11, 25)


def _old(provider, title, today):
    activity = ActivityFactory(
        parent=provider, title=title, last_checked=today - dt.timedelta(days=200)
    )
    ScheduleFactory(activity=activity)
    return activity


def test_publishing_in_the_admin_counts_as_checked(client, editor_a, provider_a, today):
    activity = _old(provider_a, "Walk and talk", today)
    client.force_login(editor_a)
    page = ActivityPage.objects.get(pk=activity.pk)

    response = client.post(
        edit_url(page), activity_form_data(page, title="Walk and talk") | PUBLISH
    )

    assert response.status_code == 302
    live = ActivityPage.objects.get(pk=activity.pk)
    assert live.last_checked == today
    assert live.get_latest_revision().content["last_checked"] == today.isoformat()


def test_a_listing_just_published_is_not_in_listings_to_check(client, editor_a, provider_a, today):
    activity = _old(provider_a, "Walk and talk", today)
    ActivityPage.objects.get(pk=activity.pk).save_revision(user=editor_a).publish(user=editor_a)
    client.force_login(editor_a)

    html = client.get(reverse("freshness_list")).content.decode()

    assert "Walk and talk" not in html


def test_importing_counts_as_checked_even_when_unchanged(provider_a, today):
    rows = [timetable_row(provider=provider_a.title, ref="WALK-1")]
    timetable_import(rows=rows, only_provider=provider_a)
    ActivityPage.objects.filter(ref="WALK-1").update(last_checked=dt.date(2025, 1, 1))

    result = timetable_import(rows=rows, only_provider=provider_a)

    assert result.unchanged == 1
    assert ActivityPage.objects.get(ref="WALK-1").last_checked == today


def test_importing_keeps_a_last_checked_date_the_file_gives(provider_a):
    rows = [timetable_row(provider=provider_a.title, ref="WALK-1", last_checked="2026-11-01")]

    timetable_import(rows=rows, only_provider=provider_a)

    assert ActivityPage.objects.get(ref="WALK-1").last_checked == dt.date(2026, 11, 1)


def test_listings_to_check_never_preticks_a_reported_listing_and_shows_the_report(
    client, editor_a, provider_a, today
):
    reported = _old(provider_a, "Moved group", today)
    _old(provider_a, "Quiet group", today)
    ProblemReport.objects.create(
        activity=reported, kind=ProblemReport.Kind.OUT_OF_DATE, details="It moved to <b>Everton</b>"
    )
    client.force_login(editor_a)

    html = client.get(reverse("freshness_list")).content.decode()

    assert f'name="activity" value="{reported.pk}"' not in html
    assert (
        f'name="activity_despite_report" value="{reported.pk}" id="confirm-{reported.pk}" aria'
        in html
    )
    assert "It moved to &lt;b&gt;Everton&lt;/b&gt;" in html
    assert "The times, dates or details are out of date" in html


def test_confirming_holds_back_a_listing_with_an_open_report(client, editor_a, provider_a, today):
    reported = _old(provider_a, "Moved group", today)
    ProblemReport.objects.create(activity=reported, kind=ProblemReport.Kind.OUT_OF_DATE)
    client.force_login(editor_a)

    response = client.post(reverse("freshness_confirm"), {"activity": [reported.pk]}, follow=True)

    assert ActivityPage.objects.get(pk=reported.pk).last_checked != today
    assert "was not confirmed: it has an open problem report" in response.content.decode()


def test_confirming_despite_the_report_when_ticked_so(editor_a, provider_a):
    reported = _old(provider_a, "Moved group", TODAY)
    ProblemReport.objects.create(activity=reported, kind=ProblemReport.Kind.OUT_OF_DATE)

    result = activity_list_confirm_checked(
        user=editor_a, page_ids=[reported.pk], despite_reports={reported.pk}, today=TODAY
    )

    assert [p.pk for p in result.confirmed] == [reported.pk]
    assert result.held == []
