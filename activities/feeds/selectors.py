"""What goes in a feed, as plain values, and its HTTP validators (without building it)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from wagtail.models import Page, Site

from venues.models import Venue

from .. import ical, recurrence
from ..enums import ActivityKind, CancelledSessions
from ..models import ActivityPage, Cancellation, Category, Schedule

KEEP_ENDED_DAYS = 92
# Change when the feed's layout changes, so every cached copy is refetched.
FEED_FORMAT = "1"


def feed_cutoff():
    return timezone.localdate() - timedelta(days=KEEP_ENDED_DAYS)


_ACTIVITY_COLUMNS = (
    "pk",
    "cancelled_sessions",
    "title",
    "kind",
    "description",
    "who_for",
    "provider__title",
    "cost",
    "self_referral",
    "professional_referral",
    "gp_referral",
    "booking_required",
    "how_to_join",
    "online",
    "meeting_link",
    "contact_phone",
    "contact_email",
    "booking_url",
    "venue__name",
    "venue__address",
    "venue__postcode",
    "venue__latitude",
    "venue__longitude",
    "last_published_at",
    "first_published_at",
    "latest_revision_created_at",
    "url_path",
)
_SLOT_COLUMNS = (
    "activity_id",
    "uid",
    "sequence",
    "frequency",
    "first_date",
    "start_time",
    "end_time",
    "sessions",
    "last_date",
)
_KIND_LABELS = dict(ActivityKind.choices)


@dataclass(frozen=True)
class FeedRow:
    """Everything one activity's events are made from, as read: its columns (in
    _ACTIVITY_COLUMNS order), slots (_SLOT_COLUMNS without the activity), cancelled dates and
    topics. Plain values, so a digest of one (feeds.events) names its events exactly."""

    values: tuple
    slots: tuple
    cancelled: tuple
    topics: tuple


def feed_rows(queryset: QuerySet[ActivityPage]) -> list[FeedRow]:
    """What every activity in `queryset` is made of, in four queries (none per activity)."""
    ids = queryset.order_by().values("pk")
    slots: dict[int, list[tuple]] = defaultdict(list)
    for activity_id, *slot in (
        Schedule.objects.filter(activity_id__in=ids)
        .order_by("activity_id", "sort_order", "pk")
        .values_list(*_SLOT_COLUMNS)
    ):
        slots[activity_id].append(tuple(slot))
    cancelled: dict[int, list] = defaultdict(list)
    for activity_id, day in Cancellation.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "date"
    ):
        cancelled[activity_id].append(day)
    topics: dict[int, list[str]] = defaultdict(list)
    links = ActivityPage.categories.through.objects.filter(activitypage_id__in=ids)
    for activity_id, name in links.values_list("activitypage_id", "category__name"):
        topics[activity_id].append(name)
    rows = ActivityPage.objects.filter(pk__in=ids).order_by("pk").values_list(*_ACTIVITY_COLUMNS)
    return [
        FeedRow(
            values=row,
            slots=tuple(slots.get(row[0], ())),
            cancelled=tuple(cancelled.get(row[0], ())),
            topics=tuple(topics.get(row[0], ())),
        )
        for row in rows
    ]


def feed_activity(row: FeedRow, page_url: Callable[[str], str]) -> ical.ActivityData:
    """The values activities.ical builds one activity's events from."""
    values = dict(zip(_ACTIVITY_COLUMNS, row.values, strict=True))
    slots = [
        ical.SlotData(str(uid), sequence, recurrence.Rule(*timing))
        for uid, sequence, *timing in row.slots
    ]
    if values["cancelled_sessions"] == CancelledSessions.ADD:
        # A session added at the end for each one cancelled (recurrence.made_up).
        for slot in slots:
            slot.rule = recurrence.made_up(slot.rule, list(row.cancelled))
    return ical.ActivityData(
        title=values["title"],
        kind=str(_KIND_LABELS.get(values["kind"], values["kind"])),
        description=values["description"],
        who_for=values["who_for"],
        provider=values["provider__title"] or "",
        cost=values["cost"],
        self_referral=values["self_referral"],
        professional_referral=values["professional_referral"],
        gp_referral=values["gp_referral"],
        booking_required=values["booking_required"],
        how_to_join=values["how_to_join"],
        online=values["online"],
        meeting_link=values["meeting_link"],
        contact_phone=values["contact_phone"],
        contact_email=values["contact_email"],
        booking_url=values["booking_url"],
        venue_name=values["venue__name"],
        venue_address=values["venue__address"] or "",
        venue_postcode=values["venue__postcode"] or "",
        latitude=values["venue__latitude"],
        longitude=values["venue__longitude"],
        stamp=ical.stamp_of(
            values["last_published_at"],
            values["first_published_at"],
            values["latest_revision_created_at"],
        ),
        url=page_url(values["url_path"]),
        slots=slots,
        cancelled=list(row.cancelled),
        categories=list(row.topics),
    )


def feed_activities(queryset: QuerySet[ActivityPage]) -> list[ical.ActivityData]:
    """What activities.ical needs for every activity in `queryset`, in four queries.

    Plain values rather than model instances: building ten thousand pages (with their
    modelcluster relations and per-object prefetch querysets) took longer than serialising
    the calendar. Queries do not grow with the number of activities.
    """
    page_url = page_url_builder()
    return [feed_activity(row, page_url) for row in feed_rows(queryset)]


@dataclass(frozen=True)
class Fingerprint:
    etag: str  # quoted, ready for the ETag header
    last_modified: datetime


def feed_fingerprint(queryset: QuerySet[ActivityPage], *, key: str) -> Fingerprint:
    """Validators for the feed of `queryset` (named `key`), without building the feed.

    Anything that changes the feed's bytes changes one of the aggregates it is made from:
    which activities are in it (count and id sum), their published content (newest publish
    time of the activity, its venue and its provider), their slots (count, id sum, SEQUENCE
    sum: timing changes and cancellations raise SEQUENCE), cancelled dates, and topic names
    (a rename changes no timestamp, but changes the total length of the names).

    Those aggregates take tens of milliseconds over a 10,000-activity browse selection, so
    they are cached under a *data version*: the same kind of aggregates over whole tables,
    which cost a few milliseconds and change whenever anything in them does (bulk imports
    included, since no signal is involved). A 304 then costs one small query.
    """
    timeout = settings.FEED_VALIDATOR_CACHE_SECONDS
    if not timeout:
        return _fingerprint(queryset, key=key)
    version = (FEED_FORMAT, settings.SITE_URL, key, feed_cutoff().isoformat(), _data_version())
    cache_key = "feed-validators:" + hashlib.sha256(repr(version).encode()).hexdigest()
    # Cached as plain values, so a cache shared across releases never holds our classes.
    cached = cache.get(cache_key)
    if cached is not None:
        return Fingerprint(etag=cached[0], last_modified=cached[1])
    fingerprint = _fingerprint(queryset, key=key)
    cache.set(cache_key, (fingerprint.etag, fingerprint.last_modified), timeout)
    return fingerprint


def _fingerprint(queryset: QuerySet[ActivityPage], *, key: str) -> Fingerprint:
    values = _fingerprint_values(queryset)
    parts = [FEED_FORMAT, settings.SITE_URL, key, values]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    stamps = [_as_datetime(value) for value in values[2:5]]
    newest = max((s for s in stamps if s is not None), default=ical.EPOCH)
    return Fingerprint(etag=f'"{digest}"', last_modified=newest.astimezone(UTC))


def _data_version() -> tuple:
    """Aggregates over every table a feed reads, in one statement (see feed_fingerprint)."""
    connection = connections[ActivityPage.objects.db]
    quote = connection.ops.quote_name
    page, schedule, cancellation = Page._meta, Schedule._meta, Cancellation._meta
    venue, topic = Venue._meta, Category._meta

    def column(meta, name):
        return quote(meta.get_field(name).column)

    def key_sum(meta):
        return f"COUNT(*) AS n, SUM({quote(meta.pk.column)}) AS ids"

    live_ids = f"CASE WHEN {column(page, 'live')} THEN {quote(page.pk.column)} ELSE 0 END"
    sql = f"""
        SELECT p.n, p.ids, p.live, p.published, s.n, s.ids, s.seq, x.n, x.ids,
               v.n, v.ids, v.updated, t.n, t.ids, t.names
        FROM (SELECT {key_sum(page)}, SUM({live_ids}) AS live,
                     MAX({column(page, "last_published_at")}) AS published
                FROM {quote(page.db_table)}) p,
             (SELECT {key_sum(schedule)}, SUM({column(schedule, "sequence")}) AS seq
                FROM {quote(schedule.db_table)}) s,
             (SELECT {key_sum(cancellation)} FROM {quote(cancellation.db_table)}) x,
             (SELECT {key_sum(venue)}, MAX({column(venue, "updated_at")}) AS updated
                FROM {quote(venue.db_table)}) v,
             (SELECT {key_sum(topic)}, SUM(LENGTH({column(topic, "name")})) AS names
                FROM {quote(topic.db_table)}) t
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _fingerprint_values(queryset: QuerySet[ActivityPage]) -> tuple:
    """Every aggregate in one SQL statement.

    This is the whole cost of answering a polling calendar with 304, so it is one round trip
    instead of four ORM aggregates (whose query compilation alone took longer than the SQL).
    Plain SQL that SQLite and PostgreSQL both run; names come from the models' metadata.
    """
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    try:
        ids_sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. pk__in=[] (a shortlist with no valid ids): SQL for "none"
        none = ActivityPage.objects.using(queryset.db).filter(pk__isnull=True)
        ids_sql, params = none.values("pk").query.sql_with_params()
    activity, page = ActivityPage._meta, Page._meta
    schedule, cancellation, venue = Schedule._meta, Cancellation._meta, Venue._meta
    topic = Category._meta

    def table(meta):
        return quote(meta.db_table)

    def column(meta, name):
        return quote(meta.get_field(name).column)

    pk = column(activity, "page_ptr")
    page_pk, venue_pk = quote(page.pk.column), quote(venue.pk.column)
    sql = f"""
        WITH chosen(id) AS ({ids_sql})
        SELECT c.n, c.ids, a.published, a.venues, a.providers, s.n, s.ids, s.seq,
               x.n, x.ids, t.n, t.ids, t.names
        FROM (SELECT COUNT(*) AS n, SUM(id) AS ids FROM chosen) c,
             (SELECT MAX(p.{column(page, "last_published_at")}) AS published,
                     MAX(v.{column(venue, "updated_at")}) AS venues,
                     MAX(pp.{column(page, "last_published_at")}) AS providers
                FROM {table(activity)} ap
                JOIN {table(page)} p ON p.{page_pk} = ap.{pk}
                LEFT JOIN {table(venue)} v ON v.{venue_pk} = ap.{column(activity, "venue")}
                LEFT JOIN {table(page)} pp ON pp.{page_pk} = ap.{column(activity, "provider")}
               WHERE ap.{pk} IN (SELECT id FROM chosen)) a,
             (SELECT COUNT(*) AS n, SUM({quote(schedule.pk.column)}) AS ids,
                     SUM({column(schedule, "sequence")}) AS seq
                FROM {table(schedule)}
               WHERE {column(schedule, "activity")} IN (SELECT id FROM chosen)) s,
             (SELECT COUNT(*) AS n, SUM({quote(cancellation.pk.column)}) AS ids
                FROM {table(cancellation)}
               WHERE {column(cancellation, "activity")} IN (SELECT id FROM chosen)) x,
             (SELECT COUNT(*) AS n, SUM({quote(topic.pk.column)}) AS ids,
                     SUM(LENGTH({column(topic, "name")})) AS names
                FROM {table(topic)}) t
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def _as_datetime(value) -> datetime | None:
    """A timestamp from the raw query (PostgreSQL gives datetimes, SQLite gives text)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def page_url_builder() -> Callable[[str], str]:
    """A function from a page's url_path to its absolute public URL (no query per page)."""
    roots = sorted(Site.get_site_root_paths(), key=lambda r: -len(r.root_path))
    base = settings.SITE_URL

    def page_url(path: str) -> str:
        for root in roots:
            if path.startswith(root.root_path):
                return f"{base}/{path[len(root.root_path) :]}"
        return f"{base}{path}"

    return page_url
