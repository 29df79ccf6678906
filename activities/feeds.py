"""Calendar feeds people subscribe to: one activity, a provider, a venue, or any browse list.

URLs (see directory/urls.py):

- ``/feeds/activities/<page id>.ics``, ``/feeds/providers/<page id>.ics``,
  ``/feeds/venues/<venue id>.ics``: ids, not slugs, so a rename never breaks a subscription;
- ``/activities/feed.ics?<the query string of /activities/>``: the same FilterSet narrows it,
  so "free, step-free, Tuesday groups within 2 miles of L8" is one subscription;
- ``/activities/feed/<token>.ics``: the same, with the query string packed into the path,
  because Google's subscribe-by-link (``cid=webcal://…``) mangles URLs that contain ``&``.

``?download=1`` on any of them sends the file as an attachment (the "download" button);
otherwise it is served inline, which is what subscribing clients expect.

HTTP caching: subscribed calendars poll every few hours, for ever. Each feed has an ETag and
Last-Modified computed from a few aggregate queries over the same selection (counts, id
sums, the newest publish time, the sum of the slots' SEQUENCE numbers), without building the
feed, so a conditional request is answered with 304 in a few milliseconds.

Multi-activity feeds keep an activity for ``KEEP_ENDED_DAYS`` after its last session, so
subscribers see it end (UNTIL) instead of its past sessions vanishing at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from calendar import timegm
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from directory.models import ProviderPage
from venues.models import Venue

from . import ical, recurrence
from .enums import ActivityKind
from .filters import RADIUS_CHOICES, ActivityFilter
from .models import ActivityPage, Cancellation, Category, Schedule
from .selectors import activity_list_current, filtered_activities

__all__ = [
    "KEEP_ENDED_DAYS",
    "CalendarResponse",
    "Fingerprint",
    "activity_feed",
    "browse_feed",
    "browse_feed_by_token",
    "browse_query_token",
    "canonical_query",
    "feed_activities",
    "feed_cutoff",
    "feed_fingerprint",
    "page_url_builder",
    "provider_feed",
    "venue_feed",
]

KEEP_ENDED_DAYS = 92
# Change when the feed's layout changes, so every cached copy is refetched.
FEED_FORMAT = "1"
# Long enough for a shared cache to absorb polling, short enough that an edit shows the same
# day; clients revalidate with the ETag afterwards.
MAX_AGE_SECONDS = 3600
# Query strings longer than this are not a browse filter anyone typed.
MAX_TOKEN_LENGTH = 2000
_IGNORED_PARAMS = {"page", "download", "sort"}  # change nothing in the feed


# --------------------------------------------------------------------------- response


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


# --------------------------------------------------------------------------- selection


def feed_cutoff():
    return timezone.localdate() - timedelta(days=KEEP_ENDED_DAYS)


_ACTIVITY_COLUMNS = (
    "pk",
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


def feed_activities(queryset: QuerySet[ActivityPage]) -> list[ical.ActivityData]:
    """What activities.ical needs for every activity in `queryset`, in four queries.

    Plain values rather than model instances: building ten thousand pages (with their
    modelcluster relations and per-object prefetch querysets) took longer than serialising
    the calendar. Queries do not grow with the number of activities.
    """
    ids = queryset.order_by().values("pk")
    page_url = page_url_builder()
    slots: dict[int, list[ical.SlotData]] = defaultdict(list)
    for activity_id, uid, sequence, *timing in (
        Schedule.objects.filter(activity_id__in=ids)
        .order_by("activity_id", "sort_order", "pk")
        .values_list(*_SLOT_COLUMNS)
    ):
        slots[activity_id].append(ical.SlotData(str(uid), sequence, recurrence.Rule(*timing)))
    cancelled: dict[int, list] = defaultdict(list)
    for activity_id, day in Cancellation.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "date"
    ):
        cancelled[activity_id].append(day)
    topics: dict[int, list[str]] = defaultdict(list)
    links = ActivityPage.categories.through.objects.filter(activitypage_id__in=ids)
    for activity_id, name in links.values_list("activitypage_id", "category__name"):
        topics[activity_id].append(name)
    activities = []
    rows = ActivityPage.objects.filter(pk__in=ids).order_by("pk").values_list(*_ACTIVITY_COLUMNS)
    for row in rows:
        values = dict(zip(_ACTIVITY_COLUMNS, row, strict=True))
        pk = values["pk"]
        activities.append(
            ical.ActivityData(
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
                slots=slots.get(pk, []),
                cancelled=cancelled.get(pk, []),
                categories=topics.get(pk, []),
            )
        )
    return activities


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
    timeout = getattr(settings, "FEED_VALIDATOR_CACHE_SECONDS", 24 * 3600)
    if not timeout:
        return _fingerprint(queryset, key=key)
    version = (FEED_FORMAT, settings.SITE_URL, key, feed_cutoff().isoformat(), _data_version())
    cache_key = "feed-validators:" + hashlib.sha256(repr(version).encode()).hexdigest()
    fingerprint = cache.get(cache_key)
    if fingerprint is None:
        fingerprint = _fingerprint(queryset, key=key)
        cache.set(cache_key, fingerprint, timeout)
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
    ids_sql, params = queryset.order_by().values("pk").query.sql_with_params()
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


# --------------------------------------------------------------------------- urls


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def page_url_builder() -> Callable[[str], str]:
    """A function from a page's url_path to its absolute public URL (no query per page)."""
    roots = sorted(Site.get_site_root_paths(), key=lambda r: -len(r.root_path))
    base = _site_url()

    def page_url(path: str) -> str:
        for root in roots:
            if path.startswith(root.root_path):
                return f"{base}/{path[len(root.root_path) :]}"
        return f"{base}{path}"

    return page_url


def browse_query_token(query: str) -> str:
    """A browse query string packed into one path segment (for Google's subscribe link)."""
    return base64.urlsafe_b64encode(query.encode()).decode().rstrip("=")


def _query_from_token(token: str) -> QueryDict:
    if len(token) > MAX_TOKEN_LENGTH:
        raise Http404("This calendar address is not one we made.")
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Http404("This calendar address is not one we made.") from None
    return QueryDict(text)


# --------------------------------------------------------------------------- serving


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
    events = []
    for activity in feed_activities(queryset):
        events += ical.activity_events(activity)
    response.content = ical.calendar_bytes(info, events)
    return response


def _site_name() -> str:
    return settings.WAGTAIL_SITE_NAME


def feed_description(subject: str) -> str:
    return (
        f"{subject} from {_site_name()}, the Liverpool wellbeing timetable. Changes and "
        "cancellations appear here automatically (Google Calendar can take up to a day): "
        "check the website for last-minute changes."
    )


@require_safe
def activity_feed(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = ActivityPage.objects.live().filter(pk=pk)
    activity = get_object_or_404(queryset.select_related("provider"))
    page_url = page_url_builder()(activity.url_path)
    provider = f" – {activity.provider.title}" if activity.provider else ""
    info = ical.FeedInfo(
        name=f"{activity.title}{provider}",
        description=feed_description(f"Sessions of “{activity.title}”"),
        url=page_url,
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"activity:{pk}",
        filename=f"{activity.slug}.ics",
    )


@require_safe
def provider_feed(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(ProviderPage.objects.live(), pk=pk)
    queryset = activity_list_current(today=feed_cutoff()).filter(provider=provider)
    info = ical.FeedInfo(
        name=f"{provider.title} – timetable",
        description=feed_description(f"Everything {provider.title} runs"),
        url=page_url_builder()(provider.url_path),
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"provider:{pk}",
        filename=f"{provider.slug}.ics",
    )


@require_safe
def venue_feed(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(Venue, pk=pk)
    queryset = activity_list_current(today=feed_cutoff()).filter(venue=venue)
    info = ical.FeedInfo(
        name=f"What's on at {venue.name}",
        description=feed_description(f"Everything on at {venue.name}"),
        url=f"{_site_url()}{venue.get_absolute_url()}",
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"venue:{pk}",
        filename=f"{venue.slug}.ics",
    )


def _browse(request: HttpRequest, params: QueryDict) -> HttpResponse:
    filterset, queryset = filtered_activities(params=params, today=feed_cutoff())
    if not filterset.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in filterset.form.errors.items()
        )
        return HttpResponse(
            f"Could not make this calendar: {problems}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    query = canonical_query(params)
    label = filter_summary(filterset)
    info = ical.FeedInfo(
        name=f"{_site_name()}: {label}",
        description=feed_description(f"Activities matching “{label}”"),
        url=f"{_site_url()}{reverse('browse')}{'?' + query if query else ''}",
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"browse:{query}",
        filename="timetable.ics",
    )


@require_safe
def browse_feed(request: HttpRequest) -> HttpResponse:
    return _browse(request, request.GET)


@require_safe
def browse_feed_by_token(request: HttpRequest, token: str) -> HttpResponse:
    params = _query_from_token(token)
    if request.GET.get("download") == "1":
        params = params.copy()
        params["download"] = "1"
    return _browse(request, params)


def canonical_query(params: QueryDict) -> str:
    """The filter part of a query string, in a fixed order (page, sort, download dropped)."""
    pairs = sorted(
        (name, value)
        for name, values in params.lists()
        if name not in _IGNORED_PARAMS
        for value in values
        if value != ""
    )
    return urlencode(pairs)


def filter_summary(filterset: ActivityFilter) -> str:
    """A short name for a filtered list, e.g. "Tuesday, Free only, near L8 (2 miles)"."""
    data = filterset.form.cleaned_data
    form = filterset.form
    parts: list[str] = []
    if data.get("q"):
        parts.append(f"“{data['q']}”")
    for name in ("day", "time", "kind", "access", "referral"):
        choices = dict(form.fields[name].choices)
        parts += [str(choices[value]) for value in data.get(name) or []]
    for name in ("category", "audience", "provider"):
        parts += [str(item) for item in data.get(name) or []]
    if data.get("online"):
        parts.append("Online" if data["online"] == "yes" else "In person")
    if data.get("free"):
        parts.append("Free only")
    if data.get("postcode") is not None:
        near = f"near {data['postcode'].label}"
        if data.get("radius"):
            near += f" ({dict(RADIUS_CHOICES)[data['radius']]})"
        parts.append(near)
    return ", ".join(parts) if parts else "everything on"
