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

from django.db.models import QuerySet

from directory.models import ProviderPage
from directory.permissions import is_city_admin, provider_ids_of_user, user_group_names

from .models import Destination, Referral

NAVIGATORS = "Navigators"
REFERRERS = "Referrers"


def _in_group(user, name: str) -> bool:
    # One query per request for every group check (directory.permissions.user_group_names).
    return bool(user.is_active and name in user_group_names(user))


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


def provider_ids_receiving(user) -> frozenset[int]:
    """The ids of `providers_receiving(user)` for a user who is not a superuser, read once
    per request (directory.permissions.provider_ids_of_user), so the inbox filters on a list of
    ids its index can seek."""
    if not user.is_active:
        return frozenset()
    return provider_ids_of_user(user)


def works_on_referrals(user) -> bool:
    """Who sees the referrals menu in the admin."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return is_navigator(user) or bool(provider_ids_receiving(user))


def destinations_visible(user) -> QuerySet[Destination]:
    """Every destination the user may list, open and act on, in SQL."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Destination.objects.none()
    if user.is_superuser:
        return Destination.objects.all()
    if is_navigator(user):
        return Destination.objects.all()  # city-wide
    # The provider ids as values, so the inbox seeks its (provider, created_at) index.
    return Destination.objects.filter(provider_id__in=sorted(provider_ids_receiving(user)))


def may_act_on(user, destination: Destination) -> bool:
    return destinations_visible(user).filter(pk=destination.pk).exists()


def referrals_made_by(user) -> QuerySet[Referral]:
    if not is_referrer(user):
        return Referral.objects.none()
    return Referral.objects.filter(referred_by=user)


def city_admin(user) -> bool:
    """`directory.permissions.is_city_admin` (whose group names are read once per request)."""
    return is_city_admin(user)


def may_export_or_erase(user) -> bool:
    """A person's data on request: city admins (and superusers)."""
    return city_admin(user)


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
    return destination.provider_id in provider_ids_receiving(user)
