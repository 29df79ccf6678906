"""Load (and remove) the Liverpool demo: providers, their timetable, and demo-only logins.

The data lives beside this module: providers.json and liverpool-timetable.csv (the public
spreadsheet layout, dated as if today were dates.REFERENCE_DATE). Loading is all or nothing
and refuses to run over an existing demo unless asked to reset it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import Collection

from activities.imports.services import timetable_import, timetable_read
from activities.models import ActivityPage
from directory.models import ProviderPage
from directory.services import (
    city_admins_group_ensure,
    provider_create,
    provider_editor_add,
    provider_find,
)
from venues.geo import PostcodeError, normalise_postcode
from venues.models import Venue

from .dates import shift_rows, week_shift

DATA_DIR = Path(__file__).resolve().parent
PROVIDERS_FILE = DATA_DIR / "providers.json"
TIMETABLE_FILE = DATA_DIR / "liverpool-timetable.csv"
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@example.org"


class DemoAlreadyLoaded(Exception):
    """The demo providers are already in the database (load with reset=True to replace them)."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    can_edit: str
    existed: bool  # True when the user was already there and only their password was set


@dataclass(frozen=True)
class DemoResult:
    providers: list[ProviderPage]
    logins: list[DemoLogin]
    activity_count: int
    venue_count: int
    weeks_shifted: int


def demo_providers_spec() -> list[dict[str, Any]]:
    """providers.json's entries: title, slug, about, contact details and the editor's login."""
    return json.loads(PROVIDERS_FILE.read_text(encoding="utf-8"))["providers"]


def demo_rows(*, today: date) -> list[dict[str, str]]:
    """The demo timetable rows, with every date moved so the timetable is current on `today`."""
    with TIMETABLE_FILE.open("rb") as file:
        rows = timetable_read(file=file, filename=TIMETABLE_FILE.name)
    return shift_rows(rows, today=today)


def _existing_providers(spec: list[dict[str, Any]]) -> list[ProviderPage]:
    found: dict[int, ProviderPage] = {}
    for entry in spec:
        for key in (entry["slug"], entry["title"]):
            provider = provider_find(name_or_slug=key)
            if provider is not None:
                found[provider.pk] = provider
    return list(found.values())


def _demo_venue_keys() -> set[tuple[str, str]]:
    """(name, postcode) of every venue the demo timetable names, as the import stores them."""
    with TIMETABLE_FILE.open("rb") as file:
        rows = timetable_read(file=file, filename=TIMETABLE_FILE.name)
    keys = set()
    for row in rows:
        name, postcode = row.get("venue_name", "").strip(), row.get("postcode", "").strip()
        if name and postcode:
            try:
                keys.add((name.casefold(), normalise_postcode(postcode)))
            except PostcodeError:
                continue
    return keys


@transaction.atomic
def demo_remove() -> int:
    """Delete the demo providers (with their activities), editors groups, collections,
    editor logins, and the demo venues nothing else uses. Returns how many providers went.

    The superuser `admin` is kept: a reload only replaces its password.
    """
    spec = demo_providers_spec()
    providers = _existing_providers(spec)
    for provider in providers:
        group_id = provider.editors_group_id
        collection_id = provider.collection_id
        # Page.delete() removes the descendants (the activities) with the provider.
        provider.delete()
        if group_id is not None:
            Group.objects.filter(pk=group_id).delete()
        # The provider's own collection, by id (a same-named one may be another's).
        for collection in Collection.objects.filter(pk=collection_id):
            if not collection.get_descendants().exists():
                collection.delete()
    get_user_model().objects.filter(
        username__in=[entry["editor"]["username"] for entry in spec]
    ).delete()
    keys = _demo_venue_keys()
    unused = Venue.objects.filter(activities__isnull=True).only("pk", "name", "postcode")
    Venue.objects.filter(
        pk__in=[venue.pk for venue in unused if (venue.name.casefold(), venue.postcode) in keys]
    ).delete()
    return len(providers)


def _password(given: str | None) -> str:
    return given or secrets.token_urlsafe(9)


def _superuser_ensure(*, password: str) -> DemoLogin:
    User = get_user_model()
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    existed = user is not None
    if user is None:
        user = User(username=ADMIN_USERNAME, email=ADMIN_EMAIL)
    user.is_superuser = user.is_staff = user.is_active = True
    user.set_password(password)
    user.save()
    return DemoLogin(ADMIN_USERNAME, password, "everything (superuser)", existed)


@transaction.atomic
def demo_load(
    *, today: date | None = None, password: str | None = None, reset: bool = False
) -> DemoResult:
    """Create the six demo providers, import their timetable and make demo-only logins.

    `today` (default: the local date) decides how far the timetable's dates move forward.
    Each login gets `password`, or its own random one. Raises DemoAlreadyLoaded if a demo
    provider exists and `reset` is false; activities.imports.columns.ImportFailed if the timetable
    does not import (nothing is kept: the whole load is one transaction).
    """
    today = today or timezone.localdate()
    spec = demo_providers_spec()
    if _existing_providers(spec):
        if not reset:
            raise DemoAlreadyLoaded(
                "The demo is already loaded. Run it with --reset to delete it and load it again."
            )
        demo_remove()

    city_admins_group_ensure()
    providers = [
        provider_create(
            title=entry["title"],
            slug=entry["slug"],
            about=entry["about"],
            contact_email=entry["contact_email"],
            contact_phone=entry["contact_phone"],
            website=entry["website"],
        )
        for entry in spec
    ]
    timetable_import(rows=demo_rows(today=today), today=today)

    logins = [_superuser_ensure(password=_password(password))]
    for entry, provider in zip(spec, providers, strict=True):
        editor_password = _password(password)
        user, created = provider_editor_add(
            provider=provider,
            username=entry["editor"]["username"],
            email=entry["editor"]["email"],
            password=editor_password,
        )
        if not created:
            # The printed table must be true, so a leftover user gets the new password too.
            user.set_password(editor_password)
            user.save(update_fields=["password"])
        logins.append(
            DemoLogin(
                user.get_username(),
                editor_password,
                f"{provider.title}: its page and activities",
                not created,
            )
        )

    activities = ActivityPage.objects.filter(provider__in=providers)
    return DemoResult(
        providers=providers,
        logins=logins,
        activity_count=activities.count(),
        venue_count=Venue.objects.filter(activities__in=activities).distinct().count(),
        weeks_shifted=week_shift(today=today),
    )
