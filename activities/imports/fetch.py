"""Fetching a calendar feed from its address: the only outbound HTTP in activities.

Off unless the site allows it (setting ICAL_FETCH_ALLOWED). The server fetches, so an address
may never reach our own network: every host, redirects included, must resolve to public
internet addresses only (ICAL_FETCH_ALLOW_PRIVATE lifts that, for tests and closed networks).
At most ICAL_IMPORT_MAX_BYTES are read, within ICAL_FETCH_TIMEOUT seconds.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from .calendar import CalendarRefused


def _check_host(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CalendarRefused(["Give a calendar address starting with https:// or webcal://."])
    if settings.ICAL_FETCH_ALLOW_PRIVATE:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        raise CalendarRefused([f"We could not find the server “{parts.hostname}”."]) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            # The server fetches: never let an address reach our own network.
            raise CalendarRefused(
                [f"“{parts.hostname}” is not a public internet address, so we will not fetch it."]
            )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_host(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def calendar_fetch(*, url: str) -> bytes:
    """Download a calendar feed, when the site allows it (setting ICAL_FETCH_ALLOWED).

    Refuses non-public addresses, redirects to them, and anything over the size limit.
    """
    if not settings.ICAL_FETCH_ALLOWED:
        raise CalendarRefused(
            [
                "This site does not fetch calendars from the internet. Download the .ics file "
                "from your calendar app and upload it instead."
            ]
        )
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    _check_host(url)
    opener = urllib.request.build_opener(_CheckedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "no-wrong-door calendar import"})
    try:
        with opener.open(request, timeout=settings.ICAL_FETCH_TIMEOUT) as response:
            data = response.read(settings.ICAL_IMPORT_MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise CalendarRefused(
            [f"The calendar address answered “{exc.code} {exc.reason}”."]
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CalendarRefused([f"We could not fetch the calendar: {reason}."]) from None
    return data
