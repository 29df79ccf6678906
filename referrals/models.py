"""Referrals, where each one is sent (destinations) and what happened (events). Thin.

Personal details live only in `Referral.details` and `Destination.decline_note`, both encrypted
(see `referrals.crypto`). Every other column is safe to count, index and keep after erasure:
states, routes, reasons, times and which organisation, never who.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from .crypto import EncryptedJSONField, EncryptedTextField
from .enums import FINISHED, Action, ActorKind, ConsentBy, DeclineReason, Outcome, Route, State

# No 0/O, 1/I/L: a reference is read out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "NWD-R-"


def reference_new() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


class Referral(models.Model):
    reference = models.CharField(max_length=12, unique=True, default=reference_new, editable=False)
    route = models.CharField(max_length=10, choices=Route.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_made",
    )
    created_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    consent_given_by = models.CharField(max_length=10, choices=ConsentBy.choices)
    consent_at = models.DateTimeField()
    privacy_notice_version = models.CharField(max_length=20)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="re_referrals"
    )
    # The person's status link names this number: revoking the link adds one, so every link
    # made before stops working (referrals.links).
    status_link_version = models.PositiveIntegerField(default=0)
    # The person's details (see referrals.forms for the keys); None once erased.
    details = EncryptedJSONField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        # Wagtail's audit log keeps this as the entry's label: the reference, nothing personal.
        return self.reference


class Destination(models.Model):
    """One place a referral was sent: a provider's activity, or the navigators (no provider)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="destinations")
    provider = models.ForeignKey(
        "directory.ProviderPage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_destinations",
    )
    activity = models.ForeignKey(
        "activities.ActivityPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral_destinations",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.NEW)
    decline_reason = models.CharField(max_length=16, choices=DeclineReason.choices, blank=True)
    decline_note = EncryptedTextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    consent_for_provider_at = models.DateTimeField()
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # The next deadline: the reminder's, then (once reminded) the escalation's.
    due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Where a forwarded or handed-on destination went next.
    next = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="came_from"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox pages: newest first, per organisation and city-wide.
            models.Index(fields=["provider", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["state", "due_at"]),
            # The open lists (the inbox's default, the navigators' queue): only open rows, so
            # the first page is read straight off the index however many have finished.
            models.Index(
                fields=["provider", "-created_at", "-id"],
                condition=~Q(state__in=FINISHED),
                name="referrals_open_by_provider",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=~Q(state__in=FINISHED),
                name="referrals_open_city_wide",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=Q(provider__isnull=True) & ~Q(state__in=FINISHED),
                name="referrals_navigators_queue",
            ),
        ]
        constraints = [
            # Declining is never a dead end: a declined destination is stored as Forwarded or
            # With navigators, in the same transaction as the decline.
            models.CheckConstraint(
                condition=~Q(state=State.DECLINED), name="referrals_never_stored_declined"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral.reference} → {self.provider or 'navigators'}"

    @property
    def for_navigators(self) -> bool:
        return self.provider_id is None


class Event(models.Model):
    """The history: who did what, when. `detail` holds codes and ids only, never free text."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    destination = models.ForeignKey(
        Destination, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    action = models.CharField(max_length=24, choices=Action.choices)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"])]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ReferrerProfile(models.Model):
    """A referrer's organisation and role, and who invited them when (issue 11). The person's
    name and email are on the user; joining is setting a password from the invitation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrer_profile"
    )
    organisation = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True)
    invited_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-invited_at"]

    def __str__(self):
        return f"Referrer at {self.organisation}"
