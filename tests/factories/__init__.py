"""Factories for test data: plain values, no side effects beyond the rows they create."""

from .activities import (
    ActivityFactory,
    ActivityFeatureFactory,
    AudienceFactory,
    CancellationFactory,
    CategoryFactory,
    ScheduleFactory,
)
from .directory import ProviderFactory
from .venues import VenueFactory, VenueFeatureFactory

__all__ = [
    "ActivityFactory",
    "ActivityFeatureFactory",
    "AudienceFactory",
    "CancellationFactory",
    "CategoryFactory",
    "ProviderFactory",
    "ScheduleFactory",
    "VenueFactory",
    "VenueFeatureFactory",
]
