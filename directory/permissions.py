"""Who may do what: the one home of the directory's permission rules.

Providers are pages and their activities are child pages, so "may edit" is Wagtail's page
permission (``GroupPagePermission`` on the provider page, inherited by what is under it),
always asked here, in SQL, never as a loop over pages. City admins are a group with those
rights over the whole directory (see ``directory.services.city_admins_group_ensure``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

from venues.models import Venue

from .models import ProviderPage, VenueOwner, VenueProposal

CITY_ADMINS = "City admins"
# A commissioner (or anyone) given this model permission sees the whole duplicates picture.
VIEW_ALL_DUPLICATES = "activities.view_duplicatedecision"


def _memo(user, key: str, compute):
    """`compute()` once per user object. A request's user is read afresh on each request, so
    this is a cache for the request's lifetime: every menu item, listing button and check on
    one admin page shares the answer (Wagtail caches its own permissions on the user object
    the same way). A user object kept across a change of groups would need ``forget``."""
    memo = user.__dict__.setdefault("_nwd_permissions", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(user) -> None:
    """Drop what ``_memo`` remembered of this user object (after changing its groups)."""
    user.__dict__.pop("_nwd_permissions", None)


def user_group_names(user) -> frozenset[str]:
    """The user's group names, read once per user object (one query per request)."""
    if not getattr(user, "pk", None):
        return frozenset()
    return _memo(user, "groups", lambda: frozenset(user.groups.values_list("name", flat=True)))


def is_city_admin(user) -> bool:
    """Active superusers and active members of the City admins group."""
    return bool(user.is_active and (user.is_superuser or CITY_ADMINS in user_group_names(user)))


def second_factor_required(user) -> bool:
    """Whether this user must pass a second factor (OTP) before using the admin: when
    OTP_REQUIRED is on, active superusers and members of the OTP_REQUIRED_GROUPS (by name,
    e.g. City admins and Navigators). Provider editors are not asked."""
    if not (settings.OTP_REQUIRED and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(user_group_names(user) & set(settings.OTP_REQUIRED_GROUPS))


def city_admin_users() -> QuerySet:
    """Active members of the City admins group (superusers are not emailed as such)."""
    return get_user_model().objects.filter(groups__name=CITY_ADMINS, is_active=True)


def _page_policy():
    return policy_registry.get_by_type(Page)


def pages_editable(
    user, queryset: QuerySet | None = None, *, actions: Iterable[str] = ("change",)
) -> QuerySet:
    """The pages of `queryset` (every page by default) the user holds any of `actions` on.

    The SQL form of ``page.permissions_for_user(user).can_edit()`` for the default action
    (which also counts pages the user added and owns); superusers get everything, inactive
    users nothing.
    """
    queryset = Page.objects.all() if queryset is None else queryset
    if not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    allowed = _page_policy().instances_user_has_any_permission_for(user, set(actions))
    return queryset.filter(pk__in=allowed.values("pk"))


def pages_visible(user, queryset: QuerySet | None = None) -> QuerySet:
    """The pages of `queryset` whose titles the user may see in the admin: their own (any
    they may add to, change or publish) and everyone else's only when live, public (no view
    restriction) and with no unpublished change to the title. Superusers and city admins see
    everything."""
    queryset = Page.objects.all() if queryset is None else queryset
    if not user.is_active:
        return queryset.none()
    if is_city_admin(user):
        return queryset
    own = pages_editable(user, actions=("add", "change", "publish"))
    published = Page.objects.live().public().filter(title=F("draft_title"))
    return queryset.filter(Q(pk__in=own.values("pk")) | Q(pk__in=published.values("pk")))


def providers_editable(user) -> QuerySet[ProviderPage]:
    """Providers whose pages the user may edit (their own organisation, for an editor)."""
    return pages_editable(user, ProviderPage.objects.all())


def providers_importable(user) -> QuerySet[ProviderPage]:
    """Providers whose timetable the user may replace: edit the page and add under it."""
    addable = pages_editable(user, Page.objects.all(), actions=("add",))
    return providers_editable(user).filter(pk__in=addable.values("pk"))


def works_on_listings(user) -> bool:
    """Who sees the provider-work screens (imports, listings to check, problem reports):
    superusers, city admins and the editors of some provider."""
    if not user.is_active:
        return False
    return is_city_admin(user) or bool(provider_ids_of_user(user))


def may_remove_provider(user, provider: Page) -> bool:
    """Only someone who may add a provider may remove one.

    An editor's "change" permission on their provider page would otherwise let Wagtail delete
    it once it has no activities left, taking the organisation off the directory.
    """
    parent_path = provider.path[: -Page.steplen]
    # Asked once per request and parent: the explorer asks it for every organisation it lists.
    return _memo(
        user,
        f"may_add_under:{parent_path}",
        lambda: Page.objects.get(path=parent_path).permissions_for_user(user).can_add_subpage(),
    )


def outside_listing_editable(user) -> bool:
    """A listing read in from an outside source (an Open Referral feed, ``import_oruk``) is
    read-only for its provider's editors: the next read of the feed would overwrite their
    change. City admins may still edit or remove one (a listing the feed got wrong)."""
    return is_city_admin(user)


def sees_all_duplicates(user) -> bool:
    """City admins, and anyone given "view duplicate decision" (a commissioner)."""
    return bool(user.is_active and (is_city_admin(user) or user.has_perm(VIEW_ALL_DUPLICATES)))


def may_decide_duplicate(user, first: Page, second: Page) -> bool:
    """City admins decide any pair; a provider's editors decide pairs with their own activity."""
    if not user.is_active:
        return False
    if is_city_admin(user):
        return True
    pair = Page.objects.filter(pk__in=[first.pk, second.pk])
    # One side is theirs, and the other is one they may see (never another's draft).
    return pages_editable(user, pair).exists() and pages_visible(user, pair).count() == 2


def duplicate_pairs_decidable(user, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these pairs of page ids, the ones the user may decide (``may_decide_duplicate`` for
    every pair at once, in a fixed number of queries). A pair naming a missing page is left out.
    """
    pairs = set(pairs)
    if not pairs or not user.is_active:
        return set()
    pages = Page.objects.filter(pk__in={pk for pair in pairs for pk in pair})
    existing = set(pages.values_list("pk", flat=True))
    pairs = {pair for pair in pairs if set(pair) <= existing}
    if is_city_admin(user):
        return pairs
    editable = set(pages_editable(user, pages).values_list("pk", flat=True))
    return {pair for pair in pairs if editable & set(pair)}


# --- shared venues: owned by providers (README "Shared venues") -------------------------------


def providers_of_user(user) -> QuerySet[ProviderPage]:
    """The organisations whose editors group the user is in."""
    return ProviderPage.objects.filter(editors_group__user=user)


def provider_ids_of_user(user) -> frozenset[int]:
    """The ids of ``providers_of_user``, read once per user object (one query per request for
    the menu items, the referrals inbox and the checks that ask it)."""
    if not getattr(user, "pk", None):
        return frozenset()
    return _memo(
        user, "providers", lambda: frozenset(providers_of_user(user).values_list("pk", flat=True))
    )


def venue_owners(venue: Venue) -> QuerySet[ProviderPage]:
    return ProviderPage.objects.filter(venue_ownerships__venue=venue).order_by("title")


def provider_owns_venue(provider: ProviderPage, venue: Venue) -> bool:
    return VenueOwner.objects.filter(provider=provider, venue=venue).exists()


def venues_owned(provider: ProviderPage, venue_ids) -> set[int]:
    """Of these venue ids, the ones the provider owns (one query)."""
    return set(
        VenueOwner.objects.filter(provider=provider, venue_id__in=venue_ids).values_list(
            "venue_id", flat=True
        )
    )


def venue_owner_names(venue_ids) -> dict[int, list[str]]:
    """The owners' names of each of these venues (one query; a venue without owners is
    missing from the answer)."""
    names: dict[int, list[str]] = {}
    for venue_id, title in (
        VenueOwner.objects.filter(venue_id__in=venue_ids)
        .order_by("provider__title")
        .values_list("venue_id", "provider__title")
    ):
        names.setdefault(venue_id, []).append(title)
    return names


def venues_changeable(user, queryset: QuerySet[Venue] | None = None) -> QuerySet[Venue]:
    """The venues (of `queryset`, every venue by default) the user may change: city admins
    every one, an editor those their organisation owns."""
    queryset = Venue.objects.all() if queryset is None else queryset
    if not user.is_active:
        return queryset.none()
    if is_city_admin(user):
        return queryset
    if not user.has_perm("venues.change_venue"):
        return queryset.none()
    owned = VenueOwner.objects.filter(venue=OuterRef("pk"), provider__editors_group__user=user)
    return queryset.filter(Exists(owned))


def _venue_ids_owned(user) -> frozenset[int]:
    """The venues the user's organisations own, read once per user object (so a venue list
    asks who may change each row without a query per row)."""
    return _memo(
        user,
        "venues_owned",
        lambda: frozenset(
            VenueOwner.objects.filter(provider__editors_group__user=user).values_list(
                "venue_id", flat=True
            )
        ),
    )


def may_change_venue(user, venue: Venue) -> bool:
    """``venues_changeable`` for one venue, without a query once the user's are known."""
    if not user.is_active:
        return False
    if is_city_admin(user):
        return True
    return user.has_perm("venues.change_venue") and venue.pk in _venue_ids_owned(user)


def may_delete_venue(user, venue: Venue) -> bool:
    """City admins only (a venue an activity uses cannot be deleted at all: PROTECT)."""
    return bool(user.is_active and is_city_admin(user) and user.has_perm("venues.delete_venue"))


def may_propose_venue_change(user, venue: Venue) -> bool:
    """Editors who may not change a venue may propose a change to it."""
    return works_on_listings(user) and not may_change_venue(user, venue)


def may_decide_venue_proposal(user, proposal: VenueProposal) -> bool:
    """The venue's owners' editors and city admins."""
    return may_change_venue(user, proposal.venue)


def venue_proposals_decidable(user) -> QuerySet[VenueProposal]:
    return VenueProposal.objects.filter(venue__in=venues_changeable(user).values("pk"))


class VenuePermissionPolicy(ModelPermissionPolicy):
    """Wagtail's model permissions, narrowed per venue: "change" only for its owners' editors
    and city admins, "delete" only for city admins."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change":
            return self.user_has_permission(user, action) and may_change_venue(user, instance)
        if action == "delete":
            return may_delete_venue(user, instance)
        return super().user_has_permission_for_instance(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        actions = set(actions)
        if actions <= {"change", "delete"}:
            if "change" in actions and self.user_has_permission(user, "change"):
                return venues_changeable(user)
            if "delete" in actions and may_delete_venue(user, None):
                return Venue.objects.all()
            return Venue.objects.none()
        return super().instances_user_has_any_permission_for(user, actions)
