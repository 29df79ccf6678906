"""The admin's search behind the "what next" chooser (activities.widgets.NextStepsChooser)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .selectors import next_step_search


@require_GET
def next_steps_search(request):
    exclude = request.GET.get("exclude", "")
    results = next_step_search(
        user=request.user,
        text=request.GET.get("q", ""),
        exclude=int(exclude) if exclude.isdigit() and len(exclude) < 18 else None,
    )
    return JsonResponse({"results": results})
