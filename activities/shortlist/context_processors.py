"""The template context every page gets about the visitor's own shortlist."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from .ids import ids_from_cookie


@dataclass(frozen=True)
class Shortlist:
    """What every template knows about the visitor's own shortlist (from the cookie alone)."""

    ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.ids)


def shortlist_context(request: HttpRequest) -> dict[str, Shortlist]:
    """Context processor: ``shortlist`` for the nav count and the add/remove buttons.

    Reads the cookie only (no query), so the count can include an activity that has since
    been unpublished until the shortlist page is next visited and tidies the cookie.
    """
    return {"shortlist": Shortlist(ids=tuple(ids_from_cookie(request)))}
