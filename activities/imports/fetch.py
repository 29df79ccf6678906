"""Fetching a calendar feed from its address: the only outbound HTTP in activities.

Off unless the site allows it (setting ICAL_FETCH_ALLOWED). https only (webcal:// is read as
https://): a plain http:// answer could be changed by anyone on the way.

The server fetches, so an address may never reach our own network. Each host (redirects
included) is resolved once; every address it resolves to must be a public internet address
(ICAL_FETCH_ALLOW_PRIVATE lifts that, for tests and closed networks); then we connect to the
very address we checked, sending the name as the Host header and as TLS SNI, and checking the
certificate against the name. A second lookup (where DNS rebinding would answer with a private
address) never happens. At most ICAL_IMPORT_MAX_BYTES are read, all within
ICAL_FETCH_TIMEOUT seconds.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

from .calendar import CalendarRefused

MAX_REDIRECTS = 5
USER_AGENT = "no-wrong-door calendar import"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class _Target:
    host: str  # the name, for the Host header, SNI and the certificate
    address: str  # the checked address we connect to
    port: int
    path: str  # path and query


def tls_context() -> ssl.SSLContext:
    """The certificates we trust: the system's (tests swap in their own authority)."""
    return ssl.create_default_context()


def _resolve(url: str) -> _Target:
    """Check the address and resolve its host, once; refuse http:// and non-public hosts."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise CalendarRefused([f"“{url[:200]}” is not a web address we can read."]) from None
    if parts.scheme != "https" or not parts.hostname:
        raise CalendarRefused(
            [
                "Give a calendar address starting with https:// or webcal://. We do not fetch "
                "http:// addresses: anyone on the way could change what they send."
            ]
        )
    try:
        infos = socket.getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    except (OSError, UnicodeError, ValueError):
        raise CalendarRefused([f"We could not find the server “{parts.hostname}”."]) from None
    if not addresses:
        raise CalendarRefused([f"We could not find the server “{parts.hostname}”."])
    if not settings.ICAL_FETCH_ALLOW_PRIVATE and not all(a.is_global for a in addresses):
        # The server fetches: never let an address reach our own network.
        raise CalendarRefused(
            [f"“{parts.hostname}” is not a public internet address, so we will not fetch it."]
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(host=parts.hostname, address=str(addresses[0]), port=port, path=path)


def _host_header(target: _Target) -> str:
    name = f"[{target.host}]" if ":" in target.host else target.host
    return name if target.port == 443 else f"{name}:{target.port}"


def _pool(target: _Target, deadline: float) -> urllib3.HTTPSConnectionPool:
    """Connections to the checked address, verifying the certificate against the name."""
    return urllib3.HTTPSConnectionPool(
        target.address,
        port=target.port,
        ssl_context=tls_context(),
        server_hostname=target.host,
        assert_hostname=target.host,
        timeout=urllib3.Timeout(total=max(deadline - time.monotonic(), 0.1)),
        retries=False,
        maxsize=1,
    )


def _read(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    """At most ICAL_IMPORT_MAX_BYTES + 1 bytes (the caller refuses more), by the deadline."""
    limit = settings.ICAL_IMPORT_MAX_BYTES + 1
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        if time.monotonic() > deadline:
            raise TimeoutError("it took too long")
        chunk = response.read(min(_CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def calendar_fetch(*, url: str) -> bytes:
    """Download a calendar feed, when the site allows it (setting ICAL_FETCH_ALLOWED).

    Refuses http://, non-public addresses, redirects to either, and anything over the size
    limit; raises CalendarRefused with the reason.
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
    deadline = time.monotonic() + settings.ICAL_FETCH_TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        target = _resolve(url)
        try:
            with _pool(target, deadline) as pool:
                response = pool.urlopen(
                    "GET",
                    target.path,
                    headers={"Host": _host_header(target), "User-Agent": USER_AGENT},
                    redirect=False,
                    retries=False,
                    preload_content=False,
                )
                try:
                    location = response.headers.get("Location")
                    if response.status in _REDIRECTS and location:
                        url = urljoin(url, location)
                        continue
                    if response.status >= 400:
                        answer = f"{response.status} {response.reason}"
                        raise CalendarRefused([f"The calendar address answered “{answer}”."])
                    return _read(response, deadline)
                finally:
                    response.close()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise CalendarRefused([f"We could not fetch the calendar: {reason}."]) from None
    raise CalendarRefused([f"The calendar address redirected more than {MAX_REDIRECTS} times."])
