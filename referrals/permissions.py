"""Who may see and act on referrals: the one home of these rules.

- A provider's editors (its editors group) see and act on their own provider's destinations
  only, never the navigators' or another provider's.
- Navigators (the "Navigators" group) work city-wide, over referrals only (no page rights).
- Referrers (the "Referrers" group) see the status of the referrals they made.
- Active superusers see everything. City admins may export or erase a person's details on
  request, but do not read referrals by being city admins.
Inactive users see nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from directory.models import ProviderPage
from directory.permissions import is_city_admin

from .models import Destination, Referral

NAVIGATORS = "Navigators"
REFERRERS = "Referrers"


def _in_group(user, name: str) -> bool:
    return bool(user.is_active and user.groups.filter(name=name).exists())


def is_navigator(user) -> bool:
    return bool(user.is_active and (user.is_superuser or _in_group(user, NAVIGATORS)))


def is_referrer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and _in_group(user, REFERRERS))


def providers_receiving(user) -> QuerySet[ProviderPage]:
    """The organisations whose referrals the user handles: those whose editors group they are
    in (superusers: all)."""
    if not user.is_active:
        return ProviderPage.objects.none()
    if user.is_superuser:
        return ProviderPage.objects.all()
    return ProviderPage.objects.filter(editors_group__user=user)


def works_on_referrals(user) -> bool:
    """Who sees the referrals menu in the admin."""
    return is_navigator(user) or providers_receiving(user).exists()


def destinations_visible(user) -> QuerySet[Destination]:
    """Every destination the user may list, open and act on, in SQL."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Destination.objects.none()
    if user.is_superuser:
        return Destination.objects.all()
    allowed = Q(provider__editors_group__user=user)
    if is_navigator(user):
        allowed = Q()  # city-wide
    return Destination.objects.filter(allowed)


def may_act_on(user, destination: Destination) -> bool:
    return destinations_visible(user).filter(pk=destination.pk).exists()


def referrals_made_by(user) -> QuerySet[Referral]:
    if not is_referrer(user):
        return Referral.objects.none()
    return Referral.objects.filter(referred_by=user)


def may_export_or_erase(user) -> bool:
    """A person's data on request: city admins (and superusers)."""
    return is_city_admin(user)


def may_answer(user, destination: Destination) -> bool:
    """Who may change a destination: its provider's editors (accept, decline, outcome) or, for
    the navigators' destinations, the navigators; superusers either. Seeing is wider (a
    navigator sees every provider's referrals), acting is not."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    if destination.provider_id is None:
        return is_navigator(user)
    return providers_receiving(user).filter(pk=destination.provider_id).exists()
