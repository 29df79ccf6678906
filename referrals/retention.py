"""The personal data's life: erasure after REFERRAL_RETENTION_DAYS, on request, export, and
re-encryption under a new key.

Erasing empties the encrypted columns (the person's details and decline notes) and keeps every
other column, the history and the audit log, which hold no personal data: the city's counts
(by provider, route, state, reason, outcome, time to answer) survive erasure.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .enums import Action, ActorKind
from .models import Destination, Event, Referral
from .services import Actor, audit_log


@transaction.atomic
def referral_erase(*, referral: Referral, actor: Actor, now: dt.datetime | None = None) -> bool:
    """Erase one referral's personal details; False if they already were."""
    now = now or timezone.now()
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.erased_at is not None:
        return False
    referral.details = None
    referral.erased_at = now
    referral.save(update_fields=["details", "erased_at"])
    Destination.objects.filter(referral=referral).update(decline_note="")
    Event.objects.create(
        referral=referral, actor=actor.user, actor_kind=actor.kind, action=Action.ERASED, at=now
    )
    audit_log(referral=referral, action=Action.ERASED, user=actor.user)
    return True


def referrals_erase_due(*, now: dt.datetime | None = None) -> int:
    """Erase every referral closed more than REFERRAL_RETENTION_DAYS ago (idempotent)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.REFERRAL_RETENTION_DAYS)
    due = Referral.objects.filter(closed_at__lte=cutoff, erased_at__isnull=True)
    return sum(
        referral_erase(referral=referral, actor=Actor.system(), now=now)
        for referral in due.only("pk").iterator()
    )


def referral_export(*, referral: Referral, user) -> dict:
    """Everything held about the person, for a subject access request (audited)."""
    referral = Referral.objects.get(pk=referral.pk)
    destinations = referral.destinations.select_related("provider", "activity").order_by("pk")
    with transaction.atomic():
        Event.objects.create(
            referral=referral,
            actor=user,
            actor_kind=ActorKind.ADMIN,
            action=Action.EXPORTED,
            at=timezone.now(),
        )
        audit_log(referral=referral, action=Action.EXPORTED, user=user)
    return {
        "reference": referral.reference,
        "route": referral.route,
        "created_at": referral.created_at.isoformat(),
        "consent_given_by": referral.consent_given_by,
        "consent_at": referral.consent_at.isoformat(),
        "privacy_notice_version": referral.privacy_notice_version,
        "erased_at": referral.erased_at.isoformat() if referral.erased_at else None,
        "details": referral.details,
        "destinations": [
            {
                "organisation": d.provider.title if d.provider else "Navigators",
                "activity": d.activity.title if d.activity else None,
                "state": d.state,
                "decline_reason": d.decline_reason,
                "decline_note": d.decline_note,
                "outcome": d.outcome,
            }
            for d in destinations
        ],
        "history": [
            {"at": e.at.isoformat(), "action": e.action, "by": e.actor_kind}
            for e in referral.events.order_by("at", "pk")
        ],
    }


def keys_rotate(*, batch: int = 500) -> int:
    """Re-encrypt every encrypted column under the first key in REFERRAL_ENCRYPTION_KEYS.

    Loading decrypts with any configured key and saving encrypts with the first; rows are
    re-saved one by one inside short transactions so a long run never holds many locks.
    """
    rotated = 0
    for referral in Referral.objects.exclude(details=None).only("pk", "details").iterator(batch):
        with transaction.atomic():
            referral.save(update_fields=["details"])
        rotated += 1
    notes = Destination.objects.exclude(decline_note="").only("pk", "decline_note")
    for destination in notes.iterator(batch):
        with transaction.atomic():
            destination.save(update_fields=["decline_note"])
        rotated += 1
    return rotated
