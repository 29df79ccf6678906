"""Choices of the directory app."""

from django.db import models


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved and applied"
    REJECTED = "rejected", "Rejected"
