"""import_oruk against a real HTTPS server on localhost (a trustme certificate for
feed.test): a whole feed is read page by page, re-reading is idempotent and asks only for what
changed, and bad feeds give a clear message and change nothing."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme
from django.core.management import CommandError, call_command

from activities.imports import fetch
from activities.models import ActivityPage
from openreferral.models import SourcedListing, SourceFeed
from referrals.models import Destination
from tests.factories.referrals import referral_send

NAME = "feed.test"


def sid(number: int, kind: int = 0) -> str:
    return f"00000000-0000-4000-8{kind:03d}-{number:012d}"


def _service(number: int, **extra) -> dict:
    return {
        "id": sid(number),
        "name": f"Walking group {number}",
        "description": "A gentle walk in the park.",
        "status": "active",
        "last_modified": f"2026-11-{number:02d}T10:00:00Z",
        "schedules": [
            {
                "id": sid(number, 1),
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "TU",
                "dtstart": "2026-01-06",
                "opens_at": "10:00",
                "closes_at": "11:30",
            }
        ],
        "service_at_locations": [
            {
                "id": sid(number, 2),
                "location": {
                    "id": sid(number, 3),
                    "location_type": "physical",
                    "name": "Sefton Park Palm House",
                    "addresses": [
                        {
                            "id": sid(number, 4),
                            "address_1": "Sefton Park",
                            "city": "Liverpool",
                            "state_province": "Merseyside",
                            "postal_code": "L17 1AP",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        **extra,
    }


def _page(services: list[dict], *, page: int, pages: int) -> dict:
    return {
        "total_items": 3,
        "total_pages": pages,
        "page_number": page,
        "size": len(services),
        "first_page": page == 1,
        "last_page": page == pages,
        "empty": not services,
        "contents": services,
    }


class _Handler(BaseHTTPRequestHandler):
    answer = None  # (query dict) -> (status, content type, body bytes)
    seen: list[dict] = []
    delay = 0.0

    def do_GET(self):
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        type(self).seen.append(query)
        if self.delay:
            time.sleep(self.delay)
        status, kind, body = type(self).answer(query)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (the slow-server test)
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def _json_answer(pages: dict[int, dict]):
    def answer(query):
        page = int(query.get("page", 1))
        return (
            200,
            "application/json",
            json.dumps(pages.get(page, _page([], page=page, pages=1))).encode(),
        )

    return answer


@pytest.fixture(scope="module")
def authority():
    return trustme.CA()


@pytest.fixture
def feed(authority, monkeypatch, settings):
    """https://feed.test:PORT/api, served from 127.0.0.1 (private addresses allowed here)."""
    settings.ICAL_FETCH_ALLOWED = True
    settings.ICAL_FETCH_ALLOW_PRIVATE = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(NAME).configure_cert(context)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    _Handler.seen, _Handler.delay = [], 0.0
    _Handler.answer = _json_answer(
        {
            1: _page([_service(1), _service(2)], page=1, pages=2),
            2: _page([_service(3)], page=2, pages=2),
        }
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host == NAME:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))
            ]
        return real(host, port, *args, **kwargs)

    def trusting():
        client = ssl.create_default_context()
        authority.configure_trust(client)
        return client

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(fetch, "tls_context", trusting)
    yield f"https://{NAME}:{httpd.server_port}/api"
    httpd.shutdown()
    httpd.server_close()


def _import(url: str) -> None:
    call_command("import_oruk", url, as_provider="Park Walkers")


def _refused(url: str) -> str:
    with pytest.raises(CommandError) as caught:
        _import(url)
    assert not ActivityPage.objects.exists()
    assert not SourcedListing.objects.exists()
    return str(caught.value)


@pytest.mark.django_db
def test_whole_feed_is_read_page_by_page_and_rereading_changes_nothing(feed):
    # Act
    _import(feed + "/services")
    first = dict(ActivityPage.objects.values_list("ref", "pk"))
    _import(feed)

    # Assert
    assert first.keys() == {sid(1), sid(2), sid(3)}
    assert dict(ActivityPage.objects.values_list("ref", "pk")) == first
    assert [q.get("page") for q in _Handler.seen] == ["1", "2", "1", "2"]
    assert "modified_after" not in _Handler.seen[0]
    assert _Handler.seen[2]["modified_after"] == "2026-11-03T10:00:00+00:00"
    slot = ActivityPage.objects.get(ref=sid(1)).schedules.get()
    assert (slot.frequency, str(slot.first_date), str(slot.start_time)) == (
        "weekly",
        "2026-01-06",
        "10:00:00",
    )
    assert SourcedListing.objects.count() == 3
    assert SourceFeed.objects.get().provider.title == "Park Walkers"


@pytest.mark.django_db
def test_free_text_hours_become_contact_for_times_and_unreadable_fields_are_named(feed):
    # Arrange
    words = _service(1, schedules=[{"id": sid(9, 1), "description": "Most weekday mornings"}])
    odd = _service(2)
    odd["schedules"][0]["interval"] = 3
    _Handler.answer = _json_answer({1: _page([words, odd], page=1, pages=1)})

    # Act
    call_command("import_oruk", feed, as_provider="Park Walkers")

    # Assert
    first = ActivityPage.objects.get(ref=sid(1))
    assert not first.schedules.exists()
    assert first.how_to_join == "Contact for times. Most weekday mornings"
    assert not ActivityPage.objects.get(ref=sid(2)).schedules.exists()


def test_unreadable_schedule_is_reported_with_service_id_and_field(feed, capsys, db):
    odd = _service(2)
    odd["schedules"][0]["interval"] = 3
    _Handler.answer = _json_answer({1: _page([odd], page=1, pages=1)})

    call_command("import_oruk", feed, as_provider="Park Walkers")

    assert f"Service {sid(2)}, schedules[0].interval: Every 3 weeks is not a rule we hold." in (
        capsys.readouterr().err
    )


@pytest.mark.django_db
def test_wrong_schema_is_refused(feed):
    broken = _service(1)
    del broken["name"]
    _Handler.answer = _json_answer({1: _page([broken], page=1, pages=1)})

    message = _refused(feed)

    assert "does not follow the ORUK 3.0 schema (service_list)" in message
    assert "contents/0: 'name' is a required property" in message


@pytest.mark.django_db
def test_html_instead_of_json_is_refused(feed):
    _Handler.answer = lambda q: (200, "text/html", b"<!DOCTYPE html><html>Welcome</html>")

    assert "answered with a web page (HTML), not JSON" in _refused(feed)


@pytest.mark.django_db
def test_huge_page_is_refused(feed, settings):
    settings.ICAL_IMPORT_MAX_BYTES = 10_000
    many = [_service(n) for n in range(1, 40)]
    _Handler.answer = _json_answer({1: _page(many, page=1, pages=1)})

    assert "answered with more than" in _refused(feed)


@pytest.mark.django_db
def test_paging_loop_is_refused(feed):
    # Every page answers with the first page's services and says there are more.
    same = _page([_service(1), _service(2)], page=1, pages=99)
    _Handler.answer = lambda q: (
        200,
        "application/json",
        json.dumps({**same, "page_number": int(q.get("page", 1))}).encode(),
    )

    assert "repeats services already read: its paging loops" in _refused(feed)


@pytest.mark.django_db
def test_endless_paging_stops_at_the_page_limit(feed, settings):
    settings.ORUK_IMPORT_MAX_PAGES = 3

    def endless(q):
        page = int(q.get("page", 1))
        body = _page([_service(page)], page=page, pages=page + 1)
        return 200, "application/json", json.dumps(body).encode()

    _Handler.answer = endless

    assert "has more than 3 pages of services" in _refused(feed)


@pytest.mark.django_db
def test_slow_server_is_refused(feed, settings):
    settings.ICAL_FETCH_TIMEOUT = 1
    _Handler.delay = 2.5

    assert "We could not fetch the feed" in _refused(feed)


@pytest.mark.django_db
def test_fetching_is_off_unless_allowed(feed, settings):
    settings.ICAL_FETCH_ALLOWED = False

    assert "This site does not fetch feeds from the internet" in _refused(feed)
    assert _Handler.seen == []


@pytest.mark.django_db
def test_loopback_is_refused_unless_private_addresses_are_allowed(feed, settings):
    settings.ICAL_FETCH_ALLOW_PRIVATE = False

    assert "is not a public internet address" in _refused(feed)
    assert _Handler.seen == []


def _serve(*numbers: int) -> None:
    _Handler.answer = _json_answer({1: _page([_service(n) for n in numbers], page=1, pages=1)})


def _import_out(url: str, capsys, **options) -> str:
    call_command("import_oruk", url, as_provider="Park Walkers", **options)
    return capsys.readouterr().out


@pytest.mark.django_db
def test_full_read_takes_down_what_left_the_feed_and_republishes_it_when_back(feed, capsys):
    # Arrange: three services read in; then the feed drops the second
    _import_out(feed, capsys)
    before = dict(ActivityPage.objects.values_list("ref", "pk"))
    second = ActivityPage.objects.get(ref=sid(2))
    referral_send(activities=[second])
    revisions = second.revisions.count()
    _serve(1, 3)

    # Act
    gone = _import_out(feed, capsys, full=True)

    # Assert: unpublished, not deleted; the others untouched
    assert "1 listing no longer in the feed was taken down: Walking group 2." in gone
    assert set(ActivityPage.objects.live().values_list("ref", flat=True)) == {sid(1), sid(3)}
    assert dict(ActivityPage.objects.values_list("ref", "pk")) == before
    assert ActivityPage.objects.get(ref=sid(2)).revisions.count() == revisions
    assert Destination.objects.get().activity_id == second.pk  # its referral kept
    assert SourcedListing.objects.get(source_id=sid(2)).taken_down_at is not None
    assert "modified_after" not in _Handler.seen[-1]

    # Act: it comes back
    _serve(1, 2, 3)
    back = _import_out(feed, capsys, full=True)

    # Assert: the same page, published again
    assert "1 listing back in the feed was published again: Walking group 2." in back
    assert dict(ActivityPage.objects.live().values_list("ref", "pk")) == before
    assert SourcedListing.objects.get(source_id=sid(2)).taken_down_at is None


@pytest.mark.django_db
def test_a_changes_only_read_never_takes_anything_down(feed, capsys):
    # Arrange: read once; the next run asks modified_after and gets only service 3
    _import_out(feed, capsys)
    _serve(3)

    # Act
    out = _import_out(feed, capsys)

    # Assert
    assert "modified_after" in _Handler.seen[-1]
    assert "only those changed since the last run" in out
    assert "taken down" not in out
    assert ActivityPage.objects.live().count() == 3
    assert not SourcedListing.objects.filter(taken_down_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_full_read_of_an_empty_feed_takes_nothing_down(feed, capsys):
    _import_out(feed, capsys)
    _Handler.answer = _json_answer({1: _page([], page=1, pages=1)})

    call_command("import_oruk", feed, as_provider="Park Walkers", full=True)

    assert "The feed lists no services at all, so nothing was taken down" in (
        capsys.readouterr().err
    )
    assert ActivityPage.objects.live().count() == 3


def _html(q):
    return 200, "text/html", b"<!DOCTYPE html><html>Down for maintenance</html>"


def _wrong_schema(q):
    broken = _service(1)
    del broken["name"]
    return 200, "application/json", json.dumps(_page([broken], page=1, pages=1)).encode()


def _looping(q):
    body = {**_page([_service(1)], page=1, pages=9), "page_number": int(q.get("page", 1))}
    return 200, "application/json", json.dumps(body).encode()


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [_html, _wrong_schema, _looping])
def test_a_bad_full_read_changes_nothing_already_read(feed, capsys, answer):
    # Arrange
    _import_out(feed, capsys)
    before = dict(ActivityPage.objects.live().values_list("ref", "last_published_at"))
    _Handler.answer = answer

    # Act
    with pytest.raises(CommandError):
        _import(feed)  # a changes-only read
    with pytest.raises(CommandError):
        call_command("import_oruk", feed, as_provider="Park Walkers", full=True)

    # Assert: nothing taken down, nothing rewritten
    assert dict(ActivityPage.objects.live().values_list("ref", "last_published_at")) == before
    assert not SourcedListing.objects.filter(taken_down_at__isnull=False).exists()
