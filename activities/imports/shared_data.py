"""Planning the records several rows share: venues (matched by name and postcode, located, their
feature statuses merged across rows) and categories and audiences (matched by name or slug).

Part of the plan (activities.imports.plan): reads the database, writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Value
from django.db.models.functions import Replace, Upper
from django.utils.text import slugify

from directory.models import ProviderPage
from directory.permissions import venue_owner_names, venues_owned
from venues.accessibility import FEATURES
from venues.geo import PostcodeError, normalise_postcode
from venues.geocoders import locate
from venues.models import Venue, VenueFeature

from ..models import Audience, Category
from ..wording import restriction_of
from .columns import Problem
from .rows import ParsedRow, VenueCells

_FEATURE_ORDER = list(FEATURES)


@dataclass
class VenuePlan:
    cells: VenueCells
    rows: list[int]
    existing: Venue | None = None
    instance: Venue | None = None
    features: dict[str, tuple[str, int]] = field(default_factory=dict)  # code -> (status, row)
    changed_fields: list[str] = field(default_factory=list)
    feature_creates: list[VenueFeature] = field(default_factory=list)
    feature_updates: list[VenueFeature] = field(default_factory=list)


@dataclass
class TaxonomyPlan:
    """Categories and audiences by slug (found or new), and the new ones to create."""

    categories: dict[str, Category] = field(default_factory=dict)
    audiences: dict[str, Audience] = field(default_factory=dict)
    new_categories: list[Category] = field(default_factory=list)
    new_audiences: list[Audience] = field(default_factory=list)


def feature_changes(model, wanted: dict[str, str], recorded: dict) -> tuple[list, list]:
    """(new features, changed features) of `model` to give each code in `wanted` its status;
    `recorded` maps the codes already stored to their rows."""
    creates, updates = [], []
    for code, status in wanted.items():
        feature = recorded.get(code)
        if feature is None:
            creates.append(model(code=code, status=status, sort_order=_FEATURE_ORDER.index(code)))
        elif feature.status != status:
            feature.status = status
            updates.append(feature)
    return creates, updates


# --------------------------------------------------------------------------- venues


def venues_plan(
    rows: list[ParsedRow],
    *,
    problems: list[Problem],
    warnings: list[str],
    owner: ProviderPage | None = None,
) -> dict[tuple[str, str], VenuePlan]:
    """One plan per venue the rows name (by name and postcode), matched to a stored venue
    where there is one. Problems and warnings are added to the lists given. With ``owner``,
    a stored venue that organisation does not own is linked to but never changed: a warning
    says what was left alone (README "Shared venues")."""
    venues: dict[tuple[str, str], VenuePlan] = {}
    for row in rows:
        if row.venue is not None:
            _add_row(venues, row, problems)
    if not venues:
        return venues
    compact = {key[1].replace(" ", "") for key in venues}
    candidates = (
        Venue.objects.annotate(compact=Upper(Replace("postcode", Value(" "), Value(""))))
        .filter(compact__in=compact)
        .prefetch_related("features")
        .order_by("pk")
    )
    for venue in candidates:
        try:
            key = (venue.name.casefold(), normalise_postcode(venue.postcode))
        except PostcodeError:
            continue
        plan = venues.get(key)
        if plan is not None and plan.existing is None:
            plan.existing = venue
    for plan in venues.values():
        _plan_venue(plan, problems, warnings)
    if owner is not None:
        _leave_unowned_alone(venues, owner, warnings)
    return venues


def _leave_unowned_alone(venues: dict, owner: ProviderPage, warnings: list[str]) -> None:
    stored = [plan for plan in venues.values() if plan.existing is not None]
    owned = venues_owned(owner, [plan.existing.pk for plan in stored])
    changing = [
        plan
        for plan in stored
        if plan.existing.pk not in owned
        and (plan.changed_fields or plan.feature_creates or plan.feature_updates)
    ]
    owners = venue_owner_names([plan.existing.pk for plan in changing])
    for plan in changing:
        venue = plan.existing
        skipped = []
        if "address" in plan.changed_fields:
            skipped.append("its address")
        if "latitude" in plan.changed_fields:
            skipped.append("its map position")
        if plan.feature_creates or plan.feature_updates:
            codes = sorted(
                (f.code for f in plan.feature_creates + plan.feature_updates),
                key=_FEATURE_ORDER.index,
            )
            skipped.append("access changes (" + ", ".join(FEATURES[c].label for c in codes) + ")")
        belongs = " and ".join(owners.get(venue.pk, [])) or "the city admins"
        rows = ("Rows " if len(plan.rows) > 1 else "Row ") + ", ".join(map(str, plan.rows))
        warnings.append(
            f"{rows}: Venue “{venue.name}” belongs to {belongs}: "
            f"{' and '.join(skipped)} not applied; propose them from the venue page. "
            "The activities are still linked to it."
        )
        # Put back what planning filled in, and change nothing.
        fresh = type(venue).objects.get(pk=venue.pk)
        for name in plan.changed_fields:
            setattr(venue, name, getattr(fresh, name))
        plan.changed_fields = []
        plan.feature_creates, plan.feature_updates = [], []


def _add_row(venues: dict, row: ParsedRow, problems: list[Problem]) -> None:
    plan = venues.get(row.venue.key)
    if plan is None:
        plan = venues[row.venue.key] = VenuePlan(cells=row.venue, rows=[])
    plan.rows.append(row.number)
    if plan.cells.latitude is None and row.venue.latitude is not None:
        plan.cells.latitude, plan.cells.longitude = row.venue.latitude, row.venue.longitude
    for code, status in (row.venue_features or {}).items():
        earlier = plan.features.get(code)
        if earlier is None:
            plan.features[code] = (status, row.number)
        elif earlier[0] != status:
            problems.append(
                Problem(
                    row.number,
                    "accessibility",
                    f"Row {earlier[1]} says {code} is “{earlier[0]}” at {plan.cells.name}, "
                    f"but this row says “{status}”: a venue's feature has one status, so "
                    "give the same on both rows.",
                )
            )


def _plan_venue(plan: VenuePlan, problems: list[Problem], warnings: list[str]) -> None:
    cells = plan.cells
    venue = plan.existing
    if venue is None:
        venue = Venue(
            name=cells.name,
            address=cells.address,
            postcode=cells.postcode,
            latitude=cells.latitude,
            longitude=cells.longitude,
        )
    else:
        # A shared venue: fill in what it lacks, never overwrite another provider's details.
        if not venue.address:
            venue.address = cells.address
            plan.changed_fields.append("address")
        if venue.latitude is None and cells.latitude is not None:
            venue.latitude, venue.longitude = cells.latitude, cells.longitude
            plan.changed_fields += ["latitude", "longitude"]
    plan.instance = venue
    if venue.latitude is None:
        _locate(plan, problems, warnings)
    recorded = {f.code: f for f in venue.features.all()} if plan.existing else {}
    wanted = {code: status for code, (status, _row) in plan.features.items()}
    plan.feature_creates, plan.feature_updates = feature_changes(VenueFeature, wanted, recorded)


def _locate(plan: VenuePlan, problems: list[Problem], warnings: list[str]) -> None:
    cells, venue = plan.cells, plan.instance
    try:
        found = locate(cells.postcode, cells.address)
    except PostcodeError as exc:
        if plan.existing is None:  # a shared venue keeps working without coordinates
            problems += [Problem(number, "postcode", str(exc)) for number in plan.rows]
        return
    venue.latitude, venue.longitude = found.latitude, found.longitude
    if plan.existing is not None:
        plan.changed_fields += ["latitude", "longitude"]
    if found.precision != "postcode":
        warnings.append(
            f"Row {plan.rows[0]}: we do not know the exact spot of {cells.postcode}, so "
            f"{cells.name} is placed at the middle of {found.label}. Add latitude and "
            "longitude to place it exactly."
        )


# --------------------------------------------------------------------------- categories


_KNOWN_SHOWN = 40


def _unknown(model, name: str, existing: list) -> str:
    """Why an editor's new topic or audience is refused, listing the known ones."""
    what = "topic" if model is Category else "audience"
    names = sorted((item.name for item in existing), key=str.casefold)
    listed = ", ".join(names[:_KNOWN_SHOWN]) + (
        f" and {len(names) - _KNOWN_SHOWN} more" if len(names) > _KNOWN_SHOWN else ""
    )
    known = f"Use one of: {listed}." if names else f"There are no {what}s yet."
    return (
        f"“{name}” is not one of the directory's {what}s, and only a city admin can add one. "
        f"{known}"
    )


def taxonomy_plan(
    rows: list[ParsedRow],
    *,
    problems: list[Problem],
    warnings: list[str] | None = None,
    may_create: bool = True,
) -> TaxonomyPlan:
    """Match each row's category and audience names to stored ones (by name, then slug), or
    plan new ones (only when ``may_create``: editors cannot add topics or audiences in the
    admin, so not through a file either); the rows' names become slugs. An editor's unknown
    name is left off with a warning, never a refusal: the layout allows any name there."""
    plan = TaxonomyPlan()
    for model, attribute, column, store, new in (
        (Category, "categories", "category", plan.categories, plan.new_categories),
        (Audience, "audiences", "audience", plan.audiences, plan.new_audiences),
    ):
        existing = list(model.objects.all())
        by_slug = {item.slug: item for item in existing}
        by_name = {item.name.casefold(): item for item in existing}
        for row in rows:
            names = getattr(row, attribute)
            if not names:
                continue
            slugs = []
            for name in names:
                item = by_name.get(name.casefold()) or by_slug.get(slugify(name)[:110])
                if item is None:
                    slug = slugify(name)[:110]
                    if not slug:
                        problems.append(
                            Problem(
                                row.number, column, f"“{name}” needs at least one letter or number."
                            )
                        )
                        continue
                    if not may_create:
                        if warnings is not None:
                            warnings.append(
                                f"Row {row.number}, {column}: {_unknown(model, name, existing)} "
                                "The row imports without it."
                            )
                        continue
                    item = model(name=name, slug=slug)
                    if model is Audience:
                        item.restriction = Audience.Restriction(restriction_of(name))
                    by_slug[slug] = by_name[name.casefold()] = item
                    new.append(item)
                store[item.slug] = item
                slugs.append(item.slug)
            setattr(row, attribute, slugs)
    return plan
