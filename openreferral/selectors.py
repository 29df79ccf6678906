"""What the ORUK API lists, as querysets, and the lookups from our UUIDs back to our keys."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from activities.filters import ActivityFilter
from activities.models import (
    ActivityFeature,
    ActivityPage,
    Audience,
    Cancellation,
    Category,
    Schedule,
)
from activities.selectors import activity_list_current
from directory.models import ProviderPage
from venues.accessibility import AVAILABLE_STATUSES, FEATURES
from venues.geo import Location
from venues.models import VenueFeature
from venues.selectors import near

from . import ids, lga, vocabulary
from .vocabulary import ACCESSIBILITY, AUDIENCES, CATEGORIES, LGA_SERVICE_TYPES, LISTING

METRES_PER_MILE = 1609.344


def services_all() -> QuerySet[ActivityPage]:
    """Every listing the API publishes: what browse shows (live, not finished), by id."""
    return activity_list_current().order_by("pk")


def services_prefetched(queryset: QuerySet[ActivityPage]) -> QuerySet[ActivityPage]:
    """What a fully nested service shows, in a fixed number of queries per page."""
    return queryset.select_related("provider", "venue").prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.order_by("sort_order", "pk")),
        "cancellations",
        "categories",
        "audiences",
        Prefetch("features", queryset=ActivityFeature.objects.order_by("sort_order", "pk")),
        Prefetch("venue__features", queryset=VenueFeature.objects.order_by("sort_order", "pk")),
        "source_listing",
    )


def service_by_id(service_uuid: str) -> ActivityPage | None:
    """The published activity whose ORUK id this is. UUIDs are derived, not stored: the id
    names a page key, so we look among the keys (one query for the ids, one for the page)."""
    for pk in services_all().values_list("pk", flat=True):
        if ids.service_id(pk) == service_uuid:
            return services_prefetched(ActivityPage.objects.filter(pk=pk)).first()
    return None


def organizations_all() -> QuerySet[ProviderPage]:
    return ProviderPage.objects.live().order_by("pk")


def organization_pk(organization_uuid: str) -> int | None:
    for pk in organizations_all().values_list("pk", flat=True):
        if ids.organization_id(pk) == organization_uuid:
            return pk
    return None


def _term_filter(term_uuid: str) -> Q | None:
    """The condition for services carrying this taxonomy term (None: no such term)."""
    for pk, slug in Category.objects.values_list("pk", "slug"):
        if ids.term_id(CATEGORIES, slug) == term_uuid:
            return Q(categories__pk=pk)
    for pk, slug in Audience.objects.values_list("pk", "slug"):
        if ids.term_id(AUDIENCES, slug) == term_uuid:
            return Q(audiences__pk=pk)
    for code in FEATURES:
        if ids.term_id(ACCESSIBILITY, code) == term_uuid:
            return _has_feature(code)
    for code in vocabulary.LISTING_TERMS:
        if ids.term_id(LISTING, code) == term_uuid:
            return _listing_condition(code)
    for identifier in lga.SERVICE_TYPES:
        if ids.term_id(LGA_SERVICE_TYPES, identifier) == term_uuid:
            return Q(categories__slug__in=lga.topic_slugs_of(identifier))
    return None


def _has_feature(code: str | None) -> Q:
    own = ActivityFeature.objects.filter(activity=OuterRef("pk"), status__in=AVAILABLE_STATUSES)
    venue = VenueFeature.objects.filter(venue=OuterRef("venue"), status__in=AVAILABLE_STATUSES)
    if code is not None:
        own, venue = own.filter(code=code), venue.filter(code=code)
    return Q(Exists(own)) | Q(Exists(venue))


def _listing_condition(code: str) -> Q:
    """Services with an attribute of this listing term (see serializers.service_attributes)."""
    conditions = {
        "online": Q(online=True),
        "cancelled_date": Q(Exists(Cancellation.objects.filter(activity=OuterRef("pk")))),
        "contact_for_times": ~Q(Exists(Schedule.objects.filter(activity=OuterRef("pk")))),
        "who_for": ~Q(who_for=""),
        "not_suitable_for": ~Q(not_suitable_for=""),
        "support_level": ~Q(support_level=""),
        "how_to_join": ~Q(how_to_join=""),
        "referrer_needs": ~Q(referrer_needs=""),
        "time_limit_weeks": Q(engagement_limit_weeks__isnull=False),
    }
    return conditions.get(code, Q())  # kind, routes, booking, places: on every service


def _taxonomy_filter(taxonomy_uuid: str) -> Q | None:
    if taxonomy_uuid == ids.taxonomy_id(CATEGORIES):
        return Q(Exists(Category.objects.filter(activities=OuterRef("pk"))))
    if taxonomy_uuid == ids.taxonomy_id(AUDIENCES):
        return Q(Exists(Audience.objects.filter(activities=OuterRef("pk"))))
    if taxonomy_uuid == ids.taxonomy_id(ACCESSIBILITY):
        return _has_feature(None)
    if taxonomy_uuid == ids.taxonomy_id(LISTING):
        return Q()
    if taxonomy_uuid == ids.taxonomy_id(LGA_SERVICE_TYPES):
        mapped = Category.objects.filter(activities=OuterRef("pk"), slug__in=lga.mapped_slugs())
        return Q(Exists(mapped))
    return None


def services_filtered(
    *,
    search: str = "",
    taxonomy_term_id: str = "",
    taxonomy_id: str = "",
    organization_id: str = "",
    modified_after: datetime | None = None,
    centre: Location | None = None,
    proximity_metres: float | None = None,
) -> QuerySet[ActivityPage]:
    """The published services matching every given filter, by id (by distance with a
    postcode). An unknown term, taxonomy or organisation matches nothing."""
    queryset = services_all()
    if search:
        queryset = ActivityFilter(data={"q": search[:200]}, queryset=queryset).qs.order_by("pk")
    for value, lookup in ((taxonomy_term_id, _term_filter), (taxonomy_id, _taxonomy_filter)):
        if value:
            condition = lookup(value)
            if condition is None:
                return queryset.none()
            queryset = queryset.filter(condition).distinct()
    if organization_id:
        pk = organization_pk(organization_id)
        queryset = queryset.filter(provider_id=pk) if pk else queryset.none()
    if modified_after is not None:
        queryset = queryset.filter(last_published_at__gte=modified_after)
    if centre is not None:
        miles = None if proximity_metres is None else proximity_metres / METRES_PER_MILE
        queryset = near(queryset, (centre.latitude, centre.longitude), miles).order_by(
            "distance_sq", "pk"
        )
    return queryset


def categories_all() -> list[tuple[str, str, str]]:
    return list(Category.objects.order_by("name").values_list("slug", "name", "description"))


def audiences_all() -> list[tuple[str, str]]:
    return list(Audience.objects.order_by("name").values_list("slug", "name"))
