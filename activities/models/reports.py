"""Reports from the public that a listing is wrong.

Nothing identifying is kept about the reporter unless they choose to leave a contact address so
the provider can reply.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProblemReport(models.Model):
    class Kind(models.TextChoices):
        OUT_OF_DATE = "out_of_date", "The times, dates or details are out of date"
        CLOSED = "closed", "It has closed or no longer runs"
        ACCESS = "access", "The accessibility information is wrong"
        CONTACT = "contact", "The contact details do not work"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    activity = models.ForeignKey(
        "activities.ActivityPage", on_delete=models.CASCADE, related_name="problem_reports"
    )
    kind = models.CharField("What is wrong", max_length=16, choices=Kind.choices)
    details = models.TextField(max_length=2000, blank=True)
    reply_to = models.EmailField(
        "Email for a reply (optional)",
        blank=True,
        help_text="Only if you want the organisation to reply to you.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.activity.title}"
