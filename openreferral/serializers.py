"""Our directory as ORUK 3.0 objects (Django REST framework serializers).

provider -> organization; activity -> service; venue (or "online") -> location, through one
service_at_location per activity; each time slot -> a schedule (openreferral.schedules);
categories, audiences, accessibility and what ORUK has no field for -> attributes on our own
taxonomies (openreferral.vocabulary), each topic's LGA service type (openreferral.lga) beside
it. README "Open Referral UK API" documents the mapping.
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from django.conf import settings
from django.utils.html import strip_tags
from rest_framework import serializers

from activities import recurrence
from activities.enums import CapacityStatus
from activities.feeds.selectors import page_url_builder
from venues.accessibility import FEATURES

from . import ids, lga, schedules, vocabulary
from .vocabulary import AUDIENCES, CATEGORIES, attribute_json, listing_term

_PRICE = re.compile(r"£\s*(\d+(?:\.\d{1,2})?)")
_ALERTS = {
    CapacityStatus.FULL: "Full at the moment.",
    CapacityStatus.WAITING_LIST: "There is a waiting list.",
    CapacityStatus.FEW_PLACES: "A few places left.",
}


def _stamp(page) -> str | None:
    moment = page.last_published_at or page.latest_revision_created_at or page.first_published_at
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def organization_json(provider, page_url=None) -> dict:
    if provider is None:
        return {}
    data = {
        "id": ids.organization_id(provider.pk),
        "name": provider.title,
        "description": strip_tags(provider.about or "").strip() or provider.title,
    }
    if provider.contact_email:
        data["email"] = provider.contact_email
    if provider.website:
        data["website"] = provider.website
    data["uri"] = (page_url or page_url_builder())(provider.url_path)
    return data


def _location_json(activity) -> dict:
    venue = activity.venue
    if venue is None:
        data = {
            "id": ids.virtual_location_id(activity.pk),
            "location_type": "virtual",
            "name": "Online" if activity.online else "No fixed place",
            "description": "Sessions are online."
            if activity.online
            else "A service with no meeting place (for example by phone or text).",
        }
        if activity.meeting_link:
            data["url"] = activity.meeting_link  # HSDS's location url; public on our page too
        return data
    location_id = ids.location_id(venue.pk)
    data = {
        "id": location_id,
        "location_type": "physical",
        "name": venue.name,
        "description": venue.access_notes or venue.name,
        "external_identifier": venue.slug,
        "external_identifier_type": "nwd-venue-slug",
    }
    if venue.latitude is not None:
        data.update(latitude=venue.latitude, longitude=venue.longitude)
    data["addresses"] = [
        {
            "id": ids.oruk_id("address", venue.pk),
            "location_id": location_id,
            "address_1": venue.address or venue.name,
            "city": "Liverpool",
            "state_province": "Merseyside",
            "postal_code": venue.postcode or "",
            "country": "GB",
            "address_type": "physical",
        }
    ]
    data["accessibility"] = [
        _accessibility_json(feature, location_id=location_id, url=venue.access_guide_url)
        for feature in venue.features.all()
    ]
    return data


def _accessibility_json(feature, *, location_id: str, url: str) -> dict:
    info = FEATURES[feature.code]
    status = feature.get_status_display()
    data = {
        "id": ids.oruk_id("accessibility", location_id, feature.code),
        "location_id": location_id,
        "accessibility": info.label,
        "description": f"{info.label}: {status}",
        "details": feature.details or "",
        "attributes": [
            attribute_json(
                vocabulary.accessibility_term(feature.code),
                link_id=location_id,
                link_type="accessibility",
                value=feature.status,
            )
        ],
    }
    if url:
        data["url"] = url
    return data


def service_at_location_json(activity, *, with_service: bool = False) -> dict:
    location = _location_json(activity)
    data = {
        "id": ids.service_at_location_id(activity.pk),
        "service_id": ids.service_id(activity.pk),
        "location_id": location["id"],
        "location": location,
    }
    if with_service:
        data["service"] = ServiceSerializer(activity, context={"full": False}).data
    return data


def _cancellations(activity) -> dict[date, str]:
    return {c.date: c.reason for c in activity.cancellations.all()}


def service_schedules(activity) -> list[dict]:
    service_id = ids.service_id(activity.pk)
    cancelled = _cancellations(activity)
    return [
        schedules.schedule_json(
            slot.rule,
            schedule_id=str(slot.uid),
            service_id=service_id,
            cancellations=cancelled,
            online=activity.online,
        )
        for slot in activity.schedules.all()
    ]


def lga_service_types(categories) -> list[lga.ServiceType]:
    """The LGA service types our topics map to, each once, in the topics' order."""
    found: dict[str, lga.ServiceType] = {}
    for category in categories:
        if (service_type := lga.service_type_of(category.slug)) is not None:
            found.setdefault(service_type.identifier, service_type)
    return list(found.values())


def service_attributes(activity) -> list[dict]:
    """Topics, audiences, how sessions are run, and each listing detail, as attributes."""
    link = ids.service_id(activity.pk)
    result = [
        attribute_json(
            vocabulary.term(CATEGORIES, c.slug, c.name, c.description or c.name),
            link_id=link,
            link_type="category",
        )
        for c in activity.categories.all()
    ]
    result += [
        attribute_json(vocabulary.lga_term(s), link_id=link, link_type="category")
        for s in lga_service_types(activity.categories.all())
    ]
    result += [
        attribute_json(
            vocabulary.term(AUDIENCES, a.slug, a.name), link_id=link, link_type="audience"
        )
        for a in activity.audiences.all()
    ]
    result += [
        attribute_json(
            vocabulary.accessibility_term(f.code),
            link_id=link,
            link_type="accessibility",
            value=f.status,
        )
        for f in activity.features.all()
    ]

    def detail(code: str, value: object) -> None:
        if value not in (None, ""):
            result.append(
                attribute_json(
                    listing_term(code), link_id=link, link_type="listing", value=str(value)
                )
            )

    detail("kind", activity.kind)
    for field in ("who_for", "not_suitable_for", "support_level", "how_to_join", "referrer_needs"):
        detail(field, getattr(activity, field))
    for route in activity.referral_routes:
        detail("referral_route", route)
    detail("booking_required", "true" if activity.booking_required else "false")
    detail("capacity_status", activity.capacity_status)
    detail("time_limit_weeks", activity.engagement_limit_weeks)
    if activity.online:
        detail("online", "true")
    for day, reason in sorted(_cancellations(activity).items()):
        detail("cancelled_date", f"{day.isoformat()} {reason}".strip())
    if not activity.schedules.all():
        detail("contact_for_times", "true")
    return result


# What a one-to-one service (the list's default) reads: plain values, not pages.
SUMMARY_COLUMNS = (
    "pk",
    "provider_id",
    "title",
    "description",
    "url_path",
    "contact_email",
    "cost",
    "age_min",
    "age_max",
    "last_checked",
    "capacity_status",
    "last_published_at",
    "latest_revision_created_at",
    "first_published_at",
)
PROVIDER_COLUMNS = ("pk", "title", "about", "contact_email", "website", "url_path")


class _Row(SimpleNamespace):
    pass


def summary_rows(queryset) -> list[_Row]:
    """The activities of ``queryset`` as light rows for ServiceSerializer without ``full``:
    two queries, no page instances (building 50 Wagtail pages cost more than the SQL)."""
    rows = [
        _Row(**dict(zip(SUMMARY_COLUMNS, values, strict=True)))
        for values in queryset.values_list(*SUMMARY_COLUMNS)
    ]
    provider_model = queryset.model._meta.get_field("provider").related_model
    providers = {
        values[0]: _Row(**dict(zip(PROVIDER_COLUMNS, values, strict=True)))
        for values in provider_model.objects.filter(
            pk__in={row.provider_id for row in rows}
        ).values_list(*PROVIDER_COLUMNS)
    }
    for row in rows:
        row.provider = providers.get(row.provider_id)
    return rows


class ServiceSerializer(serializers.Serializer):
    """An activity as an ORUK service: one-to-one fields, or fully nested (``full``)."""

    def to_representation(self, activity) -> dict:
        service_id = ids.service_id(activity.pk)
        page_url = self.context.get("page_url") or page_url_builder()
        if self.context.get("minimal"):
            return {
                "id": service_id,
                "name": activity.title,
                "status": "active",
                "last_modified": _stamp(activity),
            }
        data = {
            "id": service_id,
            "organization_id": ids.organization_id(activity.provider_id),
            "name": activity.title,
            "description": activity.description,
            "url": page_url(activity.url_path),
            "status": "active",
        }
        email = activity.contact_email or (
            activity.provider.contact_email if activity.provider else ""
        )
        if email:
            data["email"] = email
        if activity.cost:
            data["fees"] = activity.cost
        if activity.age_min is not None:
            data["minimum_age"] = activity.age_min
        if activity.age_max is not None:
            data["maximum_age"] = activity.age_max
        if activity.last_checked:
            data["assured_date"] = activity.last_checked.isoformat()
        if alert := _ALERTS.get(activity.capacity_status):
            data["alert"] = alert
        data["last_modified"] = _stamp(activity)
        data["organization"] = organization_json(activity.provider, page_url)
        if not self.context.get("full"):
            return data
        data["schedules"] = service_schedules(activity)
        data["service_at_locations"] = [service_at_location_json(activity)]
        data["languages"] = [
            {
                "id": ids.oruk_id("language", activity.pk, name),
                "service_id": service_id,
                "name": name,
            }
            for name in ["English", *activity.language_list]
        ]
        data["cost_options"] = _cost_options(activity, service_id)
        data["contacts"] = _contacts(activity, service_id)
        data["attributes"] = service_attributes(activity)
        if activity.booking_url:
            data["booking_url"] = activity.booking_url
        return data


def _cost_options(activity, service_id: str) -> list[dict]:
    if not activity.cost:
        return []
    option = {
        "id": ids.oruk_id("cost_option", activity.pk),
        "service_id": service_id,
        "option": activity.cost,
        "amount_description": activity.cost,
    }
    if activity.is_free:
        option["amount"] = 0
    elif match := _PRICE.search(activity.cost):
        option["amount"] = float(match.group(1))
    return [option]


def _contacts(activity, service_id: str) -> list[dict]:
    phone = activity.display_phone
    email = activity.contact_email
    if not (phone or email):
        return []
    contact_id = ids.oruk_id("contact", activity.pk)
    contact = {
        "id": contact_id,
        "service_id": service_id,
        "name": activity.provider.title if activity.provider else activity.title,
    }
    if email:
        contact["email"] = email
    if phone:
        contact["phones"] = [
            {"id": ids.oruk_id("phone", activity.pk), "contact_id": contact_id, "number": phone}
        ]
    return [contact]


def api_details_json() -> dict:
    base = f"{settings.SITE_URL}/api/oruk"
    return {
        "version": "3.0",
        "profile": "https://openreferraluk.org/specifications/3.0",
        "openapi_url": f"{base}/openapi.json",
        "title": f"{settings.WAGTAIL_SITE_NAME}: Open Referral UK 3.0",
    }


def session_dates(activity, *, start: date, end: date) -> list[date]:
    """Every session date of an activity in a window (tests and the round trip use it)."""
    cancelled = _cancellations(activity)
    return sorted(
        occurrence.date
        for slot in activity.schedules.all()
        for occurrence in recurrence.occurrences(
            slot.rule, start=start, end=end, cancellations=cancelled
        )
    )
