"""The one place in `directory` that writes Wagtail's collection tree in bulk, with treebeard's
path helpers (private APIs, as in activities.imports.wagtail_bulk): one re-numbering of the root's
children for many new collections instead of one sibling re-sort per collection."""

from __future__ import annotations

from wagtail.models import Collection


def root_collections_add(*, names: list[tuple[str, int]]) -> list[Collection] | None:
    """New collections under the root, the root's children kept in name order
    (Collection.node_order_by). None when the tree has nested collections or the paths would
    overflow: the caller then adds them one by one with treebeard's own moves. `names` are
    (title, id) pairs; a title already taken gets the id appended."""
    root = Collection.get_first_root_node()
    children = list(root.get_children())
    if any(child.numchild for child in children):
        return None
    taken = {child.name for child in children}
    new = []
    for title, key in names:
        name = title[:255]
        if name in taken:
            name = f"{title[:230]} ({key})"
        taken.add(name)
        new.append(Collection(name=name, depth=root.depth + 1, numchild=0))
    if len(Collection._int2str(len(children) + len(new))) > Collection.steplen:
        return None
    for child in children:  # out of the way of the new paths (paths are unique)
        child.path = "~" + child.path
    Collection.objects.bulk_update(children, ["path"], batch_size=200)
    ordered = sorted([*children, *new], key=lambda collection: collection.name)
    for position, collection in enumerate(ordered, start=1):
        collection.path = Collection._get_path(root.path, root.depth + 1, position)
    Collection.objects.bulk_create(new, batch_size=200)
    Collection.objects.bulk_update(children, ["path"], batch_size=200)
    Collection.objects.filter(pk=root.pk).update(numchild=len(ordered))
    if any(collection.pk is None for collection in new):
        by_path = dict(
            Collection.objects.filter(path__in=[c.path for c in new]).values_list("path", "pk")
        )
        for collection in new:
            collection.pk = by_path[collection.path]
    return new
