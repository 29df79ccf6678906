"""Writes for duplicate detection: remembering what someone decided about a pair."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from directory.permissions import may_decide_duplicate

from ..models import ActivityPage, DuplicateDecision
from .fingerprint import record_fingerprint
from .selectors import activity_record_list


@transaction.atomic
def duplicate_decision_record(
    *,
    first: ActivityPage,
    second: ActivityPage,
    status: str,
    note: str = "",
    user: AbstractBaseUser,
) -> DuplicateDecision:
    """Record (or replace) the decision about a pair, with each activity's fingerprint now.

    Raises PermissionDenied if the user may not decide it, ValidationError for a pair that is
    not two different activities or an unknown status.
    """
    if first.pk == second.pk:
        raise ValidationError("A pair needs two different activities.")
    if status not in DuplicateDecision.Status.values:
        raise ValidationError(f"Unknown decision “{status}”.")
    if not may_decide_duplicate(user, first, second):
        raise PermissionDenied
    low, high = sorted((first, second), key=lambda page: page.pk)
    records = {
        r.key: r
        for r in activity_record_list(
            activities=ActivityPage.objects.filter(pk__in=[low.pk, high.pk])
        )
    }
    decision, _ = DuplicateDecision.objects.update_or_create(
        activity_a=low,
        activity_b=high,
        defaults={
            "status": status,
            "note": note.strip(),
            "decided_by": user,
            "decided_at": timezone.now(),
            "fingerprint_a": record_fingerprint(records[low.pk]),
            "fingerprint_b": record_fingerprint(records[high.pk]),
        },
    )
    return decision
