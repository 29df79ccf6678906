"""The directory app's signal receivers, connected once from DirectoryConfig.ready (as in
activities.signals): every change of content starts a new data version for the page cache."""

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import caching


def _on_model_change(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if caching.is_content(sender):
        caching.data_changed(using)


def _on_publish(sender, **kwargs) -> None:
    caching.data_changed()


def connect() -> None:
    """Hook every change of content to the data version (from DirectoryConfig.ready)."""
    from wagtail.signals import page_published, page_unpublished  # noqa: PLC0415 - app ready

    post_save.connect(_on_model_change, dispatch_uid="directory.caching.save")
    post_delete.connect(_on_model_change, dispatch_uid="directory.caching.delete")
    m2m_changed.connect(_on_model_change, dispatch_uid="directory.caching.m2m")
    page_published.connect(_on_publish, dispatch_uid="directory.caching.published")
    page_unpublished.connect(_on_publish, dispatch_uid="directory.caching.unpublished")
