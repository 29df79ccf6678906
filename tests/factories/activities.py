import datetime as dt

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from activities.enums import ActivityKind, Frequency
from activities.models import (
    ActivityFeature,
    ActivityPage,
    Audience,
    Cancellation,
    Category,
    Schedule,
)
from tests.support.dates import today
from venues.accessibility import FeatureStatus

from .directory import ProviderFactory
from .venues import VenueFactory


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class AudienceFactory(DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Audience {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    restriction = ""


class ActivityFactory(wagtail_factories.PageFactory):
    """A live activity under a provider, meeting at a venue (add schedules separately)."""

    class Meta:
        model = ActivityPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Activity {n}")
    slug = factory.Sequence(lambda n: f"activity-{n}")
    ref = factory.Sequence(lambda n: f"A-{n}")
    kind = ActivityKind.GROUP
    description = "A friendly group for anyone who would like some company."
    cost = "Free"
    venue = factory.SubFactory(VenueFactory)
    parent = factory.SubFactory(ProviderFactory)
    live = True

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)
            self.save()  # parental M2M values are written on save

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)
            self.save()


class ScheduleFactory(DjangoModelFactory):
    """Weekly on the weekday of `first_date`, 10:00-12:00, open-ended; by default it began two
    weeks before the site's today (Europe/London, as the product reads it), so it is running."""

    class Meta:
        model = Schedule

    activity = factory.SubFactory(ActivityFactory)
    frequency = Frequency.WEEKLY
    first_date = factory.LazyFunction(lambda: today() - dt.timedelta(days=14))
    start_time = dt.time(10, 0)
    end_time = dt.time(12, 0)


class CancellationFactory(DjangoModelFactory):
    """By default on the site's today."""

    class Meta:
        model = Cancellation

    activity = factory.SubFactory(ActivityFactory)
    date = factory.LazyFunction(today)
    reason = "Bank holiday"


class ActivityFeatureFactory(DjangoModelFactory):
    class Meta:
        model = ActivityFeature

    activity = factory.SubFactory(ActivityFactory)
    code = "small_group"
    status = FeatureStatus.YES
