"""The "Your timetable" screen and dashboard panel (registered in activities.wagtail_hooks)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from wagtail.admin.ui.components import Component

from directory.permissions import providers_editable

from .selectors import timetable_page


def _context(request, *, number) -> dict:
    today = timezone.localdate()
    page, rows = timetable_page(user=request.user, number=number, today=today)
    providers = list(providers_editable(request.user).order_by("title")[:20])
    return {
        "page_obj": page,
        "rows": rows,
        "today": today,
        "providers": providers,
        "count": page.paginator.count,
    }


@require_GET
def your_timetable(request):
    context = _context(request, number=request.GET.get("p"))
    return TemplateResponse(
        request,
        "activities/admin/your_timetable.html",
        {
            "page_title": "Your timetable",
            "header_title": "Your timetable",
            "header_icon": "calendar",
            "base_url": reverse("your_timetable"),
            **context,
        },
    )


class YourTimetablePanel(Component):
    """The dashboard's first panel for a provider editor: the first page of their timetable."""

    name = "your_timetable"
    order = 40  # above "Your organisation" (50) and "Listings to check" (60)

    class Media:
        css = {"all": ["css/admin-imports.css"]}

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None) -> str:
        context = _context(self.request, number=1)
        children = render_to_string(
            "activities/admin/includes/timetable_table.html",
            {**context, "base_url": reverse("your_timetable")},
            request=self.request,
        )
        return render_to_string(
            "wagtailadmin/shared/panel.html",
            {
                "id": "your-timetable",
                "heading": "Your timetable",
                "classname": "w-panel--dashboard",
                "children": children,
            },
        )
