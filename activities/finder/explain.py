"""One activity explained in full: its facts from a loaded page, judged by the same rules
(`rules.judge`), then what to check before referring, which only the full listing has."""

from __future__ import annotations

from datetime import date

from ..enums import CapacityStatus
from ..models import ActivityPage
from ..selectors import activity_row
from ..time_limits import summary as time_limit_summary
from ..wording import how_to_join, long_date
from .rules import (
    CHECK_ORDER,
    OUTDOOR_ROUTE,
    Assessment,
    Check,
    Facts,
    RecordedFeature,
    Situation,
    judge,
)


def _recorded(features) -> dict[str, RecordedFeature]:
    return {f.code: RecordedFeature(f.code, f.status, f.details) for f in features}


def facts_of(activity: ActivityPage, *, distance: float | None) -> Facts:
    """The facts of a page loaded with `with_display_data` (no further queries)."""
    venue = activity.venue
    activity_features = _recorded(activity.features.all())
    return Facts(
        pk=activity.pk,
        title=activity.title,
        online=activity.online,
        has_venue=venue is not None,
        distance=distance,
        slots=tuple(activity.schedules.all()),
        categories=tuple((c.slug, c.name) for c in activity.categories.all()),
        audiences=tuple((x.name, x.restriction) for x in activity.audiences.all()),
        age_min=activity.age_min,
        age_max=activity.age_max,
        languages=tuple(activity.language_list),
        support_level=activity.support_level,
        cost=activity.cost,
        is_free=activity.is_free,
        referral_routes=tuple(activity.referral_routes),
        capacity_status=activity.capacity_status,
        activity_features=activity_features,
        venue_features=_recorded(venue.features.all()) if venue else {},
        venue_address=venue.full_address if venue else "",
        point=venue.coordinates if venue else None,
        outdoors=OUTDOOR_ROUTE in activity_features,
    )


def assess(activity: ActivityPage, *, situation: Situation, today: date) -> Assessment:
    """How `activity` fits `situation`, with what to check. Reads only prefetched data.

    The activity must be loaded with `with_display_data`.
    """
    row = activity_row(activity, today=today, origin=situation.location)
    assessment = judge(facts_of(activity, distance=row.distance), situation=situation, today=today)
    assessment.row = row
    _add_checks(assessment, activity, today)
    return assessment


def _add_checks(a: Assessment, activity: ActivityPage, today: date) -> None:
    """What to check before referring: eligibility, length, places, how to join, contact."""
    if activity.who_for:
        a.checks.append(Check("Who it suits", activity.who_for))
    if activity.not_suitable_for:
        a.checks.append(Check("Who it may not suit", activity.not_suitable_for))
    if length := time_limit_summary(activity, today=today):
        a.checks.append(Check("Length", length))
    if activity.capacity_status != CapacityStatus.PLACES:
        places = activity.get_capacity_status_display()
        if activity.capacity_updated:
            places += f" (updated {long_date(activity.capacity_updated)})"
        a.checks.append(Check("Places", places))
    a.checks.append(Check("How to join", how_to_join_text(activity)))
    if activity.referrer_needs:
        a.checks.append(Check("What they need to know", activity.referrer_needs))
    if phone := activity.display_phone:
        a.checks.append(Check("Phone", phone))
    elif activity.contact_email:
        a.checks.append(Check("Email", activity.contact_email))
    a.checks.sort(key=lambda check: CHECK_ORDER.index(check.label))


def how_to_join_text(activity: ActivityPage) -> str:
    """Who can refer (the shortlist's wording), then booking and the provider's own words."""
    parts = [how_to_join(activity) + "."]
    if activity.booking_required:
        parts.append("Booking needed.")
    if activity.how_to_join:
        parts.append(activity.how_to_join)
    return " ".join(parts)
