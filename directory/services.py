"""Writes for providers and their editors. Each provider gets an editors group whose page
permissions cover only that provider's page and what is under it."""

from __future__ import annotations

import secrets

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from venues.accessibility import FEATURES, VENUE_CODES, FeatureStatus
from venues.models import Venue, VenueFeature

from . import wagtail_bulk
from .enums import ProposalStatus
from .models import ProviderIndexPage, ProviderPage, VenueOwner, VenueProposal
from .names import provider_name_key
from .permissions import CITY_ADMINS, forget

# Editors may add, edit and publish under their provider page, and so delete single activities
# (Wagtail lets "change" delete a page with nothing under it). Bulk delete and locking stay with
# city admins, so one slip cannot remove a whole timetable; directory.wagtail_hooks stops an
# editor deleting the provider page itself.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
EDITOR_MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("venues", "add_venue"),
    ("venues", "change_venue"),
)
IMAGE_PERMISSIONS = ("add_image", "choose_image", "change_image")

CITY_ADMIN_PAGE_PERMISSIONS = (
    "add_page",
    "change_page",
    "publish_page",
    "bulk_delete_page",
    "lock_page",
    "unlock_page",
)
CITY_ADMIN_MODELS = (("venues", "venue"), ("activities", "category"), ("activities", "audience"))


def _permission(app_label: str, codename: str, *, apps: Apps = global_apps) -> Permission:
    return apps.get_model("auth", "Permission").objects.get(
        content_type__app_label=app_label, codename=codename
    )


def editors_group_name(provider: ProviderPage) -> str:
    return f"{provider.title} editors"[:150]


@transaction.atomic
def provider_editors_group_ensure(*, provider: ProviderPage) -> Group:
    """Create (or repair) the provider's editors group and its permissions. Idempotent."""
    group = provider.editors_group
    if group is None:
        name = editors_group_name(provider)
        if Group.objects.filter(name=name).exists():
            # Never reuse a group by name: it may belong to another provider with the same
            # title, or one since renamed, and sharing it would open that provider's pages.
            name = f"{provider.title[:120]} editors ({provider.pk})"
        group = Group.objects.create(name=name)
        ProviderPage.objects.filter(pk=provider.pk).update(editors_group=group)
        provider.editors_group = group
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=provider, permission=_permission("wagtailcore", codename)
        )
    group.permissions.add(*(_permission(app, code) for app, code in EDITOR_MODEL_PERMISSIONS))
    collection = provider_collection_ensure(provider=provider)
    for codename in IMAGE_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=_permission("wagtailimages", codename)
        )
    return group


def provider_collection_ensure(*, provider: ProviderPage) -> Collection:
    """The provider's own image collection, found by the id stored on the provider (never by
    name: another provider may hold, or take, the same title). Created if missing."""
    if provider.collection_id is not None:
        existing = Collection.objects.filter(pk=provider.collection_id).first()
        if existing is not None:
            return existing
    root = Collection.get_first_root_node()
    name = provider.title[:255]
    if root.get_children().filter(name=name).exists():
        name = f"{provider.title[:230]} ({provider.pk})"
    collection = root.add_child(name=name)
    ProviderPage.objects.filter(pk=provider.pk).update(collection=collection)
    provider.collection = collection
    return collection


@transaction.atomic
def city_admins_group_ensure(*, apps: Apps = global_apps) -> Group:
    """City admins edit and publish everything in the directory, and the shared snippets.

    Idempotent. `apps` is for the data migration that creates the group on a fresh database:
    it passes its historical models, so this touches only fields and managers (no model
    methods) that exist at that point.
    """
    GroupModel = apps.get_model("auth", "Group")
    GroupPagePermissionModel = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermissionModel = apps.get_model("wagtailcore", "GroupCollectionPermission")

    group, _ = GroupModel.objects.get_or_create(name=CITY_ADMINS)
    index = apps.get_model("directory", "ProviderIndexPage").objects.get()
    for codename in CITY_ADMIN_PAGE_PERMISSIONS:
        GroupPagePermissionModel.objects.get_or_create(
            group=group,
            page_id=index.pk,
            permission=_permission("wagtailcore", codename, apps=apps),
        )
    model_permissions = [_permission("wagtailadmin", "access_admin", apps=apps)]
    for app, model in CITY_ADMIN_MODELS:
        model_permissions += [
            _permission(app, f"{action}_{model}", apps=apps)
            for action in ("add", "change", "delete")
        ]
    group.permissions.add(*model_permissions)
    root_collection = apps.get_model("wagtailcore", "Collection").objects.get(depth=1)
    for codename in IMAGE_PERMISSIONS:
        GroupCollectionPermissionModel.objects.get_or_create(
            group=group,
            collection=root_collection,
            permission=_permission("wagtailimages", codename, apps=apps),
        )
    return group


@transaction.atomic
def provider_create(
    *,
    title: str,
    slug: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    website: str = "",
    about: str = "",
) -> ProviderPage:
    """A live provider page under the organisations index, with its editors group."""
    index = ProviderIndexPage.objects.get()
    provider = ProviderPage(
        title=title,
        slug=slug or slugify(title)[:255],
        contact_email=contact_email,
        contact_phone=contact_phone,
        website=website,
        about=about,
        live=True,
    )
    index.add_child(instance=provider)
    provider_editors_group_ensure(provider=provider)
    return provider


@transaction.atomic
def providers_editors_setup(*, providers: list[ProviderPage]) -> None:
    """What provider_editors_group_ensure does, for many new providers (saved, with no group or
    collection yet) at once, in a number of queries that does not grow with how many: an import
    creating 400 organisations must not cost 400 times the queries of one (nor re-sort the
    image collections 400 times)."""
    if not providers:
        return
    wanted = {provider.pk: editors_group_name(provider) for provider in providers}
    taken = set(Group.objects.filter(name__in=wanted.values()).values_list("name", flat=True))
    groups = []
    for provider in providers:
        name = wanted[provider.pk]
        if name in taken:
            name = f"{provider.title[:120]} editors ({provider.pk})"
        taken.add(name)
        groups.append(Group(name=name))
    Group.objects.bulk_create(groups)
    if any(group.pk is None for group in groups):  # a backend that returns no ids
        by_name = dict(Group.objects.filter(name__in=taken).values_list("name", "pk"))
        for group in groups:
            group.pk = by_name[group.name]
    collections = _provider_collections_add(providers)
    for provider, group, collection in zip(providers, groups, collections, strict=True):
        provider.editors_group, provider.collection = group, collection
    ProviderPage.objects.bulk_update(providers, ["editors_group", "collection"], batch_size=200)
    page_permissions = [_permission("wagtailcore", code) for code in EDITOR_PAGE_PERMISSIONS]
    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=group, page=provider, permission=permission)
        for provider, group in zip(providers, groups, strict=True)
        for permission in page_permissions
    )
    model_permissions = [_permission(app, code) for app, code in EDITOR_MODEL_PERMISSIONS]
    Group.permissions.through.objects.bulk_create(
        Group.permissions.through(group_id=group.pk, permission_id=permission.pk)
        for group in groups
        for permission in model_permissions
    )
    image_permissions = [_permission("wagtailimages", code) for code in IMAGE_PERMISSIONS]
    GroupCollectionPermission.objects.bulk_create(
        GroupCollectionPermission(group=group, collection=collection, permission=permission)
        for group, collection in zip(groups, collections, strict=True)
        for permission in image_permissions
    )


def _provider_collections_add(providers: list[ProviderPage]) -> list[Collection]:
    """One image collection per provider under the root, in one re-numbering of the root's
    children (wagtail_bulk); nested collections fall back to treebeard's own moves."""
    added = wagtail_bulk.root_collections_add(
        names=[(provider.title, provider.pk) for provider in providers]
    )
    if added is None:
        return [provider_collection_ensure(provider=provider) for provider in providers]
    return added


def provider_find(*, name_or_slug: str) -> ProviderPage | None:
    """The one provider with this name (ignoring case and spaces: names are unique, see
    directory.names), else the one with this slug (unique under the organisations index).
    A name always wins over another provider's slug, so a lookup can never match two."""
    text = name_or_slug.strip()
    return (
        ProviderPage.objects.filter(name_key=provider_name_key(text)).first()
        or ProviderPage.objects.filter(slug=text).first()
    )


@transaction.atomic
def provider_editor_add(
    *, provider: ProviderPage, username: str, email: str = "", password: str | None = None
) -> tuple[AbstractBaseUser, bool]:
    """Create the user (or reuse an existing one) and put them in the provider's editors.

    Returns (user, created). Idempotent. An existing user keeps their password and, if they
    have one, their email. A new user needs an email or a password; without a password they
    get a random one nobody knows and set their own through the admin's "Forgotten password?"
    (Django's reset ignores users with an *unusable* password, so that is not an option).

    Raises ValidationError, keyed by field, for an invalid username or email. The password is
    set as given (the demo loader picks its own); a caller taking one from a person checks it
    with Django's password validators first, as add_provider_editor does.
    """
    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": exc.messages}) from exc

    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        if not email and not password:
            raise ValidationError(
                {"email": "A new editor needs an email address to set their own password."}
            )
        user = User(username=username, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_password(secrets.token_urlsafe(32))
        # Django's own field validators: username characters and length, email, uniqueness.
        user.full_clean()
        user.save()
    elif email and not user.email:
        user.email = email
        user.save(update_fields=["email"])
    user.groups.add(provider_editors_group_ensure(provider=provider))
    forget(user)  # what directory.permissions remembered of this user object is out of date
    return user, created


# --- shared venues: owners and proposed changes (README "Shared venues") ---------------------

VENUE_ORDER = list(FEATURES)
# The venue fields a proposal may change (the form's fields), besides the access features.
VENUE_PROPOSAL_FIELDS = (
    "name",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "phone",
    "access_guide_url",
    "access_notes",
)


def venue_owners_add(*, venue: Venue, providers) -> None:
    """Make these providers owners of the venue (idempotent)."""
    VenueOwner.objects.bulk_create(
        [VenueOwner(venue=venue, provider=provider) for provider in providers],
        ignore_conflicts=True,
    )


@transaction.atomic
def venue_owners_set(*, venue: Venue, providers) -> None:
    """The venue's owners become exactly these providers (a city admin's decision)."""
    keep = [provider.pk for provider in providers]
    VenueOwner.objects.filter(venue=venue).exclude(provider_id__in=keep).delete()
    venue_owners_add(venue=venue, providers=providers)


def venue_candidate(*, venue: Venue, values: dict) -> Venue:
    """A copy of `venue` with the proposed field values, checked by the venue's own rules
    (Venue.clean: postcode, coordinates). Raises ValidationError keyed by field."""
    candidate = Venue(
        pk=venue.pk,
        slug=venue.slug,
        **{name: getattr(venue, name) for name in VENUE_PROPOSAL_FIELDS},
    )
    for name in VENUE_PROPOSAL_FIELDS:
        if name in values:
            setattr(candidate, name, values[name])
    candidate.full_clean(validate_unique=False)
    return candidate


@transaction.atomic
def venue_proposal_create(
    *, venue: Venue, user, values: dict, features: dict[str, str], note: str = ""
) -> VenueProposal:
    """Record a proposed change. `features` maps every venue feature code to its proposed
    status ("" for not known); codes outside the vocabulary are refused."""
    unknown = set(features) - VENUE_CODES
    bad = {status for status in features.values() if status and status not in FeatureStatus}
    if unknown or bad:
        raise ValidationError("Those accessibility features or statuses are not ours.")
    venue_candidate(venue=venue, values=values)
    provider = ProviderPage.objects.filter(editors_group__user=user).order_by("pk").first()
    return VenueProposal.objects.create(
        venue=venue,
        provider=provider,
        proposed_by=user,
        values={
            **{k: values[k] for k in VENUE_PROPOSAL_FIELDS if k in values},
            "features": features,
        },
        note=note,
    )


@transaction.atomic
def venue_proposal_decide(*, proposal: VenueProposal, user, approve: bool) -> VenueProposal:
    """Approve (apply the values and features to the venue) or reject a pending proposal,
    recording who and when. A proposal already decided is left as it is (returns it)."""
    proposal = VenueProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        return proposal
    if approve:
        venue = Venue.objects.select_for_update().get(pk=proposal.venue_id)
        candidate = venue_candidate(venue=venue, values=proposal.values)
        for name in VENUE_PROPOSAL_FIELDS:
            setattr(venue, name, getattr(candidate, name))
        venue.save()
        for code, status in proposal.values.get("features", {}).items():
            if code not in VENUE_CODES:
                continue
            if not status:
                VenueFeature.objects.filter(venue=venue, code=code).delete()
            else:
                VenueFeature.objects.update_or_create(
                    venue=venue,
                    code=code,
                    defaults={"status": status},
                    create_defaults={"status": status, "sort_order": VENUE_ORDER.index(code)},
                )
        if proposal.provider_id and not VenueOwner.objects.filter(venue=venue).exists():
            # A venue nobody owned is adopted by the provider whose change was accepted.
            venue_owners_add(venue=venue, providers=[proposal.provider])
    proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal
