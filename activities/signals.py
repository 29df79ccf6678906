"""Every signal receiver of the activities app, connected once from ``apps.ready()``."""

from django.db.models.signals import pre_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from directory.models import ProviderPage

from .duplicates.store import stored_pairs_refresh_on_commit
from .feeds.sequence import schedule_sequences_bump
from .freshness.services import activity_list_mark_checked
from .models import ActivityPage


def on_page_moved(sender, instance, parent_page_after, **kwargs):
    """Keep the denormalised ActivityPage.provider right when pages move between providers."""
    provider = ProviderPage.objects.filter(pk=parent_page_after.pk).first()
    ActivityPage.objects.filter(pk=instance.pk).update(provider=provider)


def on_activity_pre_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save receiver: bump sequences when this save writes the page's slots."""
    if raw:
        return
    if update_fields is not None and not {"schedules", "cancellations"} & set(update_fields):
        return
    schedule_sequences_bump(page=instance)


def on_activity_published(sender, instance, **kwargs) -> None:
    """Publishing a listing counts as checking it (README "Listings to check")."""
    activity_list_mark_checked(page_ids=[instance.pk])
    instance.last_checked = ActivityPage.objects.values_list("last_checked", flat=True).get(
        pk=instance.pk
    )


def on_activity_listing_changed(sender, instance, **kwargs) -> None:
    """Published or unpublished: rescan its duplicates for the stored report (a deleted
    activity's stored pairs go with it, by cascade)."""
    stored_pairs_refresh_on_commit(page_ids=[instance.pk])


def connect() -> None:
    post_page_move.connect(on_page_moved, dispatch_uid="activities.provider_on_move")
    page_published.connect(
        on_activity_published, sender=ActivityPage, dispatch_uid="activities.published_checked"
    )
    for signal, name in ((page_published, "published"), (page_unpublished, "unpublished")):
        signal.connect(
            on_activity_listing_changed,
            sender=ActivityPage,
            dispatch_uid=f"activities.duplicates_{name}",
        )
    pre_save.connect(
        on_activity_pre_save, sender=ActivityPage, dispatch_uid="activities.ical_sequence"
    )
