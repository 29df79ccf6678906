"""Zero results always offer something: the nearest matches without the one filter that
rules out the most (each chosen filter is dropped in turn and the largest list wins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import QueryDict
from django.utils import timezone

from ..filters import ActivityFilter
from ..selectors import ActivityRow, activity_list_current, activity_row, with_display_data

# Filters dropped together (a radius means nothing without its postcode), with their names.
FILTER_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("q", "exact"), "your search words"),
    (("postcode", "radius"), "the postcode"),
    (("radius",), "the distance"),
    (("day",), "the days"),
    (("time",), "the times of day"),
    (("category",), "the topics"),
    (("kind",), "the type"),
    (("access",), "the access needs"),
    (("online",), "online or in person"),
    (("free",), "free only"),
    (("referral",), "how to join"),
    (("audience",), "who it's for"),
    (("provider",), "the organisations"),
)
SHOWN = 3


@dataclass
class Relaxed:
    dropped: str  # "the days"
    query: str  # the browse query string without it
    count: int
    rows: list[ActivityRow]


def without_one_filter(*, params: QueryDict, today: date | None = None) -> Relaxed | None:
    """The largest list one chosen filter fewer gives, or None when nothing was chosen (or
    every such list is empty too)."""
    today = today or timezone.localdate()
    best: tuple[int, str, QueryDict] | None = None
    for keys, name in FILTER_GROUPS:
        if not any(params.get(key) for key in keys if key != "exact"):
            continue
        if keys == ("radius",) and not params.get("postcode"):
            continue
        fewer = params.copy()
        for key in (*keys, "page"):
            fewer.pop(key, None)
        filterset = ActivityFilter(fewer, queryset=activity_list_current(today=today), today=today)
        if not filterset.is_valid():
            continue
        count = filterset.qs.count()
        if count and (best is None or count > best[0]):
            best = (count, name, fewer)
    if best is None:
        return None
    count, name, fewer = best
    filterset = ActivityFilter(fewer, queryset=activity_list_current(today=today), today=today)
    shown = with_display_data(filterset.qs[:SHOWN])
    origin = filterset.form.cleaned_data.get("postcode")
    return Relaxed(
        dropped=name,
        query=fewer.urlencode(),
        count=count,
        rows=[activity_row(a, today=today, origin=origin) for a in shown],
    )
