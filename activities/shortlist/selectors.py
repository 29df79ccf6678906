"""Reads for the shortlist: its entries, and the "your first visit" notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from venues.accessibility import AVAILABLE_STATUSES, FEATURES, FeatureStatus

from .. import time_limits
from ..enums import CapacityStatus
from ..models import ActivityPage
from ..selectors import ActivityRow, activity_row, with_display_data
from ..wording import how_to_join

# "Your first visit" mentions these session features when the provider records them.
_FIRST_VISIT_FEATURES = ("meet_at_door", "bring_companion")


@dataclass
class ShortlistEntry:
    row: ActivityRow  # the activity, its slots in words and its next session
    time_limit: str
    has_ended: bool
    how_to_join: str
    phone: str
    email: str
    notes: list[str]  # "your first visit"


@dataclass
class ShortlistResult:
    entries: list[ShortlistEntry]
    missing: list[int]  # ids asked for that are not (or no longer) published

    @property
    def ids(self) -> list[int]:
        return [entry.row.activity.pk for entry in self.entries]


def shortlist_entries(*, ids: list[int], today: date) -> ShortlistResult:
    """The published activities among `ids`, in the order given, with what the list shows.

    A fixed number of queries however long the list is (everything is prefetched).
    """
    if not ids:
        return ShortlistResult(entries=[], missing=[])
    queryset = with_display_data(
        ActivityPage.objects.live().public().filter(pk__in=ids).select_related("provider", "venue")
    )
    found = {activity.pk: activity for activity in queryset}
    entries = []
    for pk in ids:
        activity = found.get(pk)
        if activity is None:
            continue
        provider = activity.provider
        entries.append(
            ShortlistEntry(
                row=activity_row(activity, today=today),
                time_limit=time_limits.summary(activity, today=today),
                has_ended=time_limits.has_ended(activity, today=today),
                how_to_join=how_to_join(activity),
                phone=activity.display_phone,
                email=activity.contact_email or (provider.contact_email if provider else ""),
                notes=first_visit_notes(activity),
            )
        )
    return ShortlistResult(entries=entries, missing=[pk for pk in ids if pk not in found])


def _available(features) -> list:
    return [f for f in features if f.status in AVAILABLE_STATUSES]


def _feature_text(feature) -> str:
    text = FEATURES[feature.code].label
    if feature.status != FeatureStatus.YES:
        text += f" ({feature.get_status_display().lower()})"
    if feature.details:
        text += f": {feature.details}"
    return text


def first_visit_notes(activity) -> list[str]:
    """Plain-English things to know before going for the first time.

    Built only from what the listing records: booking, places, the provider's
    own "how to join" words, being met at the door or bringing someone, the venue's access
    notes and available features, and how online sessions are joined. Reads
    ``activity.features`` and ``activity.venue.features`` through ``.all()``, so prefetch them.
    """
    notes: list[str] = []
    if activity.booking_required:
        notes.append("Book a place before you go.")
    elif activity.self_referral:
        notes.append("You can just turn up: there is no need to book.")
    if activity.capacity_status == CapacityStatus.WAITING_LIST:
        notes.append("There is a waiting list: call before you go.")
    elif activity.capacity_status == CapacityStatus.FULL:
        notes.append("It is full at the moment: call to ask when places come up.")
    elif activity.capacity_status == CapacityStatus.FEW_PLACES:
        notes.append("Only a few places are left: call ahead.")
    if activity.how_to_join.strip():
        notes.append(activity.how_to_join.strip())
    session_features = {f.code: f for f in _available(activity.features.all())}
    for code in _FIRST_VISIT_FEATURES:
        if code in session_features:
            notes.append(_feature_text(session_features[code]) + ".")
    venue = activity.venue
    if venue is not None:
        if venue.access_notes.strip():
            notes.append(venue.access_notes.strip())
        labels = [_feature_text(f) for f in _available(venue.features.all())]
        if labels:
            notes.append(f"At {venue.name}: {'; '.join(labels)}.")
    if activity.online:
        if activity.meeting_link:
            notes.append("Online: the joining link is on the activity's page.")
        else:
            notes.append("Online: you get the joining link when you book.")
    return notes
