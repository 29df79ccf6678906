from django.shortcuts import get_object_or_404, render

from activities.selectors import venue_activities

from .models import Venue
from .selectors import venue_access_table


def venue_detail(request, slug: str):
    venue = get_object_or_404(Venue.objects.prefetch_related("features"), slug=slug)
    return render(
        request,
        "venues/venue_detail.html",
        {"venue": venue, "access": venue_access_table(venue), **venue_activities(venue=venue)},
    )
