"""Keep the denormalised ActivityPage.provider right when pages move between providers."""

from wagtail.signals import post_page_move


def on_page_moved(sender, instance, parent_page_after, **kwargs):
    from directory.models import ProviderPage

    from .models import ActivityPage

    provider = ProviderPage.objects.filter(pk=parent_page_after.pk).first()
    ActivityPage.objects.filter(pk=instance.pk).update(provider=provider)


def connect() -> None:
    post_page_move.connect(on_page_moved, dispatch_uid="activities.provider_on_move")
