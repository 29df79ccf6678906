"""Admin screens: listings to check (and confirm), and problem reports from the public.

Both list only what the signed-in user may edit (Wagtail page permissions), so an editor sees
their own organisation's listings and reports, and city admins and superusers see everyone's.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.menu import MenuItem

from . import freshness, reports
from .admin_views import may_import
from .models import ProblemReport

PAGE_SIZE = 50


class ProviderWorkMenuItem(MenuItem):
    """Shown to superusers, city admins and provider editors."""

    def is_shown(self, request):
        return may_import(request.user)


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


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
    ids = _ids(request.POST.getlist("activity"))
    back = _back(request, reverse("freshness_list"))
    if not ids:
        messages.error(request, "Tick at least one listing to confirm it is still right.")
        return redirect(back)
    result = freshness.activities_confirm_checked(user=request.user, page_ids=ids)
    if not result.confirmed:
        raise PermissionDenied
    count, today = len(result.confirmed), timezone.localdate()
    messages.success(
        request,
        f"Confirmed {count} listing{'s' if count != 1 else ''} as still right "
        f"(checked {today.day} {today:%B %Y}).",
    )
    if result.refused:
        messages.error(
            request,
            f"{len(result.refused)} listing(s) were not changed: you may not edit them.",
        )
    return redirect(back)


@require_GET
def problem_report_list(request):
    status = request.GET.get("status", ProblemReport.Status.OPEN)
    editable = freshness.activity_list_editable(user=request.user)
    found = (
        ProblemReport.objects.filter(activity__in=editable.values("pk"))
        .select_related("activity", "activity__provider", "resolved_by")
        .order_by("-created_at", "-pk")
    )
    if status in ProblemReport.Status.values:
        found = found.filter(status=status)
    else:
        status = ""
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "activities/admin/problem_reports.html",
        {
            "page_title": "Problem reports",
            "header_title": "Problem reports",
            "header_icon": "warning",
            "page_obj": page,
            "reports": page.object_list,
            "status": status,
            "statuses": [("open", "Open"), ("resolved", "Resolved"), ("", "All")],
        },
    )


@require_POST
def problem_report_resolve(request, pk: int):
    editable = freshness.activity_list_editable(user=request.user)
    report = get_object_or_404(ProblemReport.objects.select_related("activity"), pk=pk)
    if not editable.filter(pk=report.activity_id).exists():
        raise PermissionDenied
    reports.problem_report_resolve(report=report, user=request.user)
    messages.success(request, f"Marked the report about “{report.activity.title}” as resolved.")
    return redirect(_back(request, reverse("problem_reports")))
