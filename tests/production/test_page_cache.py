"""Issue 15: anonymous public pages and feeds come from the cache, and never a stale one.

The Django test client drives the whole middleware stack in process; the cache is the test
run's (local memory, or Redis when REDIS_URL is set). Data changes go through the same paths
production uses: publishing, saving, a problem report, an admin POST.
"""

import re
import time

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, override_settings
from django.urls import reverse

from activities.models import ProblemReport
from activities.reports import services as reports
from directory import caching
from tests.factories import ActivityFactory, ScheduleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_page_cache_on")]


@pytest.fixture
def _page_cache_on():
    with override_settings(PAGE_CACHE_SECONDS=600):
        yield


@pytest.fixture
def activity(provider_a):
    page = ActivityFactory(parent=provider_a, title="Walk and talk")
    ScheduleFactory(activity=page)
    return page


def test_a_second_anonymous_browse_is_served_from_the_cache(client, activity):
    first = client.get("/activities/")
    second = client.get("/activities/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert _tokenless(second) == _tokenless(first)
    assert "Walk and talk" in second.content.decode()
    assert second["ETag"] == first["ETag"]
    # The security headers are the live ones, added on the way out.
    assert "default-src 'self'" in second["Content-Security-Policy"]


def test_an_html_page_answers_304_to_its_etag_from_the_cache(client, activity):
    etag = client.get("/activities/")["ETag"]
    response = client.get("/activities/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_an_unknown_etag_gets_the_whole_page(client, activity):
    client.get("/activities/")
    response = client.get("/activities/", HTTP_IF_NONE_MATCH='"not-this-one"')
    assert response.status_code == 200
    assert "Walk and talk" in response.content.decode()


def test_publishing_a_change_is_seen_at_once(client, activity):
    client.get("/activities/")
    activity.title = "Walk and talk in the park"
    activity.save_revision().publish()
    response = client.get("/activities/")
    assert response["X-Cache"] == "miss"
    assert "Walk and talk in the park" in response.content.decode()


def test_unpublishing_removes_the_listing_at_once(client, activity):
    client.get("/activities/")
    activity.unpublish()
    response = client.get("/activities/")
    assert "Walk and talk" not in response.content.decode()


def test_a_feed_is_cached_and_answers_304(client, activity):
    url = reverse("feed_browse")
    first = client.get(url)
    second = client.get(url)
    assert (first.status_code, second["X-Cache"]) == (200, "hit")
    assert b"Walk and talk" in second.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_feed_poll_gets_its_304_without_the_stored_body_unpacked(client, activity, monkeypatch):
    url = reverse("feed_browse")
    etag = client.get(url)["ETag"]

    def unpack(body):
        raise AssertionError("the stored feed was unpacked for a 304")

    monkeypatch.setattr(caching.zlib, "decompress", unpack)
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, response["ETag"], response["X-Cache"]) == (304, etag, "hit")
    monkeypatch.undo()
    changed = client.get(url, HTTP_IF_NONE_MATCH='"another"')  # an older copy: the whole feed
    assert (changed.status_code, changed["X-Cache"]) == (200, "hit")
    assert b"Walk and talk" in changed.content


def test_a_problem_report_starts_a_new_data_version(client, activity):
    before = caching.data_version()
    ProblemReport.objects.create(
        activity=activity, kind=ProblemReport.Kind.OUT_OF_DATE, details="It moved."
    )
    assert caching.data_version() > before


def test_an_admin_post_starts_a_new_data_version(client, activity, city_admin):
    client.force_login(city_admin)
    before = caching.data_version()
    response = client.post(reverse("freshness_confirm"), {"activity": [activity.pk]})
    assert response.status_code == 302
    assert caching.data_version() > before


def test_a_signed_in_editor_always_gets_the_live_page(client, activity, editor_a):
    client.get("/activities/")  # cached for visitors
    client.force_login(editor_a)
    response = client.get("/activities/")
    assert "X-Cache" not in response
    assert "Walk and talk" in response.content.decode()


def test_the_report_form_is_never_stored(client, activity):
    url = reverse("report_problem", args=[activity.pk])
    client.get(url)
    assert "X-Cache" not in client.get(url)


def test_a_cached_page_gives_each_visitor_their_own_form_token(activity):
    first, second = Client(), Client()
    pages = [browser.get("/activities/") for browser in (first, second)]
    assert [page["X-Cache"] for page in pages] == ["miss", "hit"]
    for browser, page in zip((first, second), pages, strict=True):
        token = _token(page.content.decode())
        assert _unmask_cipher_token(token) == browser.cookies["csrftoken"].value
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_a_shortlist_button_on_a_cached_page_works_with_csrf_enforced(activity):
    Client().get("/activities/")  # stored by another visitor
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/activities/")
    assert page["X-Cache"] == "hit"
    response = browser.post(
        reverse("shortlist_add"),
        {
            "csrfmiddlewaretoken": _token(page.content.decode()),
            "activity": activity.pk,
            "next": "/",
        },
    )
    assert response.status_code == 302
    assert browser.cookies["shortlist"].value == str(activity.pk)


def _tokenless(response) -> bytes:
    return re.sub(rb'csrfmiddlewaretoken" value="\w+"', b"", response.content)


def _token(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def test_a_report_form_sent_from_a_fresh_page_is_accepted(activity):
    # Enforced CSRF, as in production: the token rendered for this visitor must match the cookie.
    browser = Client(enforce_csrf_checks=True)
    url = reverse("report_problem", args=[activity.pk])
    browser.get("/activities/")  # a cached page on the way does not break the form
    page = browser.get(url).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = browser.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "kind": ProblemReport.Kind.OUT_OF_DATE,
            "details": "It moved to Thursdays.",
            "reply_to": "",
            "website": "",
            "token": reports.report_token_make(activity_id=activity.pk, now=time.time() - 10),
        },
    )
    assert response.status_code == 302
    assert ProblemReport.objects.filter(activity=activity).count() == 1


def test_each_shortlist_gets_its_own_cached_page(client, activity):
    client.get("/activities/")
    client.cookies["shortlist"] = str(activity.pk)
    response = client.get("/activities/")
    assert response["X-Cache"] == "miss"
    assert client.get("/activities/")["X-Cache"] == "hit"


def test_a_visitor_with_a_session_or_a_message_gets_the_live_page(client, activity):
    client.get("/activities/")
    client.cookies["messages"] = "anything"
    assert "X-Cache" not in client.get("/activities/")
    del client.cookies["messages"]
    client.cookies["sessionid"] = "stale-or-not"
    assert "X-Cache" not in client.get("/activities/")


def test_the_finder_and_the_admin_are_never_cached(client, activity):
    assert "X-Cache" not in client.get("/find/")
    assert "X-Cache" not in client.get("/admin/login/")


def test_turned_off_nothing_is_cached(client, activity):
    with override_settings(PAGE_CACHE_SECONDS=0):
        client.get("/activities/")
        assert "X-Cache" not in client.get("/activities/")
