"""Remembered decisions about possible duplicates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DuplicateDecision(models.Model):
    """Someone looked at a pair the scorer raised and decided what it is.

    The pair is stored once, lower page id first. The fingerprints are
    ``activities.duplicates.record_fingerprint`` of each side when the decision was made: while
    both still match, a "not a duplicate" decision keeps the pair out of warnings and reports;
    once either side changes materially (title, format, categories, audience, place, day or
    time) the pair is raised again, with the old decision shown beside it.
    """

    class Status(models.TextChoices):
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"
        CONFIRMED = "confirmed", "Confirmed duplicate"

    activity_a = models.ForeignKey(
        "activities.ActivityPage", on_delete=models.CASCADE, related_name="+"
    )
    activity_b = models.ForeignKey(
        "activities.ActivityPage", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    note = models.TextField(
        blank=True, help_text="Why: e.g. “ours is for people waiting for therapy”."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    fingerprint_a = models.CharField(max_length=64)
    fingerprint_b = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity_a", "activity_b"], name="duplicate_decision_once_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(activity_a__lt=models.F("activity_b")),
                name="duplicate_decision_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_a_id} / {self.activity_b_id}: {self.get_status_display()}"


class StoredDuplicatePair(models.Model):
    """One pair the duplicate scan found, kept so the city report reads it instead of scanning.

    Written by ``activities.duplicates.store`` (the whole city nightly, one activity whenever
    it is published, unpublished, deleted or imported). The pair is stored once, lower page id
    as ``activity_a``; what the report shows of each side (title, organisation, place, area,
    times) is kept as it was when scanned, with the side's fingerprint, so a "not a duplicate"
    decision hides the pair in SQL while neither side has changed.
    """

    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", "Duplicate"
        CLASH = "clash", "Clash"

    activity_a = models.ForeignKey(
        "activities.ActivityPage", on_delete=models.CASCADE, related_name="+"
    )
    activity_b = models.ForeignKey(
        "activities.ActivityPage", on_delete=models.CASCADE, related_name="+"
    )
    provider_a = models.ForeignKey(
        "directory.ProviderPage", null=True, on_delete=models.CASCADE, related_name="+"
    )
    provider_b = models.ForeignKey(
        "directory.ProviderPage", null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    score = models.FloatField()
    # Groups of linked activities: pairs sharing an activity share a cluster number.
    cluster = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list)
    differences = models.JSONField(default=list)
    distance_km = models.FloatField(null=True, blank=True)
    ref_a = models.CharField(max_length=64, blank=True)
    ref_b = models.CharField(max_length=64, blank=True)
    title_a = models.CharField(max_length=255, blank=True)
    title_b = models.CharField(max_length=255, blank=True)
    provider_title_a = models.CharField(max_length=255, blank=True)
    provider_title_b = models.CharField(max_length=255, blank=True)
    place_a = models.TextField(blank=True)
    place_b = models.TextField(blank=True)
    area_a = models.CharField(max_length=255, blank=True)
    area_b = models.CharField(max_length=255, blank=True)
    times_a = models.JSONField(default=list)
    times_b = models.JSONField(default=list)
    fingerprint_a = models.CharField(max_length=64)
    fingerprint_b = models.CharField(max_length=64)
    scanned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity_a", "activity_b"], name="stored_duplicate_once_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(activity_a__lt=models.F("activity_b")),
                name="stored_duplicate_pair_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["cluster", "-score"], name="stored_duplicate_order"),
            models.Index(fields=["activity_b"], name="stored_duplicate_b"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.ref_a} / {self.ref_b}"
