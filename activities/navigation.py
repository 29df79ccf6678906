"""Where a form sends people back to: the ``next`` address it was given, only when that is on
this site (an open redirect would let a link to us forward people anywhere)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` when it is a same-site address, else "" (callers choose their own default)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""
