"""Keyset pages for the inbox and the queue: each page is found from the last row of the one
before (its time sent and id), so page 2,000 costs what page 1 costs, and the total is counted
only up to COUNT_LIMIT ("1,000 or more"), never across the whole table.

A cursor is "<microseconds since 1970>.<id>": a position in the list, nothing personal; one
that does not parse is the first page (never an error). The permission filter stays in the
queryset, so a cursor can only move through rows the user may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

COUNT_LIMIT = 1000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_BIGGEST = 2**63 - 1


@dataclass
class Page:
    rows: list
    total: int  # at most COUNT_LIMIT + 1
    newer: str | None  # cursor for the page before (None: this is the first)
    older: str | None  # cursor for the page after (None: this is the last)

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_LIMIT

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def cursor_make(row) -> str:
    micros = (row.created_at - EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}.{row.pk}"


def cursor_read(value: str) -> tuple[dt.datetime, int] | None:
    micros, _, pk = (value or "").partition(".")
    sign = micros.startswith("-")
    digits = micros[1:] if sign else micros
    if not (digits.isdigit() and pk.isdigit()) or len(digits) > 18 or len(pk) > 18:
        return None
    try:
        at = EPOCH + dt.timedelta(microseconds=-int(digits) if sign else int(digits))
    except OverflowError:
        return None
    return (at, int(pk)) if int(pk) <= _BIGGEST else None


def _beyond(position: tuple[dt.datetime, int], *, later: bool) -> Q:
    at, pk = position
    if later:
        return Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk)
    return Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk)


def keyset_page(
    queryset: QuerySet,
    *,
    counted: QuerySet,
    newest_first: bool,
    after: str = "",
    before: str = "",
    size: int = 50,
) -> Page:
    """One page of `queryset` in (created_at, pk) order, newest or oldest first, starting just
    after the `after` cursor (or ending just before `before`). `counted` is the same rows
    without the joins the page needs, for the bounded count."""
    forward = ("-created_at", "-pk") if newest_first else ("created_at", "pk")
    backward = tuple(f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in forward)
    total = counted.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    after_at, before_at = cursor_read(after), cursor_read(before)
    if before_at is not None:
        rows = list(
            queryset.filter(_beyond(before_at, later=newest_first)).order_by(*backward)[: size + 1]
        )
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        newer = cursor_make(rows[0]) if rows and more_newer else None
        older = cursor_make(rows[-1]) if rows else None
        return Page(rows=rows, total=total, newer=newer, older=older)
    if after_at is not None:
        queryset = queryset.filter(_beyond(after_at, later=not newest_first))
    rows = list(queryset.order_by(*forward)[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    newer = cursor_make(rows[0]) if rows and after_at is not None else None
    older = cursor_make(rows[-1]) if more_older else None
    return Page(rows=rows, total=total, newer=newer, older=older)
