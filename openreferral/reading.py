"""Reading a whole ORUK 3.0 feed: every page of /services, each service in full.

The network goes through activities.imports.fetch, the calendar import's fetch (the one home
of outbound HTTP): off unless ICAL_FETCH_ALLOWED, https only, private and loopback addresses
refused (redirects included), the checked address pinned, at most ICAL_IMPORT_MAX_BYTES per
answer within ICAL_FETCH_TIMEOUT seconds. On top of that a feed is refused, with a message
saying why, when an answer is HTML or not JSON, fails the ORUK schema, holds more than
ORUK_IMPORT_MAX_PER_PAGE services, pages on past ORUK_IMPORT_MAX_PAGES, or its paging loops
(a page repeats services already read, or says it is another page). Nothing is written while
reading: the caller imports only a feed read to its end.

A local file (a path) holds one service_list page, or a JSON list of full services.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

from activities.imports.calendar import CalendarRefused
from activities.imports.fetch import calendar_fetch

from . import validation

PER_PAGE = 100


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class FeedRefused(Exception):
    """The feed was not read (nothing changed); ``problems`` says why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Feed:
    services: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0


def _fetch(url: str) -> bytes:
    if not settings.ICAL_FETCH_ALLOWED:
        raise FeedRefused(
            [
                "This site does not fetch feeds from the internet (the setting "
                "ICAL_FETCH_ALLOWED is off). Save the feed's /services answer as a file and "
                "give its path instead."
            ]
        )
    try:
        data = calendar_fetch(url=url)
    except CalendarRefused as exc:
        raise FeedRefused(
            [
                p.replace("calendar address", "feed address")
                .replace("the calendar", "the feed")
                .replace(
                    "Give a feed address starting with https:// or webcal://",
                    "Give a feed address starting with https://",
                )
                for p in exc.problems
            ]
        ) from None
    if len(data) > settings.ICAL_IMPORT_MAX_BYTES:
        megabytes = settings.ICAL_IMPORT_MAX_BYTES / (1024 * 1024)
        raise FeedRefused(
            [
                f"{url} answered with more than {megabytes:g} MB, the most we read in one answer: "
                "ask for smaller pages (per_page)."
            ]
        )
    return data


def _json(data: bytes, where: str) -> object:
    head = data.lstrip()[:200].lower()
    if head.startswith((b"<!doctype", b"<html", b"<")):
        raise FeedRefused(
            [
                f"{where} answered with a web page (HTML), not JSON: check that the address is "
                "the feed's API (the one whose /services lists services)."
            ]
        )
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FeedRefused([f"{where} is not UTF-8 text, so it is not an ORUK feed."]) from None
    except json.JSONDecodeError as exc:
        raise FeedRefused(
            [f"{where} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."]
        ) from None


def _checked(kind: str, body: object, where: str) -> Feed:
    verdict = validation.check(kind, body)
    if verdict.result == validation.FAIL:
        shown = verdict.problems[:5]
        more = len(verdict.problems) - len(shown)
        raise FeedRefused(
            [f"{where} does not follow the ORUK 3.0 schema ({kind}):"]
            + [f"  {p}" for p in shown]
            + ([f"  ...and {more} more."] if more else [])
        )
    return Feed(warnings=[f"{where}: {p}" for p in verdict.problems])


def base_url(url: str) -> str:
    """The API's base address from what was given (…/services or the base itself)."""
    url = url.strip().split("?")[0].rstrip("/")
    return url[: -len("/services")] if url.endswith("/services") else url


def read_feed(source: str, *, modified_after: datetime | None = None) -> Feed:
    """Every service of the feed (each in full), or FeedRefused saying why not."""
    if source.startswith(("https://", "http://", "webcal://")):
        return _read_remote(base_url(source), modified_after=modified_after, get=_fetch)
    return _read_file(Path(source))


def _read_file(path: Path) -> Feed:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedRefused([f"We could not read {path}: {exc.strerror or exc}."]) from None
    if len(data) > _limit("ORUK_IMPORT_MAX_FILE_BYTES", 50 * 1024 * 1024):
        raise FeedRefused([f"{path} is larger than we read from a file."])
    body = _json(data, str(path))
    if isinstance(body, list):
        body = {"contents": body}
    feed = _checked("service_list", body, str(path))
    for service in body.get("contents") or []:
        feed.warnings += _checked("service", service, f"Service {service.get('id')}").warnings
        feed.services.append(service)
    feed.pages = 1
    return feed


def _read_remote(
    base: str, *, modified_after: datetime | None, get: Callable[[str], bytes]
) -> Feed:
    feed = Feed()
    seen: set[str] = set()
    max_pages = _limit("ORUK_IMPORT_MAX_PAGES", 200)
    max_per_page = _limit("ORUK_IMPORT_MAX_PER_PAGE", 1000)
    max_services = _limit("ORUK_IMPORT_MAX_SERVICES", 10000)
    query = {"per_page": PER_PAGE, "full": "true"}
    if modified_after is not None:
        query["modified_after"] = modified_after.isoformat()
    page = 1
    while True:
        if page > max_pages:
            raise FeedRefused(
                [f"{base} has more than {max_pages} pages of services, the most we read."]
            )
        url = f"{base}/services?{urlencode({**query, 'page': page})}"
        body = _json(get(url), url)
        feed.warnings += _checked("service_list", body, url).warnings
        contents = body.get("contents") or []
        if len(contents) > max_per_page:
            raise FeedRefused(
                [
                    f"{url} holds {len(contents)} services, more than the {max_per_page} we read "
                    "in one page."
                ]
            )
        number = body.get("page_number")
        if isinstance(number, int) and number != page and contents:
            raise FeedRefused(
                [
                    f"{url} asked for page {page} but answered page {number}: its paging loops, "
                    "so we stopped."
                ]
            )
        ids = [str(item.get("id")) for item in contents]
        if contents and set(ids) <= seen:
            raise FeedRefused(
                [
                    f"Page {page} of {base} repeats services already read: its paging loops, "
                    "so we stopped."
                ]
            )
        for item in contents:
            sid = str(item.get("id"))
            if sid in seen:
                continue
            seen.add(sid)
            if "schedules" not in item and "service_at_locations" not in item:
                detail_url = f"{base}/services/{sid}"
                item = _json(get(detail_url), detail_url)
            feed.warnings += _checked("service", item, f"Service {sid}").warnings
            feed.services.append(item)
            if len(feed.services) > max_services:
                raise FeedRefused([f"{base} lists more than {max_services} services."])
        feed.pages = page
        total_pages = body.get("total_pages")
        if (
            not contents
            or body.get("last_page") is True
            or (isinstance(total_pages, int) and page >= total_pages)
        ):
            return feed
        page += 1
