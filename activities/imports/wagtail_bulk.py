"""Adding and indexing many Wagtail pages at once: the only code here on Wagtail's and
treebeard's private APIs.

Why: Page.add_child, save_revision and publish cost dozens of queries a page, and the
post_save handlers update the search and reference indexes one object at a time; a 10,000-row
timetable must import in well under 30 s (bench/bench_import.py). So the import does here,
in bulk, what those would do for each page:

- tree paths: treebeard's materialised path (``Page.steplen`` characters per level, in
  ``Page.alphabet``), through ``Page._str2int``, ``Page._int2str`` and ``Page._get_path``;
  the parent's ``numchild`` is bumped once;
- the reference index (the admin's "usage" counts): rows built the way
  ``ReferenceIndex.create_or_update_for_object`` builds them, with
  ``ReferenceIndex._get_base_content_type`` and ``ReferenceIndex._get_content_path_hash``;
- the search index: each backend's ``add_bulk``.

On a Wagtail (or django-treebeard) upgrade, check that: those four private methods still
exist with the same meaning; MP_Node still builds paths from steplen/alphabet and
Page.add_child still sets only path, depth, numchild, url_path, locale and content type
beyond our own fields; ReferenceIndex rows still have the fields written below and
create_or_update_for_object still records a page's plain foreign keys under their field
names; and the search and reference index handlers still skip ``raw`` saves. Then run
tests/activities/imports/test_spreadsheet_import.py: it checks imported pages with
Page.find_problems() (the tree), a search, and their reference index rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Model, prefetch_related_objects
from modelcluster.fields import ParentalKey
from wagtail.models import Page, ReferenceIndex, Revision
from wagtail.search.backends import get_search_backends
from wagtail.search.models import IndexEntry

_BATCH = 500


class TreeFull(Exception):
    """The parent page has no room for that many more children (treebeard's path step)."""


def child_slugs(parent: Page) -> set[str]:
    """The slugs of the parent's children (a new child's slug must differ from each)."""
    return set(_children(parent).values_list("slug", flat=True))


def _children(parent: Page):
    return Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)


def pages_add(*, parent: Page, pages: list[Page], added: Callable[[], None] | None = None) -> None:
    """Insert `pages` (unsaved, of one specific page type, slugs set and unique among the
    parent's children) as the parent's last children, as Page.add_child would.

    Sets each page's tree fields (path, depth, numchild, url_path, locale, content type),
    inserts the Page rows in bulk, then each page's own table row. No revision, signal or
    index update: call indexes_update afterwards. Raises TreeFull before writing anything
    when the parent has no room. `added` is called after each page is written.
    """
    if not pages:
        return
    depth = parent.depth + 1
    last = _children(parent).order_by("-path").values_list("path", flat=True).first()
    position = Page._str2int(last[-Page.steplen :]) if last else 0
    if len(Page._int2str(position + len(pages))) > Page.steplen:
        raise TreeFull(parent.title)
    content_type = ContentType.objects.get_for_model(type(pages[0]))
    for page in pages:
        position += 1
        page.path = Page._get_path(parent.path, depth, position)
        page.depth = depth
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.locale_id = parent.locale_id
        page.content_type = content_type
    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    rows = [Page(**{f.attname: getattr(page, f.attname) for f in base_fields}) for page in pages]
    Page.objects.bulk_create(rows, batch_size=_BATCH)
    for page, row in zip(pages, rows, strict=True):
        page.id = page.page_ptr_id = row.pk
    _specific_rows_insert(pages, added)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))


def _specific_rows_insert(pages: list[Page], added: Callable[[], None] | None) -> None:
    """Insert each page's own table row (the Page rows exist), a batch per statement.

    What ``page.save_base(raw=True, force_insert=True)`` does for one page (its own fields as
    they are, no pre_save; our receivers and the index handlers skip raw saves anyway), done
    through QuerySet._insert because bulk_create refuses multi-table models: one INSERT a page
    was a third of a 10,000-row import on PostgreSQL.
    """
    model = type(pages[0])
    if model._meta.parents.keys() != {Page}:  # one level below Page: only its own table left
        raise TypeError(f"{model.__name__} must inherit directly from Page")
    fields = model._meta.local_concrete_fields
    for start in range(0, len(pages), _BATCH):
        batch = pages[start : start + _BATCH]
        model._base_manager._insert(batch, fields=fields, raw=True)
        for page in batch:
            page._state.adding = False
            page._state.db = connection.alias
            if added is not None:
                added()


def indexes_update(
    *,
    created: list[Page],
    changed: Iterable[Model],
    search: dict[type[Model], list[Model]],
    child_models: Iterable[type[Model]],
) -> None:
    """What Wagtail's post_save handlers would have done, in bulk.

    `created`: pages that pages_add inserted (their only children are rows of `child_models`,
    with no comments yet). `changed`: saved objects whose references may have changed.
    `search`: objects to (re)index, by model.
    """
    for backend in get_search_backends(with_auto_update=True):
        for model, objects in search.items():
            for start in range(0, len(objects), _BATCH * 4):
                backend.add_bulk(model, objects[start : start + _BATCH * 4])
    if search and connection.vendor in ("sqlite", "postgresql"):
        # Without statistics SQLite's planner runs the full-text MATCH once per index row
        # (1.7 s for a search at 10,000 activities); with them it matches first (30 ms).
        # PostgreSQL's, until autovacuum comes by, reads every entry of the content type
        # instead of the GIN indexes (160 ms instead of 30 ms).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(IndexEntry._meta.db_table)}")
    _reference_index_add(created, child_models)
    for item in changed:
        if ReferenceIndex.is_indexed(type(item)):
            ReferenceIndex.create_or_update_for_object(item)


def _reference_index_add(pages: list[Page], child_models: Iterable[type[Model]]) -> None:
    """Record new pages' outbound references (the admin's "usage" counts) in bulk.

    ReferenceIndex.create_or_update_for_object costs several queries a page, mostly walking
    child relations. A new page's only children are the ones we wrote (slots, cancellations,
    features; no comments yet), which hold no references, so its references are exactly its
    foreign keys, chosen by the same rules Wagtail applies.
    """
    if not pages:
        return
    model = type(pages[0])
    children_refer = any(
        ReferenceIndex.model_is_indexable(child, allow_child_models=True) for child in child_models
    )
    if children_refer:  # a future child model with a foreign key: let Wagtail walk it
        for page in pages:
            ReferenceIndex.create_or_update_for_object(page)
        return
    fields = [
        f
        for f in model._meta.get_fields()
        if f.is_relation
        and f.many_to_one
        and not isinstance(f, (ParentalKey, GenericForeignKey))
        and not getattr(f, "wagtail_reference_index_ignore", False)
        and not getattr(f.related_model, "wagtail_reference_index_ignore", False)
    ]
    content_type = ContentType.objects.get_for_model(model)
    base_content_type = ContentType.objects.get_for_model(Page)
    targets = {f.name: ReferenceIndex._get_base_content_type(f.related_model).pk for f in fields}
    hashes = {f.name: ReferenceIndex._get_content_path_hash(f.name) for f in fields}
    rows = [
        ReferenceIndex(
            content_type=content_type,
            base_content_type=base_content_type,
            object_id=str(page.pk),
            to_content_type_id=targets[f.name],
            to_object_id=str(value),
            model_path=f.name,
            content_path=f.name,
            content_path_hash=hashes[f.name],
        )
        for page in pages
        for f in fields
        if (value := f.value_from_object(page)) is not None
    ]
    ReferenceIndex.objects.bulk_create(rows, batch_size=_BATCH, ignore_conflicts=True)


def revisions_publish(*, pages: list[Page], user, now, prefetch: Iterable[str]) -> None:
    """Give each page (saved, all of one specific type) a new revision of what it now holds,
    to be made its latest and its live revision (the caller saves ``latest_revision`` and
    ``live_revision``), as ``page.save_revision(user=user).publish()`` would leave it, in a
    few queries for the lot.

    The edit form's conflict checks compare the revision an editor loaded with the latest, so
    an editor whose form was open when an import changed the page is told, rather than
    publishing over the import. The content is Wagtail's own serialisation of the page as
    written, with its child rows and relations read back from the database (`prefetch`, onto
    the same instances: loading the pages again costs more than serialising them).
    """
    if not pages:
        return
    model = type(pages[0])
    content_type = ContentType.objects.get_for_model(model)
    base_content_type = ContentType.objects.get_for_model(Page)
    revisions = []
    for start in range(0, len(pages), _BATCH):
        chunk = pages[start : start + _BATCH]
        for page in chunk:  # what planning prefetched is what the import has since replaced
            page.__dict__.pop("_prefetched_objects_cache", None)
        prefetch_related_objects(chunk, *prefetch)
        batch = [
            Revision(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=str(page.pk),
                created_at=now,
                user=user,
                object_str=str(page),
                content=page.serializable_data(),
            )
            for page in chunk
        ]
        Revision.objects.bulk_create(batch)
        revisions += batch
    by_page = {int(revision.object_id): revision.pk for revision in revisions}
    for page in pages:
        page.latest_revision_id = page.live_revision_id = by_page[page.pk]
