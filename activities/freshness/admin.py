"""Admin screens for freshness: listings to check (and confirm them), and the dashboard panel.

They list only what the signed-in user may edit (Wagtail page permissions), so an editor sees
their own organisation's listings, and city admins and superusers see everyone's.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.ui.components import Component

from ..navigation import safe_next
from ..selectors import activity_list_editable
from ..wording import long_date
from . import services as freshness

PAGE_SIZE = 50
PANEL_LIMIT = 10


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _back(request, default: str) -> str:
    return safe_next(request, request.POST.get("next")) or default


@require_GET
def freshness_list(request):
    today = timezone.localdate()
    stale = freshness.activity_list_stale(user=request.user, today=today)
    page = Paginator(stale, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "activities/admin/freshness_list.html",
        {
            "page_title": "Listings to check",
            "header_title": "Listings to check",
            "header_icon": "history",
            "page_obj": page,
            "activities": page.object_list,
            "count": page.paginator.count,
            "stale_days": settings.STALE_AFTER_DAYS,
            "today": today,
        },
    )


@require_POST
def freshness_confirm(request):
    """Confirm the ticked listings. Ids the user may not edit change nothing: all refused is
    a 403; some refused is reported alongside what was confirmed."""
    despite = _ids(request.POST.getlist("activity_despite_report"))
    ids = _ids(request.POST.getlist("activity")) + despite
    back = _back(request, reverse("freshness_list"))
    if not ids:
        messages.error(request, "Tick at least one listing to confirm it is still right.")
        return redirect(back)
    result = freshness.activity_list_confirm_checked(
        user=request.user, page_ids=ids, despite_reports=set(despite)
    )
    for page in result.held:
        messages.error(
            request,
            f"“{page.title}” was not confirmed: it has an open problem report "
            f"(“{page.open_reports[0].get_kind_display()}”). Edit the listing, or tick "
            "“Still right despite the report” if you have checked it.",
        )
    if not result.confirmed:
        if result.held:
            return redirect(back)
        raise PermissionDenied
    count, today = len(result.confirmed), timezone.localdate()
    messages.success(
        request,
        f"Confirmed {count} listing{'s' if count != 1 else ''} as still right "
        f"(checked {long_date(today)}).",
    )
    if result.refused:
        messages.error(
            request,
            f"{len(result.refused)} listing(s) were not changed: you may not edit them.",
        )
    return redirect(back)


class ListingsToCheckPanel(Component):
    """The editor's live listings not confirmed for STALE_AFTER_DAYS, to confirm in one go."""

    name = "listings_to_check"
    order = 60  # just below "Your organisation"

    class Media:
        css = {"all": ["css/admin-imports.css"]}

    def __init__(self, activities: list, count: int):
        self.activities = activities
        self.count = count

    def render_html(self, parent_context=None) -> str:
        request = parent_context.get("request") if parent_context else None
        children = render_to_string(
            "activities/admin/freshness_form.html",
            {
                "activities": self.activities,
                "count": self.count,
                "more": self.count > len(self.activities),
                "next": reverse("wagtailadmin_home"),
                "today": timezone.localdate(),
                "stale_days": settings.STALE_AFTER_DAYS,
            },
            request=request,
        )
        return render_to_string(
            "wagtailadmin/shared/panel.html",
            {
                "id": "listings-to-check",
                "heading": "Listings to check",
                "classname": "w-panel--dashboard",
                "children": children,
            },
        )


def listings_to_check_panel(request) -> ListingsToCheckPanel | None:
    """The dashboard panel for this user, or None when nothing of theirs is live."""
    user = request.user
    if not activity_list_editable(user=user).live().exists():
        return None  # nothing of theirs to check (e.g. a user who only manages venues)
    stale = freshness.activity_list_stale(user=user, today=timezone.localdate())
    activities = list(stale[:PANEL_LIMIT])
    count = len(activities) if len(activities) < PANEL_LIMIT else stale.count()
    return ListingsToCheckPanel(activities, count)
