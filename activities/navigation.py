"""Getting around: where a form sends people back to (the ``next`` address it was given, only
when that is on this site: an open redirect would let a link to us forward people anywhere),
and which admin menu items a user sees."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.admin.menu import MenuItem

from directory.permissions import works_on_listings


def safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` when it is a same-site address, else "" (callers choose their own default)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


class ProviderWorkMenuItem(MenuItem):
    """An admin menu item for provider work (imports, listings to check, problem reports):
    shown to superusers, city admins and provider editors."""

    def is_shown(self, request):
        return works_on_listings(request.user)
