"""Admin screens for problem reports: the list (an editor sees their own organisation's) and
marking one resolved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ..models import ProblemReport
from ..navigation import safe_next
from ..selectors import activity_list_editable
from . import services as reports

PAGE_SIZE = 50


@require_GET
def problem_report_list(request):
    status = request.GET.get("status", ProblemReport.Status.OPEN)
    editable = activity_list_editable(user=request.user)
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
    editable = activity_list_editable(user=request.user)
    report = get_object_or_404(ProblemReport.objects.select_related("activity"), pk=pk)
    if not editable.filter(pk=report.activity_id).exists():
        raise PermissionDenied
    reports.problem_report_resolve(report=report, user=request.user)
    messages.success(request, f"Marked the report about “{report.activity.title}” as resolved.")
    return redirect(safe_next(request, request.POST.get("next")) or reverse("problem_reports"))
