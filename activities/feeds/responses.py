"""The calendar response, and serving a feed with its validators (304s cost one query)."""

from __future__ import annotations

from calendar import timegm
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .. import ical
from ..models import ActivityPage
from .events import feed_event_bytes
from .selectors import feed_fingerprint, feed_rows

# Long enough for a shared cache to absorb polling, short enough that an edit shows the same
# day; clients revalidate with the ETag afterwards.
MAX_AGE_SECONDS = 3600


class CalendarResponse(HttpResponse):
    """``text/calendar; charset=utf-8`` with validators and caching headers."""

    def __init__(
        self,
        content: bytes = b"",
        *,
        filename: str,
        etag: str,
        last_modified: datetime,
        download: bool = False,
    ):
        super().__init__(content, content_type="text/calendar; charset=utf-8")
        disposition = "attachment" if download else "inline"
        self["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        self["ETag"] = etag
        self["Last-Modified"] = http_date(timegm(last_modified.utctimetuple()))
        self["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"


def serve_feed(
    request: HttpRequest,
    *,
    queryset: QuerySet[ActivityPage],
    info: ical.FeedInfo,
    key: str,
    filename: str,
) -> HttpResponse:
    # The calendar's own name and address are part of its bytes too (a renamed venue).
    fingerprint = feed_fingerprint(queryset, key=repr((key, info)))
    response = CalendarResponse(
        filename=filename,
        etag=fingerprint.etag,
        last_modified=fingerprint.last_modified,
        download=request.GET.get("download") == "1",
    )
    answer = get_conditional_response(
        request,
        etag=fingerprint.etag,
        last_modified=timegm(fingerprint.last_modified.utctimetuple()),
        response=response,
    )
    if answer is not response:
        return answer  # 304 (or 412), carrying the same validators and Cache-Control
    if request.method == "HEAD":
        return response  # the validators are the answer; building the body would be wasted
    events = feed_event_bytes(feed_rows(queryset))
    response.content = ical.calendar_bytes_of(info, events)
    return response


def feed_description(subject: str) -> str:
    return (
        f"{subject} from {settings.WAGTAIL_SITE_NAME}, the Liverpool wellbeing timetable. "
        "Changes and cancellations appear here automatically (Google Calendar can take up to "
        "a day): check the website for last-minute changes."
    )
