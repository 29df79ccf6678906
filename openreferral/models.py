"""Where imported listings came from: an ORUK feed, and each activity's id in it.

Activities read in by ``import_oruk`` are ordinary ``ActivityPage``s of the provider named for
the feed (so browse, the finder and duplicate detection see them); a ``SourcedListing`` row
marks each one as from an outside source, which makes it read-only for editors
(``directory.permissions.outside_listing_editable``, asked by ``wagtail_hooks``). A listing
that a full read of its feed no longer has is unpublished, never deleted (its history and any
referrals stay), and published again if the feed has it again.
"""

from __future__ import annotations

from django.db import models


class SourceFeed(models.Model):
    """An ORUK 3.0 feed we read, and how far we have read it."""

    url = models.CharField(
        max_length=1000, unique=True, help_text="The feed's base address (or a file's path)."
    )
    provider = models.ForeignKey(
        "directory.ProviderPage", on_delete=models.CASCADE, related_name="source_feeds"
    )
    # The newest service last_modified seen, for modified_after on the next run.
    read_up_to = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url


class SourcedListing(models.Model):
    """One activity that came from a feed: the feed's service id for it."""

    feed = models.ForeignKey(SourceFeed, on_delete=models.CASCADE, related_name="listings")
    activity = models.OneToOneField(
        "activities.ActivityPage", on_delete=models.CASCADE, related_name="source_listing"
    )
    source_id = models.CharField(max_length=200)
    source_modified = models.CharField(max_length=40, blank=True)
    # Set when a full read of the feed no longer had this service and we unpublished it; a
    # later read that has it again publishes it again and reports it as back.
    taken_down_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "source_id"], name="sourced_listing_once")
        ]

    def __str__(self) -> str:
        return f"{self.feed} #{self.source_id}"
