"""Writes for providers and their editors. Each provider gets an editors group whose page
permissions cover only that provider's page and what is under it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from .models import ProviderIndexPage, ProviderPage

CITY_ADMINS = "City admins"
# Editors may add, edit and publish under their provider page; deleting and locking stay with
# city admins so one slip cannot remove a whole timetable.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
EDITOR_MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("venues", "add_venue"),
    ("venues", "change_venue"),
)
IMAGE_PERMISSIONS = ("add_image", "choose_image", "change_image")


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def editors_group_name(provider: ProviderPage) -> str:
    return f"{provider.title} editors"[:150]


@transaction.atomic
def provider_editors_group_ensure(*, provider: ProviderPage) -> Group:
    """Create (or repair) the provider's editors group and its permissions. Idempotent."""
    group = provider.editors_group
    if group is None:
        group, _ = Group.objects.get_or_create(name=editors_group_name(provider))
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
    root = Collection.get_first_root_node()
    name = provider.title[:255]
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


@transaction.atomic
def city_admins_group_ensure() -> Group:
    """City admins edit and publish everything in the directory, and the shared snippets."""
    group, _ = Group.objects.get_or_create(name=CITY_ADMINS)
    index = ProviderIndexPage.objects.get()
    for codename in (
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ):
        GroupPagePermission.objects.get_or_create(
            group=group, page=index, permission=_permission("wagtailcore", codename)
        )
    model_permissions = [_permission("wagtailadmin", "access_admin")]
    for app, model in (("venues", "venue"), ("activities", "category"), ("activities", "audience")):
        model_permissions += [
            _permission(app, f"{action}_{model}") for action in ("add", "change", "delete")
        ]
    group.permissions.add(*model_permissions)
    root = Collection.get_first_root_node()
    for codename in IMAGE_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=_permission("wagtailimages", codename)
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


def provider_find(*, name_or_slug: str) -> ProviderPage | None:
    """Match a provider by slug, or by name ignoring case and surrounding spaces."""
    text = name_or_slug.strip()
    return (
        ProviderPage.objects.filter(slug=text).first()
        or ProviderPage.objects.filter(title__iexact=text).first()
    )


@transaction.atomic
def provider_editor_add(
    *, provider: ProviderPage, username: str, email: str = "", password: str | None = None
):
    """Create the user (or reuse an existing one) and put them in the provider's editors.

    Returns (user, created). A new user without a password gets an unusable one: they set it
    through the admin's password reset.
    """
    User = get_user_model()
    group = provider_editors_group_ensure(provider=provider)
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif email and not user.email:
        user.email = email
        user.save(update_fields=["email"])
    user.groups.add(group)
    return user, created
