"""Applying an import plan (activities.imports.plan) in bulk, in one transaction.

Written for large files (10,000 rows in well under 30 s on SQLite): existing data is loaded in
a handful of queries, and new pages are inserted in bulk with their tree paths computed here
rather than through Wagtail's add_child/save_revision/publish, which cost dozens of queries a
page. What that skips, and what stands in for it:

- Revisions are created in bulk (wagtail_bulk.revisions_publish): each page created or changed
  gets a new revision of what it now holds, by the importing user, as its latest and live
  revision, so the edit form's checks see that a page changed since an editor opened it. An
  unpublished draft of an updated page is superseded (the result warns about each one).
- Wagtail's search index and reference index are updated once, in bulk, at the end (the
  post_save handlers that would do it row by row are not triggered by bulk writes).
- No page_published signal is sent (nothing in the project listens to it).

The tree paths and both indexes are written by activities.imports.wagtail_bulk, the one module
that uses Wagtail's private APIs to do it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page

from directory.models import ProviderIndexPage, ProviderPage, VenueOwner
from directory.names import provider_name_key
from directory.services import providers_editors_setup
from venues.models import Venue, VenueFeature

from ..models import ActivityFeature, ActivityPage, Audience, Cancellation, Category, Schedule
from . import wagtail_bulk
from .columns import ACTIVITY_FIELDS, ImportFailed, Problem
from .plan import ActivityPlan, ImportPlan
from .rows import Progress
from .shared_data import VenuePlan
from .slots import SCHEDULE_UPDATE_FIELDS

_BATCH = 500
# What an activity's revision holds besides its own fields (Wagtail serialises these too).
_REVISION_PREFETCH = (
    "schedules",
    "cancellations",
    "features",
    "categories",
    "audiences",
    "next_steps",
    # Page's own child relation: without it, serialising each revision cost a query a page.
    "wagtail_admin_comments",
)


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not in `taken` (which it is added to)."""
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    taken.add(slug)
    return slug


@transaction.atomic
def timetable_write(*, plan: ImportPlan, progress: Progress | None = None, user=None) -> None:
    """Write everything the plan says, in bulk. ``progress`` hears ("Writing", activities
    written, activities to write); ``user`` (None for the command) is the author of the new
    revisions."""
    now = timezone.now()
    _create_providers(plan)
    Category.objects.bulk_create(plan.taxonomy.new_categories)
    Audience.objects.bulk_create(plan.taxonomy.new_audiences)
    changed_venues = _write_venues(plan.venues)
    _own_new_venues(plan)
    plans = list(plan.activities.values())
    created = [p for p in plans if p.action == "new"]
    updated = [p for p in plans if p.action == "update"]
    total, done = len(created) + len(updated), 0

    def added() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("Writing", done, total)

    if progress is not None:
        progress("Writing", 0, total)
    _create_pages(created, now, added)
    _update_pages(updated, now)
    if progress is not None and updated:
        progress("Writing", total, total)
    _write_relations([p for p in plans if p.action != "unchanged"], plan)
    changed = [p.page for p in created + updated]
    wagtail_bulk.revisions_publish(pages=changed, user=user, now=now, prefetch=_REVISION_PREFETCH)
    _update_rows(ActivityPage, changed, ["latest_revision", "live_revision"])
    moved = [p.page for p in updated if "venue" in p.changed_fields]
    _attach_indexed_relations(changed)
    wagtail_bulk.indexes_update(
        created=[p.page for p in created],
        # Of the fields a row sets, only the venue is a reference Wagtail records.
        changed=[*moved, *changed_venues],
        search={
            ActivityPage: [p.page for p in created] + [p.page for p in updated],
            Venue: changed_venues,
        },
        child_models=(Schedule, Cancellation, ActivityFeature),
    )
    if len(changed) >= _ANALYZE_AFTER:
        _statistics_refresh()


# A file this big can change the tables' sizes several-fold: the planner's statistics, left
# to autovacuum, would plan the next minute's browse pages for the old sizes (50 ms instead
# of 14 ms at 10,000 activities on PostgreSQL). ANALYZE reads a sample, well under a second.
_ANALYZE_AFTER = 1000
_ANALYZED = (
    Page,
    ActivityPage,
    Schedule,
    Cancellation,
    ActivityFeature,
    Venue,
    VenueFeature,
    ActivityPage.categories.through,
    ActivityPage.audiences.through,
)


def _statistics_refresh() -> None:
    connection = connections[router.db_for_write(ActivityPage)]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        for model in _ANALYZED:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _attach_indexed_relations(pages: list[ActivityPage]) -> None:
    """Give each page its provider and venue objects, read in two queries: the search index
    reads their names (provider_name, venue_name), and a bare foreign key is a query a page."""
    providers = ProviderPage.objects.in_bulk({page.provider_id for page in pages})
    venues = Venue.objects.in_bulk({page.venue_id for page in pages if page.venue_id})
    for page in pages:
        page.provider = providers.get(page.provider_id)
        if page.venue_id:
            page.venue = venues.get(page.venue_id)


def _create_providers(plan: ImportPlan) -> None:
    """The organisations a city admin's file names that do not exist yet, in bulk: pages as
    provider_create would add them, then their editors groups and collections."""
    new = [provider for provider in plan.providers if provider.page is None]
    if not new:
        return
    index = ProviderIndexPage.objects.get()
    slugs = wagtail_bulk.child_slugs(index)
    pages = [
        ProviderPage(
            title=provider.title,
            draft_title=provider.title,
            slug=unique_slug(slugify(provider.title)[:240] or "organisation", slugs),
            name_key=provider_name_key(provider.title),
            live=True,
        )
        for provider in new
    ]
    wagtail_bulk.pages_add(parent=index, pages=pages)
    providers_editors_setup(providers=pages)
    for provider, page in zip(new, pages, strict=True):
        provider.page = page
    wagtail_bulk.indexes_update(
        created=pages, changed=[], search={ProviderPage: pages}, child_models=()
    )


def _write_venues(venues: dict[tuple[str, str], VenuePlan]) -> list[Venue]:
    taken = set(Venue.objects.values_list("slug", flat=True))
    new = [plan for plan in venues.values() if plan.existing is None]
    for plan in new:
        base = slugify(f"{plan.cells.name} {plan.cells.postcode}")[:210] or "venue"
        plan.instance.slug = unique_slug(base, taken)
    Venue.objects.bulk_create([plan.instance for plan in new], batch_size=_BATCH)
    changed = [plan.instance for plan in new]
    filled = [p.existing for p in venues.values() if p.existing and p.changed_fields]
    _update_rows(Venue, filled, ["address", "latitude", "longitude"])
    changed += filled
    features = []
    updates = []
    for plan in venues.values():
        for feature in plan.feature_creates:
            feature.venue = plan.instance
            features.append(feature)
        updates += plan.feature_updates
        if (plan.feature_creates or plan.feature_updates) and plan.existing is not None:
            changed.append(plan.existing)
    VenueFeature.objects.bulk_create(features, batch_size=_BATCH)
    _update_rows(VenueFeature, updates, ["status"])
    return list({id(v): v for v in changed}.values())


def _own_new_venues(plan: ImportPlan) -> None:
    """A venue the import creates belongs to the organisations whose rows named it."""
    VenueOwner.objects.bulk_create(
        [
            VenueOwner(venue_id=pk, provider_id=provider_pk)
            for pk, provider_pk in {
                (p.venue.instance.pk, p.provider.page.pk)
                for p in plan.activities.values()
                if p.venue is not None and p.venue.existing is None
            }
        ],
        batch_size=_BATCH,
        ignore_conflicts=True,
    )


def _create_pages(plans: list[ActivityPlan], now, added: Callable[[], None]) -> None:
    by_provider: dict[int, list[ActivityPlan]] = defaultdict(list)
    for plan in plans:
        by_provider[plan.provider.page.pk].append(plan)
    for provider_pk, group in by_provider.items():
        parent = Page.objects.get(pk=provider_pk)
        slugs = wagtail_bulk.child_slugs(parent)
        for plan in group:
            page = plan.page
            page.slug = unique_slug(
                slugify(page.title, allow_unicode=True)[:240] or "activity", slugs
            )
            page.draft_title = page.title
            page.live = True
            page.has_unpublished_changes = False
            page.first_published_at = page.last_published_at = now
            page.provider_id = provider_pk
            page.venue = plan.venue.instance if plan.venue else None
        try:
            wagtail_bulk.pages_add(parent=parent, pages=[p.page for p in group], added=added)
        except wagtail_bulk.TreeFull:
            raise ImportFailed(
                [Problem(0, "", f"{parent.title} has too many activities.")]
            ) from None


def _update_pages(plans: list[ActivityPlan], now) -> None:
    for plan in plans:
        page = plan.page
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        if plan.changed_fields:
            page.last_published_at = now
        if plan.row is not None:
            page.venue = plan.venue.instance if plan.venue else None
    fields = [
        *ACTIVITY_FIELDS,
        "venue",
        "draft_title",
        "live",
        "has_unpublished_changes",
        "last_published_at",
    ]
    changed = [plan.page for plan in plans if plan.changed_fields]
    _update_rows(ActivityPage, changed, fields)


def _write_relations(plans: list[ActivityPlan], plan_of_file: ImportPlan) -> None:
    schedules_new, schedules_changed, schedules_gone = [], [], []
    cancellations_new, cancellations_changed, cancellations_gone = [], [], []
    features_new, features_changed, features_gone = [], [], []
    links: dict[str, list] = defaultdict(list)
    unlink: dict[str, list[int]] = defaultdict(list)
    stores = {
        "categories": (plan_of_file.taxonomy.categories, "category_id"),
        "audiences": (plan_of_file.taxonomy.audiences, "audience_id"),
    }
    for plan in plans:
        page, slots = plan.page, plan.slots
        for item in slots.schedule_creates + slots.cancellation_creates + plan.feature_creates:
            item.activity = page
        schedules_new += slots.schedule_creates
        schedules_changed += slots.schedule_updates
        schedules_gone += slots.schedule_deletes
        cancellations_new += slots.cancellation_creates
        cancellations_changed += slots.cancellation_updates
        cancellations_gone += slots.cancellation_deletes
        features_new += plan.feature_creates
        features_changed += plan.feature_updates
        features_gone += plan.feature_deletes
        for relation, (store, target) in stores.items():
            if relation in plan.relation_changes:
                unlink[relation].append(page.pk)
                through = getattr(ActivityPage, relation).through
                links[relation] += [
                    through(activitypage_id=page.pk, **{target: store[slug].pk})
                    for slug in sorted(getattr(plan, relation))
                ]
        if "next_steps" in plan.relation_changes:
            unlink["next_steps"].append(page.pk)
            through = ActivityPage.next_steps.through
            links["next_steps"] += [
                through(from_activitypage_id=page.pk, to_activitypage_id=_pk(plan_of_file, key))
                for key in sorted(plan.next_steps)
            ]
    Schedule.objects.filter(pk__in=schedules_gone).delete()
    Cancellation.objects.filter(pk__in=cancellations_gone).delete()
    ActivityFeature.objects.filter(pk__in=features_gone).delete()
    Schedule.objects.bulk_create(schedules_new, batch_size=_BATCH)
    _update_rows(Schedule, schedules_changed, SCHEDULE_UPDATE_FIELDS)
    Cancellation.objects.bulk_create(cancellations_new, batch_size=_BATCH)
    _update_rows(Cancellation, cancellations_changed, ["reason"])
    ActivityFeature.objects.bulk_create(features_new, batch_size=_BATCH)
    _update_rows(ActivityFeature, features_changed, ["status"])
    for relation, column in (
        ("categories", "activitypage_id"),
        ("audiences", "activitypage_id"),
        ("next_steps", "from_activitypage_id"),
    ):
        through = getattr(ActivityPage, relation).through
        for start in range(0, len(unlink[relation]), _BATCH):
            chunk = unlink[relation][start : start + _BATCH]
            through.objects.filter(**{f"{column}__in": chunk}).delete()
        through.objects.bulk_create(links[relation], batch_size=_BATCH)


def _pk(plan: ImportPlan, key: tuple[str, str]) -> int:
    planned = plan.activities.get(key)
    if planned is not None:
        return planned.page.pk
    return plan.stored[key].pk


def _update_rows(model, objects: list, names: list[str]) -> None:
    """Save `names` of each object: one prepared UPDATE per table, run with executemany.

    QuerySet.bulk_update builds a CASE expression per field per object, which on SQLite (999
    parameters a query) means thousands of small, slow-to-compile queries for a big file:
    updating 3,000 pages took 30 s. Values go through each field's get_db_prep_save, as
    Model.save would send them; no signals are sent (as with bulk_update).
    """
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    by_table: dict[type, list] = defaultdict(list)
    for name in names:
        field = model._meta.get_field(name)
        by_table[field.model].append(field)  # a Page field lives in Page's table
    with connection.cursor() as cursor:
        for table_model, fields in by_table.items():
            key = table_model._meta.pk
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            sql = (
                f"UPDATE {quote(table_model._meta.db_table)} SET {assignments} "
                f"WHERE {quote(key.column)} = %s"
            )
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                    + [obj.pk]
                    for obj in objects
                ],
            )
