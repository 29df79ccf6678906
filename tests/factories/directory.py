import factory
import wagtail_factories
from django.utils.text import slugify

from directory.models import ProviderIndexPage, ProviderPage


class ProviderFactory(wagtail_factories.PageFactory):
    """A live provider page under the organisations index (which a migration creates)."""

    class Meta:
        model = ProviderPage

    title = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    contact_email = "hello@example.org"
    parent = factory.LazyFunction(ProviderIndexPage.objects.get)
    live = True
