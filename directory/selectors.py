"""Reads for the site-wide pages."""

from django.utils import timezone

from activities.models import Audience, Category
from activities.selectors import activity_list_current

from .models import ProviderPage


def home_context(*, request) -> dict:
    current = activity_list_current(today=timezone.localdate())
    return {
        "activity_count": current.count(),
        "providers": ProviderPage.objects.live().order_by("title"),
        "categories": Category.objects.filter(activities__in=current).distinct().order_by("name"),
        "audiences": Audience.objects.filter(activities__in=current).distinct().order_by("name"),
    }
