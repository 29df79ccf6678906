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
