"""“Report a problem with this listing”: the public form, its spam checks, the emails, and the
admin list where editors mark reports resolved."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from activities.models import ProblemReport
from activities.reports import services as reports
from directory.services import provider_editor_add
from tests.factories import ActivityFactory, ScheduleFactory

SCRIPT = "<script>alert('x')</script>"
# For the services, which take `now` (seconds since the epoch). The form's view reads the clock
# itself, so the tokens posted to it are made relative to the real time.
NOW = 1_800_000_000.0


@pytest.fixture
def provider(provider_a):
    return provider_a


@pytest.fixture
def other_provider(provider_b):
    return provider_b


@pytest.fixture
def activity(provider):
    activity = ActivityFactory(parent=provider, title="Walk and talk")
    ScheduleFactory(activity=activity)
    return activity


@pytest.fixture
def people(editor_a, city_admin, other_provider):
    """An editor of this provider, one of another provider, a city admin, and a user in no
    group. Only the first and the third should be emailed."""
    other, _ = provider_editor_add(provider=other_provider, username="bob", email="b@example.org")
    get_user_model().objects.create_user("dave", "dave@example.org", "pw-not-used-2")
    return {"editor": editor_a, "other": other, "admin": city_admin}


def report_url(activity):
    return reverse("report_problem", args=[activity.pk])


def form_data(activity, *, age: float = 10, **changes):
    data = {
        "kind": ProblemReport.Kind.OUT_OF_DATE,
        "details": "It moved to Thursdays.",
        "reply_to": "",
        "website": "",
        "token": reports.report_token_make(activity_id=activity.pk, now=time.time() - age),
    }
    data.update(changes)
    return data


def test_activity_page_links_to_report_form(client, activity):
    html = client.get(activity.url).content.decode()

    assert f'<a href="{report_url(activity)}">Report a problem with this listing</a>' in html


def test_report_form_shows_kinds_as_radio_buttons_and_a_hidden_trap(client, activity):
    response = client.get(report_url(activity))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count('type="radio" name="kind"') == len(ProblemReport.Kind.choices)
    assert "<legend>What is wrong?</legend>" in html
    assert '<div class="field trap">' in html
    assert "Leave this empty" in html


def test_report_happy_path_saves_emails_right_people_and_thanks(client, activity, people):
    response = client.post(
        report_url(activity), form_data(activity, reply_to="reporter@example.com")
    )

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("report_problem_thanks", args=[activity.pk]),
    )
    report = ProblemReport.objects.get()
    assert (report.activity_id, report.kind, report.details, report.reply_to, report.status) == (
        activity.pk,
        "out_of_date",
        "It moved to Thursdays.",
        "reporter@example.com",
        "open",
    )
    assert sorted(message.to[0] for message in mail.outbox) == [
        "a@example.org",
        "carol@example.org",
    ]
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == "Problem reported with “Walk and talk”"
    assert message.reply_to == ["reporter@example.com"]
    assert "It moved to Thursdays." in message.body
    assert "http://testserver/admin/problem-reports/" in message.body
    assert f"http://testserver/admin/pages/{activity.pk}/edit/" in message.body
    thanks = client.get(response["Location"]).content.decode()
    assert "We have passed your report about <strong>Walk and talk</strong>" in thanks


def test_report_stores_no_client_address(client, activity, people):
    client.post(report_url(activity), form_data(activity), REMOTE_ADDR="203.0.113.7")

    stored = ProblemReport.objects.values().get()
    assert "203.0.113.7" not in repr(stored)


def test_report_honeypot_filled_is_refused_without_saving(client, activity, people):
    response = client.post(report_url(activity), form_data(activity, website="http://spam"))

    assert response.status_code == 400
    assert "Leave the “Leave this empty” box empty." in response.content.decode()
    assert ProblemReport.objects.count() == 0
    assert mail.outbox == []


def test_report_sent_too_fast_is_refused_with_a_fresh_token(client, activity, people):
    response = client.post(report_url(activity), form_data(activity, age=0))

    html = response.content.decode()
    assert response.status_code == 400
    assert "That was sent too quickly for us to tell you are not a robot." in html
    assert ProblemReport.objects.count() == 0
    fresh = response.context["form"].data["token"]
    assert f'name="token" value="{fresh}"' in html
    with pytest.raises(reports.TokenError):  # fresh, so still too early right now
        reports.report_token_check(fresh, activity_id=activity.pk)
    reports.report_token_check(fresh, activity_id=activity.pk, now=time.time() + 5)


def test_report_token_older_than_a_day_or_forged_or_for_another_activity(client, activity):
    other = ActivityFactory()
    too_old = form_data(activity, age=86400 + 60)
    forged = form_data(activity, token="abc:def")
    elsewhere = form_data(activity, token=reports.report_token_make(activity_id=other.pk, now=1))

    messages = [
        client.post(report_url(activity), data).content.decode()
        for data in (too_old, forged, elsewhere)
    ]

    assert "This form was open for more than a day. Please send it again." in messages[0]
    assert "The form could not be checked. Please send it again." in messages[1]
    assert "The form could not be checked. Please send it again." in messages[2]
    assert ProblemReport.objects.count() == 0


def test_report_invalid_kind_says_what_is_wrong(client, activity):
    response = client.post(report_url(activity), form_data(activity, kind="spam"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "What is wrong?: Choose one of the listed problems." in html
    assert 'href="#id_kind_0"' in html


def test_report_other_needs_details_and_bad_email_is_named(client, activity):
    response = client.post(
        report_url(activity), form_data(activity, kind="other", details="", reply_to="nope")
    )

    html = response.content.decode()
    assert "Tell us what is wrong in the details box." in html
    assert "Enter an email address like name@example.com, or leave it empty." in html
    assert ProblemReport.objects.count() == 0


@override_settings(REPORT_RATE_LIMIT_PER_HOUR=2)
def test_report_rate_limit_per_client_answers_429(client, activity, people):
    for _ in range(2):
        assert client.post(report_url(activity), form_data(activity)).status_code == 302

    response = client.post(report_url(activity), form_data(activity))

    assert response.status_code == 429
    assert "We have received a lot of reports from your connection" in response.content.decode()
    assert ProblemReport.objects.count() == 2
    # Another client is not affected.
    other = client.post(report_url(activity), form_data(activity), REMOTE_ADDR="198.51.100.1")
    assert other.status_code == 302


@override_settings(REPORT_RATE_LIMIT_PER_ACTIVITY_DAY=2)
def test_report_per_activity_cap_limits_emails_not_acceptance(client, activity, people):
    for n in range(2):
        client.post(report_url(activity), form_data(activity), REMOTE_ADDR=f"192.0.2.{n}")
    emails = len(mail.outbox)

    response = client.post(report_url(activity), form_data(activity), REMOTE_ADDR="192.0.2.9")

    # Four clients can no longer silence a listing: the third report is kept, unannounced.
    assert response.status_code == 302
    assert ProblemReport.objects.count() == 3
    assert emails > 0 and len(mail.outbox) == emails


def test_rate_limit_cache_holds_no_address(client, activity):
    client.post(report_url(activity), form_data(activity), REMOTE_ADDR="203.0.113.7")

    keys = list(cache._cache.keys())  # the test cache is LocMemCache
    assert keys and not any("203.0.113.7" in key for key in keys)


def test_report_unpublished_activity_is_404(client, provider):
    draft = ActivityFactory(parent=provider, live=False)

    assert client.get(report_url(draft)).status_code == 404


def test_report_email_escapes_user_text_in_html_part(client, activity, people):
    client.post(report_url(activity), form_data(activity, details=SCRIPT))

    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- the admin list ----------------------------------------------------------------------


@pytest.fixture
def reported(activity, other_provider):
    mine = reports.problem_report_create(activity=activity, kind="closed", details=SCRIPT)
    elsewhere = ActivityFactory(parent=other_provider, title="Bold Street choir")
    theirs = reports.problem_report_create(activity=elsewhere, kind="access", details="Steps")
    return mine, theirs


def test_admin_reports_list_only_own_providers_and_escapes(client, people, reported):
    client.force_login(people["editor"])

    response = client.get(reverse("problem_reports"))

    html = response.content.decode()
    assert response.status_code == 200
    assert [r.pk for r in response.context["reports"]] == [reported[0].pk]
    assert "Bold Street choir" not in html
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_admin_reports_city_admin_sees_all(client, people, reported):
    client.force_login(people["admin"])

    response = client.get(reverse("problem_reports"))

    assert {r.pk for r in response.context["reports"]} == {r.pk for r in reported}


def test_admin_mark_resolved_own_report(client, people, reported):
    client.force_login(people["editor"])

    response = client.post(reverse("problem_report_resolve", args=[reported[0].pk]))

    assert (response.status_code, response["Location"]) == (302, reverse("problem_reports"))
    report = ProblemReport.objects.get(pk=reported[0].pk)
    assert (report.status, report.resolved_by) == ("resolved", people["editor"])
    assert report.resolved_at is not None
    listed = client.get(reverse("problem_reports")).context["reports"]
    assert list(listed) == []


def test_admin_mark_resolved_other_providers_report_is_refused(client, people, reported):
    client.force_login(people["editor"])

    response = client.post(reverse("problem_report_resolve", args=[reported[1].pk]))

    # Wagtail's admin answers PermissionDenied with a redirect to the dashboard and a message.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert ProblemReport.objects.get(pk=reported[1].pk).status == "open"


@override_settings(REPORT_RATE_LIMIT_PER_HOUR=1, CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")
def test_report_rate_limit_behind_proxy_uses_forwarded_address(client, activity):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    first = client.post(
        report_url(activity), form_data(activity), HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
    )
    other = client.post(
        report_url(activity), form_data(activity), HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy
    )
    again = client.post(
        report_url(activity),
        form_data(activity),
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5",
        **proxy,
    )

    assert [r.status_code for r in (first, other, again)] == [302, 302, 429]


# --- single-use tokens and the links in the emails --------------------------------------


def test_report_token_replayed_is_refused_politely_and_saves_once(client, activity, people):
    data = form_data(activity)

    first = client.post(report_url(activity), data)
    again = client.post(report_url(activity), data, REMOTE_ADDR="198.51.100.7")

    assert first.status_code == 302
    assert again.status_code == 400
    assert "This report has already been sent" in again.content.decode()
    assert ProblemReport.objects.count() == 1
    # The refusal carries a fresh token, so a person can still send a real second report.
    fresh = again.context["form"].data["token"]
    reports.report_token_check(fresh, activity_id=activity.pk, now=time.time() + 5)


def test_report_token_use_is_atomic_per_nonce(activity):
    token = reports.report_token_make(activity_id=activity.pk, now=NOW - 10)

    reports.report_token_use(token, activity_id=activity.pk, now=NOW)
    with pytest.raises(reports.TokenError, match="already been sent"):
        reports.report_token_use(token, activity_id=activity.pk, now=NOW)
    # Two tokens made in the same second differ (each has its own nonce).
    assert reports.report_token_make(activity_id=1, now=NOW) != reports.report_token_make(
        activity_id=1, now=NOW
    )


@override_settings(SITE_URL="https://nowrongdoor.example.org")
def test_report_email_links_use_site_url_not_wagtail_site_hostname(client, activity, people):
    client.post(report_url(activity), form_data(activity))

    body = mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    assert f"See the listing: https://nowrongdoor.example.org{activity.url}" in body
    assert f"https://nowrongdoor.example.org/admin/pages/{activity.pk}/edit/" in body
    assert "localhost" not in body and "localhost" not in html
    assert f'href="https://nowrongdoor.example.org{activity.url}"' in html
