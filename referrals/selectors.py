"""Reads: the providers' inbox, the navigators' queue, due deadlines, the person's status, counts.

Every list a user sees starts from `permissions.destinations_visible(user)`, so the boundary
between organisations is in the SQL of each page, search and export, never a later check.
List queries select what they show, so their number does not grow with the rows.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .enums import FINISHED, UNANSWERED, State
from .models import Destination, Referral
from .permissions import destinations_visible


def destinations_inbox(
    *, user, state: str = "", open_only: bool = False, reference: str = ""
) -> QuerySet[Destination]:
    """The destinations the user handles, newest first (a provider's own; navigators: theirs
    and everyone's), optionally by state or reference; no personal column is read."""
    queryset = (
        destinations_visible(user)
        .select_related("referral", "provider", "activity")
        .defer("decline_note", "referral__details")
    )
    if state in State.values:
        queryset = queryset.filter(state=state)
    if open_only:
        queryset = queryset.exclude(state__in=FINISHED)
    if reference:
        queryset = queryset.filter(referral__reference=reference.strip().upper())
    return queryset.order_by("-created_at", "-pk")


def destinations_navigators_queue(*, user) -> QuerySet[Destination]:
    """Referrals sent to the navigators, escalated or handed back, still open."""
    return (
        destinations_visible(user)
        .filter(provider__isnull=True)
        .exclude(state__in=FINISHED)
        .select_related("referral")
        .defer("decline_note", "referral__details")
        .order_by("created_at", "pk")
    )


def destination_detail(*, user, pk: int) -> Destination | None:
    return (
        destinations_visible(user)
        .select_related("referral", "provider", "activity", "referral__referred_by")
        .filter(pk=pk)
        .first()
    )


def referral_history(*, referral: Referral) -> list:
    return list(referral.events.select_related("actor", "destination__provider"))


def referral_destinations(*, referral: Referral) -> list[Destination]:
    return list(
        referral.destinations.select_related("provider", "activity")
        .defer("decline_note")
        .order_by("created_at", "pk")
    )


def destinations_due(*, now: dt.datetime | None = None) -> QuerySet[Destination]:
    """Unanswered destinations past their next deadline (reminder, then escalation)."""
    now = now or timezone.now()
    return (
        Destination.objects.filter(state__in=UNANSWERED, due_at__lte=now)
        .defer("decline_note")
        .order_by("due_at", "pk")
    )


def referral_by_reference(*, reference: str) -> Referral | None:
    return Referral.objects.filter(reference=reference).first()


def referral_counts(*, since: dt.datetime | None = None) -> dict:
    """Anonymous counts for the city (they survive erasure): by route and state, how often
    providers accept what they answer, decline reasons (the "unsuitable referral" rate), time
    to first answer, forwarded and re-referred."""
    destinations = Destination.objects.all()
    referrals = Referral.objects.all()
    if since is not None:
        destinations = destinations.filter(created_at__gte=since)
        referrals = referrals.filter(created_at__gte=since)
    answered = destinations.filter(provider__isnull=False, answered_at__isnull=False)
    answered_count = answered.count()
    declined = answered.exclude(decline_reason="").count()
    return {
        "referrals": referrals.count(),
        "by_route": dict(referrals.values_list("route").annotate(n=Count("pk")).order_by()),
        "by_state": dict(destinations.values_list("state").annotate(n=Count("pk")).order_by()),
        "decline_reasons": dict(
            destinations.exclude(decline_reason="")
            .values_list("decline_reason")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        "acceptance_rate": (
            round((answered_count - declined) / answered_count, 3) if answered_count else None
        ),
        "median_hours_to_answer": _median_hours(answered),
        "forwarded": destinations.filter(state=State.FORWARDED).count(),
        "re_referred": referrals.filter(~Q(previous=None)).count(),
    }


def _median_hours(destinations: QuerySet[Destination]) -> float | None:
    waits = sorted(
        (answered - created).total_seconds() / 3600
        for created, answered in destinations.values_list("created_at", "answered_at")
    )
    if not waits:
        return None
    middle = len(waits) // 2
    return round(waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2, 1)
