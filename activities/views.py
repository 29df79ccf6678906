"""Browse and export (public views that share one query string), and the venue page."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from venues.models import Venue
from venues.selectors import venue_access_table

from . import selectors
from .filters import filter_errors_text
from .imports.export import write_csv
from .search import relax


@require_GET
def browse(request):
    result = selectors.activity_list_browse(
        params=request.GET,
        page_number=request.GET.get("page", 1),
        page_size=settings.BROWSE_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    exact = query.copy()
    exact["exact"] = "1"
    empty = result.filterset.is_valid() and not result.count
    return render(
        request,
        "activities/browse.html",
        {
            "result": result,
            "form": result.filterset.form,
            "query": query.urlencode(),
            "exact_query": exact.urlencode(),
            "relaxed": relax.without_one_filter(params=query) if empty else None,
            "nav": "browse",
        },
        status=200 if result.filterset.is_valid() else 400,
    )


@require_GET
def provider_search(request):
    """Organisations whose name contains `q`, for the browse page's suggestions (JSON)."""
    return JsonResponse({"results": selectors.provider_suggestions(text=request.GET.get("q", ""))})


@require_GET
def export_csv(request):
    """Exactly the filtered list, in the timetable spreadsheet layout."""
    filterset, activities = selectors.activity_list_filtered(params=request.GET)
    if not filterset.is_valid():
        return HttpResponse(
            f"Could not export: {filter_errors_text(filterset)}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="timetable-{stamp}.csv"'
    write_csv(activities, response)
    return response


def venue_detail(request, slug: str):
    venue = get_object_or_404(Venue.objects.prefetch_related("features"), slug=slug)
    return render(
        request,
        "venues/venue_detail.html",
        {
            "venue": venue,
            "access": venue_access_table(venue),
            **selectors.venue_timetable(venue=venue),
        },
    )
