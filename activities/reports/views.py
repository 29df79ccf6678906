"""Public view: report a problem with a listing (GET the form, POST it, thank-you page)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ..models import ActivityPage
from . import services as reports
from .forms import ProblemReportForm

TEMPLATE = "activities/report_problem.html"


def _activity(pk: int) -> ActivityPage:
    return get_object_or_404(ActivityPage.objects.live().public().select_related("provider"), pk=pk)


@require_http_methods(["GET", "POST"])
def report_problem(request, pk: int):
    activity = _activity(pk)
    context = {"activity": activity, "state": "form"}
    if request.method == "POST":
        form = ProblemReportForm(request.POST, activity_id=activity.pk)
        if form.is_valid():
            if not reports.report_accept_allowed(request=request):
                context["state"] = "limited"
                return render(request, TEMPLATE, context, status=429)
            report = reports.problem_report_create(
                activity=activity,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                reply_to=form.cleaned_data["reply_to"],
            )
            if reports.report_notify_allowed(activity_id=activity.pk):
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
