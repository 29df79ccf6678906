"""Importing an ORUK 3.0 feed as a provider's activities (``import_oruk``).

The whole feed is read first (openreferral.reading: nothing is written if it is refused),
mapped to timetable rows (openreferral.mapping) and written by the timetable import
(activities.imports.services.timetable_import): all or nothing, idempotent by provider + ref
(the ref is the feed's service id), venues shared, revisions written, the activities then
seen by browse, the finder and duplicate detection like any other. In the same transaction
each activity is marked as from the feed (SourcedListing), which makes it read-only for
editors, and the feed remembers the newest ``last_modified`` it saw, so the next run asks only
for services modified on or after it. A full read (the first, or ``--full``) also unpublishes
the listings the feed no longer has; a read that asks only for changes never takes anything
down, since a service missing from it has merely not changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from activities.imports.columns import ImportFailed
from activities.imports.services import timetable_import
from activities.models import ActivityPage
from directory.services import provider_find

from .mapping import service_rows, source_ref
from .models import SourcedListing, SourceFeed
from .reading import FeedRefused, base_url, read_feed
from .schedules import parse_datetime_text


@dataclass
class OrukImportResult:
    services: int = 0
    pages: int = 0
    summary: str = ""
    warnings: list[str] = field(default_factory=list)
    provider: str = ""
    full: bool = True  # the whole feed was read (not only what changed since the last run)
    taken_down: list[str] = field(default_factory=list)  # titles, no longer in the feed
    published_again: list[str] = field(default_factory=list)  # titles, back in the feed


def _feed_key(source: str) -> str:
    if source.startswith(("https://", "http://", "webcal://")):
        return base_url(source)
    return source


def _provider_name(services: list[dict], given: str | None, feed: SourceFeed | None) -> str:
    if given:
        return given.strip()
    if feed is not None:
        return feed.provider.title
    names = {((s.get("organization") or {}).get("name") or "").strip() for s in services}
    names.discard("")
    if len(names) == 1:
        return names.pop()
    raise FeedRefused(
        [
            "Name the organisation these listings belong to with --as-provider NAME "
            f"(the feed names {len(names) or 'no'} organisations)."
        ]
    )


def _translated(exc: ImportFailed, row_services: dict[int, str]) -> FeedRefused:
    """The timetable import's row problems, told by the service id they came from."""
    problems = []
    for problem in exc.problems:
        if problem.row in row_services:
            where = f"Service {row_services[problem.row]}"
            field_name = f", {problem.column}" if problem.column else ""
            problems.append(f"{where}{field_name}: {problem.message}")
        else:
            problems.append(re.sub(r"^Row \d+: ", "", str(problem)))
    return FeedRefused(["The feed was read but not imported (nothing changed):", *problems])


def oruk_import(
    *,
    source: str,
    as_provider: str | None = None,
    full: bool = False,
    today: date | None = None,
) -> OrukImportResult:
    """Read the feed at ``source`` (an https address or a file) into the directory: after the
    first run only what changed since the last (``modified_after``), unless ``full``.

    A full read also takes down (unpublishes) the listings from this feed that it no longer
    has, and publishes again those taken down before that it has again.

    Raises FeedRefused listing why, when the feed cannot be read or its listings cannot be
    imported; then nothing has changed.
    """
    key = _feed_key(source)
    feed_row = SourceFeed.objects.select_related("provider").filter(url=key).first()
    modified_after = feed_row.read_up_to if feed_row and not full else None
    feed = read_feed(source, modified_after=modified_after)
    name = _provider_name(feed.services, as_provider, feed_row)
    result = OrukImportResult(
        services=len(feed.services), pages=feed.pages, provider=name, full=modified_after is None
    )
    result.warnings += feed.warnings
    rows: list[dict[str, str]] = []
    row_services: dict[int, str] = {}
    refs: dict[str, str] = {}
    newest = None
    for service in feed.services:
        sid = str(service.get("id"))
        mapped = service_rows(service, provider=name)
        result.warnings += mapped.warnings
        for row in mapped.rows:
            rows.append(row)
            row_services[len(rows) + 1] = sid  # the spreadsheet's numbering: header = 1
        refs[source_ref(sid)] = sid
        stamp = parse_datetime_text(str(service.get("last_modified") or ""))
        if stamp is not None and timezone.is_aware(stamp) and (newest is None or stamp > newest):
            newest = stamp
    with transaction.atomic():
        if rows:
            try:
                imported = timetable_import(rows=rows, create_providers=True, today=today)
            except ImportFailed as exc:
                raise _translated(exc, row_services) from None
            result.summary = imported.summary
            result.warnings += imported.warnings
        else:
            result.summary = "nothing new in the feed"
        provider = provider_find(name_or_slug=name)
        if provider is None:  # an empty first read: nothing to attach the feed to yet
            return result
        if feed_row is not None and feed_row.provider_id != provider.pk:
            raise FeedRefused(
                [f"This feed is read into {feed_row.provider.title}, not {name}: nothing changed."]
            )
        feed_row, _ = SourceFeed.objects.update_or_create(
            url=key,
            defaults={
                "provider": provider,
                "read_up_to": max(filter(None, [newest, modified_after]), default=None),
                "last_read_at": timezone.now(),
            },
        )
        _mark_sourced(feed_row, provider, refs)
        if result.full:
            _take_down_missing(feed_row, set(refs.values()), result)
        result.published_again = _publish_returned(feed_row, set(refs.values()))
    return result


def _take_down_missing(feed_row: SourceFeed, present: set[str], result: OrukImportResult) -> None:
    """Unpublish (never delete: history and referrals stay) the feed's listings it no longer
    has. An empty feed takes nothing down: that is more likely a fault than a closure."""
    gone = (
        SourcedListing.objects.filter(feed=feed_row, taken_down_at__isnull=True)
        .exclude(source_id__in=present)
        .select_related("activity")
        .order_by("activity__title", "pk")
    )
    if not present:
        if gone.exists():
            result.warnings.append(
                "The feed lists no services at all, so nothing was taken down: run again "
                "when it lists them."
            )
        return
    now = timezone.now()
    for listing in gone:
        if listing.activity.live:
            listing.activity.unpublish(log_action=True)
            result.taken_down.append(listing.activity.title)
        listing.taken_down_at = now
        listing.save(update_fields=["taken_down_at"])


def _publish_returned(feed_row: SourceFeed, present: set[str]) -> list[str]:
    """Publish again, same page and id, the listings we took down that the feed has again."""
    titles = []
    back = SourcedListing.objects.filter(
        feed=feed_row, source_id__in=present, taken_down_at__isnull=False
    ).select_related("activity")
    for listing in back.order_by("activity__title", "pk"):
        page = listing.activity
        if not page.live:  # the timetable import republishes only what it found changed
            revision = page.latest_revision or page.save_revision(log_action=False)
            revision.publish(log_action=True)
        titles.append(page.title)
        listing.taken_down_at = None
        listing.save(update_fields=["taken_down_at"])
    return titles


def _mark_sourced(feed_row: SourceFeed, provider, refs: dict[str, str]) -> None:
    activities = dict(
        ActivityPage.objects.filter(provider=provider, ref__in=list(refs)).values_list("ref", "pk")
    )
    existing = {
        s.activity_id: s for s in SourcedListing.objects.filter(activity_id__in=activities.values())
    }
    new = []
    for ref, pk in activities.items():
        if pk in existing:
            continue
        new.append(SourcedListing(feed=feed_row, activity_id=pk, source_id=refs[ref]))
    SourcedListing.objects.bulk_create(new)


def is_sourced(page) -> bool:
    """Whether a page is a listing read in from an outside feed."""
    return SourcedListing.objects.filter(activity_id=page.pk).exists()
