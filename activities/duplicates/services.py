"""Writes for duplicate detection: remembering what someone decided about a pair."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from directory.services import CITY_ADMINS

from ..models import ActivityPage, DuplicateDecision
from .scoring import record_fingerprint
from .selectors import activity_records


def sees_all_duplicates(user) -> bool:
    """Superusers, city admins and anyone given "view duplicate decision" (a commissioner)."""
    return bool(
        user.is_active
        and (
            user.is_superuser
            or user.groups.filter(name=CITY_ADMINS).exists()
            or user.has_perm("activities.view_duplicatedecision")
        )
    )


def may_decide(*, user, first: ActivityPage, second: ActivityPage) -> bool:
    """City admins decide any pair; a provider's editors decide pairs with their own activity."""
    if not user.is_active:
        return False
    if user.is_superuser or user.groups.filter(name=CITY_ADMINS).exists():
        return True
    return any(page.permissions_for_user(user).can_edit() for page in (first, second))


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
    if not may_decide(user=user, first=first, second=second):
        raise PermissionDenied
    low, high = sorted((first, second), key=lambda page: page.pk)
    records = {
        r.key: r
        for r in activity_records(activities=ActivityPage.objects.filter(pk__in=[low.pk, high.pk]))
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
