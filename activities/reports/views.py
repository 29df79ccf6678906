"""Public view: report a problem with a listing (GET the form, POST it, thank-you page)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ..models import ActivityPage
from . import services as reports
from .forms import ProblemReportForm

TEMPLATE = "activities/report_problem.html"


def _activity(pk: int) -> ActivityPage:
    return get_object_or_404(ActivityPage.objects.live().public().select_related("provider"), pk=pk)


def client_address(request) -> str:
    """The client's address for the rate limit. Behind a proxy, REPORT_CLIENT_IP_HEADER names
    the header it sets (e.g. HTTP_X_FORWARDED_FOR); its last entry is the one our proxy saw."""
    header = settings.REPORT_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def report_problem(request, pk: int):
    activity = _activity(pk)
    client = reports.client_key(client_address(request))
    context = {"activity": activity, "state": "form"}
    if request.method == "POST":
        if reports.report_rate_limited(client=client, activity_id=activity.pk):
            context["state"] = "limited"
            return render(request, TEMPLATE, context, status=429)
        form = ProblemReportForm(request.POST, activity_id=activity.pk)
        if form.is_valid():
            report = reports.problem_report_create(
                activity=activity,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                reply_to=form.cleaned_data["reply_to"],
            )
            reports.report_rate_count(client=client, activity_id=activity.pk)
            reports.problem_report_notify(report=report)
            return redirect("report_problem_thanks", pk=activity.pk)
        # A fresh token, so someone who sent too quickly can simply send again.
        form.data = form.data.copy()
        form.data["token"] = reports.report_token_make(activity_id=activity.pk)
        context["form"] = form
        return render(request, TEMPLATE, context, status=400)
    context["form"] = ProblemReportForm(
        activity_id=activity.pk,
        initial={"token": reports.report_token_make(activity_id=activity.pk)},
    )
    return render(request, TEMPLATE, context)


def report_problem_thanks(request, pk: int):
    return render(request, TEMPLATE, {"activity": _activity(pk), "state": "thanks"})
