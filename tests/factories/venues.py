import factory
from factory.django import DjangoModelFactory

from venues.accessibility import FeatureStatus
from venues.models import Venue, VenueFeature


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Community Centre {n}")
    slug = factory.Sequence(lambda n: f"community-centre-{n}")
    address = factory.Sequence(lambda n: f"{n} Bold Street, Liverpool")
    postcode = "L1 4DN"
    latitude = 53.4017
    longitude = -2.9800


class VenueFeatureFactory(DjangoModelFactory):
    class Meta:
        model = VenueFeature

    venue = factory.SubFactory(VenueFactory)
    code = "step_free_entrance"
    status = FeatureStatus.YES
