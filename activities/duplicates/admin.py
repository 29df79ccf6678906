"""Admin views for duplicates: the city overview (and its CSV) and recording a decision.

City admins (and anyone with "view duplicate decision", e.g. a commissioner) see every pair;
a provider's editors see the pairs that involve their own activities, and may record a
decision only about those.
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.admin.menu import MenuItem

from directory.permissions import (
    duplicate_pairs_decidable,
    may_decide_duplicate,
    providers_editable,
    sees_all_duplicates,
)

from ..imports.cells import formula_safe
from ..models import ActivityPage, DuplicateDecision
from ..navigation import safe_next
from ..wording import slot_summary
from .reasons import describe_place
from .selectors import (
    DuplicateOverview,
    Finding,
    decision_list,
    duplicate_overview,
    duplicate_overview_filter,
)
from .services import duplicate_decision_record


def _overview_scope(user) -> set[int] | None:
    """None: the whole city. A set: only pairs involving these providers. Empty: no access."""
    if sees_all_duplicates(user):
        return None
    return set(providers_editable(user).values_list("pk", flat=True))


class DuplicatesMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return sees_all_duplicates(user) or providers_editable(user).exists()


class OverviewFilterForm(forms.Form):
    provider = forms.TypedChoiceField(label="Organisation", required=False, coerce=int)
    area = forms.ChoiceField(label="Area", required=False)
    category = forms.ChoiceField(label="Topic", required=False)

    def __init__(self, *args, overview: DuplicateOverview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Any"), *overview.providers]
        self.fields["area"].choices = [("", "Any"), *((a, a) for a in overview.areas)]
        self.fields["category"].choices = [("", "Any"), *((c, c) for c in overview.categories)]


def _filtered_overview(
    request, scope: set[int] | None
) -> tuple[DuplicateOverview, OverviewFilterForm]:
    if scope is not None and not scope:
        raise PermissionDenied
    # The filter choices come from everything the user may see; the filters then narrow it.
    overview = duplicate_overview(provider_ids=scope)
    form = OverviewFilterForm(request.GET or None, overview=overview)
    if not form.is_valid() or not any(form.cleaned_data.values()):
        return overview, form
    data = form.cleaned_data
    filtered = duplicate_overview_filter(
        overview=overview,
        provider=data.get("provider") or None,
        area=data.get("area", ""),
        category=data.get("category", ""),
    )
    return filtered, form


def _decide_urls(request, findings: list[Finding]) -> dict[tuple[int, int], str]:
    decidable = duplicate_pairs_decidable(request.user, (f.pair for f in findings if f.pair))
    return {
        pair: reverse("duplicates_decide", args=pair)
        + "?"
        + urlencode({"next": request.get_full_path()})
        for pair in decidable
    }


@require_GET
def duplicates_report(request):
    scope = _overview_scope(request.user)
    overview, form = _filtered_overview(request, scope)
    urls = _decide_urls(request, overview.findings)
    clusters = []
    for cluster in overview.clusters:
        clusters.append(
            {
                "cluster": cluster,
                "activities": [
                    {
                        "record": record,
                        "place": describe_place(record),
                        "times": [slot_summary(s) for s in record.slots],
                    }
                    for record in cluster.records
                ],
                "pairs": [{"finding": f, "decide_url": urls.get(f.pair)} for f in cluster.findings],
            }
        )
    return render(
        request,
        "activities/admin/duplicates_report.html",
        {
            "page_title": "Duplicates and clashes",
            "header_icon": "warning",
            "form": form,
            # The template's names: "report" is the overview it shows.
            "report": overview,
            "clusters": clusters,
            "whole_city": scope is None,
            "decisions": decision_list(provider_ids=scope),
            "query": request.GET.urlencode(),
        },
    )


CSV_COLUMNS = [
    "cluster",
    "kind",
    "score",
    "a_ref",
    "a_title",
    "a_provider",
    "a_place",
    "a_area",
    "a_times",
    "b_ref",
    "b_title",
    "b_provider",
    "b_place",
    "b_area",
    "b_times",
    "distance_km",
    "reasons",
    "differences",
    "decision",
]


def _decision_text(finding: Finding) -> str:
    if finding.reopened:
        return "marked not a duplicate, changed since"
    if finding.confirmed:
        return "confirmed duplicate"
    return ""


@require_GET
def duplicates_report_csv(request):
    overview, _ = _filtered_overview(request, _overview_scope(request.user))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="duplicates.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for cluster in overview.clusters:
        for finding in cluster.findings:
            match = finding.match
            row = [cluster.number, match.kind, f"{match.score:.2f}"]
            for record, area in zip((match.a, match.b), finding.areas, strict=True):
                row += [
                    record.ref,
                    record.title,
                    record.provider,
                    describe_place(record),
                    area,
                    "; ".join(slot_summary(s) for s in record.slots),
                ]
            row += [
                "" if match.distance_km is None else f"{match.distance_km:.2f}",
                "; ".join(match.reasons),
                "; ".join(match.differences),
                _decision_text(finding),
            ]
            writer.writerow([formula_safe(value) for value in row])
    return response


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (
                DuplicateDecision.Status.NOT_DUPLICATE,
                "Not a duplicate: they are for different needs",
            ),
            (DuplicateDecision.Status.CONFIRMED, "It is a duplicate: we will sort it out"),
        ],
    )
    note = forms.CharField(
        label="Why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what makes them different (who each is for, what happens, how people join).",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == DuplicateDecision.Status.NOT_DUPLICATE
            and not (data.get("note") or "").strip()
        ):
            self.add_error("note", "Say why they are not duplicates: others will read it.")
        return data


@require_http_methods(["GET", "POST"])
def duplicates_decide(request, first_id: int, second_id: int):
    first = get_object_or_404(ActivityPage, pk=first_id)
    second = get_object_or_404(ActivityPage, pk=second_id)
    if first.pk == second.pk or not may_decide_duplicate(request.user, first, second):
        raise PermissionDenied
    low, high = sorted((first, second), key=lambda page: page.pk)
    existing = DuplicateDecision.objects.filter(activity_a=low, activity_b=high).first()
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    initial = {"status": existing.status, "note": existing.note} if existing else None
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        duplicate_decision_record(
            first=first,
            second=second,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
        messages.success(
            request, f"Saved your decision about “{first.title}” and “{second.title}”."
        )
        return redirect(next_url or "duplicates_report")
    return render(
        request,
        "activities/admin/duplicates_decide.html",
        {
            "page_title": "Is it a duplicate?",
            "header_icon": "warning",
            "form": form,
            "pages": [(p, p.provider) for p in (first, second)],
            "existing": existing,
            "next": next_url,
        },
    )
