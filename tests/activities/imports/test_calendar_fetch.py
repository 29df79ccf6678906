"""Fetching a calendar by its address: https only, public addresses only, and the connection
goes to the very address that was checked (so DNS rebinding cannot reach our network).

A real HTTPS server on localhost, with a certificate from a throwaway authority (trustme) for
the name ``calendar.test``; the name is resolved by a stand-in for the DNS (socket.getaddrinfo)
that counts the lookups and can change its answer, as a rebinding DNS server does.
"""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from activities.imports import fetch
from activities.imports.calendar import CalendarRefused
from activities.imports.fetch import calendar_fetch
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support.calendars.files import written

NAME = "calendar.test"
UPLOAD = "/admin/calendar-import/"


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    seen: list[tuple[str, str]] = []

    def do_GET(self):
        type(self).seen.append((self.path, self.headers.get("Host", "")))
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in {"Content-Type": "text/calendar", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def authority():
    return trustme.CA()


@pytest.fixture
def server(authority, monkeypatch, settings):
    """An HTTPS server on 127.0.0.1 with a certificate for calendar.test; yields its port."""
    settings.ICAL_FETCH_ALLOWED = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(NAME).configure_cert(context)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    _Handler.routes = {"/calendar.ics": (200, {}, written("outlook-liverpool"))}
    _Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def trusting() -> ssl.SSLContext:
        client = ssl.create_default_context()
        authority.configure_trust(client)
        return client

    monkeypatch.setattr(fetch, "tls_context", trusting)
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()


class FakeDNS:
    """socket.getaddrinfo for calendar.test (and other .test names): answers in turn from
    `answers` (the last one repeats), counting the lookups; other hosts resolve as usual."""

    def __init__(self, monkeypatch, *answers: str):
        self.answers = list(answers)
        self.lookups: list[str] = []
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, *args, **kwargs):
        if not str(host).endswith(".test"):
            return self.real(host, port, *args, **kwargs)
        self.lookups.append(host)
        address = self.answers[min(len(self.lookups), len(self.answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


def test_fetch_is_off_by_default(settings):
    # Arrange
    settings.ICAL_FETCH_ALLOWED = False

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url="https://calendar.example.org/calendar.ics")

    # Assert
    assert caught.value.problems == [
        "This site does not fetch calendars from the internet. Download the .ics file from "
        "your calendar app and upload it instead."
    ]


@pytest.mark.parametrize("url", ["http://calendar.test/calendar.ics", "ftp://calendar.test/x"])
def test_addresses_other_than_https_are_refused(settings, monkeypatch, url):
    # Arrange
    settings.ICAL_FETCH_ALLOWED = True
    dns = FakeDNS(monkeypatch, "93.184.216.34")

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url=url)

    # Assert
    assert caught.value.problems == [
        "Give a calendar address starting with https:// or webcal://. We do not fetch http:// "
        "addresses: anyone on the way could change what they send."
    ]
    assert dns.lookups == []


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.7", "192.168.1.1", "169.254.169.254"])
def test_names_resolving_to_private_or_loopback_addresses_are_refused(server, monkeypatch, address):
    # Arrange
    FakeDNS(monkeypatch, address)

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url=f"https://{NAME}:{server}/calendar.ics")

    # Assert
    assert caught.value.problems == [
        "“calendar.test” is not a public internet address, so we will not fetch it."
    ]
    assert _Handler.seen == []


def test_connection_goes_to_the_checked_address_with_the_name_as_host_and_sni(
    server, monkeypatch, settings
):
    # Arrange: the only lookup says 127.0.0.1; the certificate is for calendar.test.
    settings.ICAL_FETCH_ALLOW_PRIVATE = True
    dns = FakeDNS(monkeypatch, "127.0.0.1", "192.0.2.1")

    # Act
    data = calendar_fetch(url=f"webcal://{NAME}:{server}/calendar.ics")

    # Assert
    assert data == written("outlook-liverpool")
    assert dns.lookups == [NAME]
    assert _Handler.seen == [("/calendar.ics", f"{NAME}:{server}")]


def test_dns_rebinding_cannot_reach_a_private_address(server, monkeypatch, settings):
    # Arrange: the check's lookup says a public address; any later lookup would say loopback,
    # where our server listens. Fetching with a second lookup would reach it.
    settings.ICAL_FETCH_TIMEOUT = 1
    dns = FakeDNS(monkeypatch, "8.8.8.8", "127.0.0.1")

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url=f"https://{NAME}:{server}/calendar.ics")

    # Assert: one lookup, the connection went to 8.8.8.8 (unreachable here), never to us.
    assert caught.value.problems[0].startswith("We could not fetch the calendar: ")
    assert dns.lookups == [NAME]
    assert _Handler.seen == []


def test_certificate_for_another_name_is_refused(server, monkeypatch, settings):
    # Arrange
    settings.ICAL_FETCH_ALLOW_PRIVATE = True
    FakeDNS(monkeypatch, "127.0.0.1")

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url=f"https://other.test:{server}/calendar.ics")

    # Assert
    assert caught.value.problems[0].startswith("We could not fetch the calendar: ")
    assert _Handler.seen == []


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (
            "http://calendar.test/calendar.ics",
            "Give a calendar address starting with https:// or webcal://. We do not fetch "
            "http:// addresses: anyone on the way could change what they send.",
        ),
        ("/moved.ics", "The calendar address redirected more than 5 times."),
    ],
)
def test_redirects_are_checked_like_the_first_address(
    server, monkeypatch, settings, location, message
):
    # Arrange
    settings.ICAL_FETCH_ALLOW_PRIVATE = True
    FakeDNS(monkeypatch, "127.0.0.1")
    _Handler.routes["/calendar.ics"] = (302, {"Location": location}, b"")
    _Handler.routes["/moved.ics"] = (302, {"Location": "/moved.ics"}, b"")

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url=f"https://{NAME}:{server}/calendar.ics")

    # Assert
    assert caught.value.problems == [message]


def test_redirect_to_a_private_address_is_refused(server, monkeypatch, settings):
    # Arrange: calendar.test is "public" (allowed here); the redirect names a host that the
    # check refuses once private addresses are no longer allowed.
    FakeDNS(monkeypatch, "127.0.0.1")
    _Handler.routes["/calendar.ics"] = (302, {"Location": "https://inside.test/x.ics"}, b"")
    settings.ICAL_FETCH_ALLOW_PRIVATE = True
    original = fetch._resolve

    def strict_after_first(url):
        target = original(url)
        settings.ICAL_FETCH_ALLOW_PRIVATE = False
        return target

    monkeypatch.setattr(fetch, "_resolve", strict_after_first)

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url=f"https://{NAME}:{server}/calendar.ics")

    # Assert
    assert caught.value.problems == [
        "“inside.test” is not a public internet address, so we will not fetch it."
    ]


def test_answer_over_the_size_limit_is_cut_at_the_limit(server, monkeypatch, settings):
    # Arrange
    settings.ICAL_FETCH_ALLOW_PRIVATE = True
    settings.ICAL_IMPORT_MAX_BYTES = 1000
    FakeDNS(monkeypatch, "127.0.0.1")
    _Handler.routes["/calendar.ics"] = (200, {}, b"x" * 50_000)

    # Act
    data = calendar_fetch(url=f"https://{NAME}:{server}/calendar.ics")

    # Assert: one byte over, so the calendar check refuses it as too big.
    assert len(data) == 1001


def test_error_status_is_reported(server, monkeypatch, settings):
    # Arrange
    settings.ICAL_FETCH_ALLOW_PRIVATE = True
    FakeDNS(monkeypatch, "127.0.0.1")

    # Act
    with pytest.raises(CalendarRefused) as caught:
        calendar_fetch(url=f"https://{NAME}:{server}/missing.ics")

    # Assert
    assert caught.value.problems == ["The calendar address answered “404 Not Found”."]


@pytest.mark.django_db
def test_admin_imports_from_feed_address_when_allowed(client, server, monkeypatch, settings):
    # Arrange
    settings.ICAL_FETCH_ALLOW_PRIVATE = True  # the test server is on localhost
    FakeDNS(monkeypatch, "127.0.0.1")
    provider = ProviderFactory(title="Hope Wellbeing")
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)

    # Act
    response = client.post(
        UPLOAD, {"provider": provider.pk, "url": f"https://{NAME}:{server}/calendar.ics"}
    )

    # Assert
    assert response.context["result"].created == 2
    assert [row["event"].summary for row in response.context["events"]] == [
        "Men's Shed evening",
        "Carers' coffee morning",
    ]
