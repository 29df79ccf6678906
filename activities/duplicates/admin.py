"""Admin views for duplicates: the city overview (and its CSV) and recording a decision.

The overview and CSV read the stored scan (``stored``, refreshed by ``store``), a page of
``PAIRS_PER_PAGE`` pairs at a time, in a fixed number of queries.

City admins (and anyone with "view duplicate decision", e.g. a commissioner) see every pair;
a provider's editors see the pairs that involve their own activities, and may record a
decision only about those.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
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
from .selectors import Cluster, Finding, decision_list
from .services import duplicate_decision_record
from .stored import FilterChoices, stored_filter_choices, stored_findings, stored_pair_list


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

    def __init__(self, *args, overview: FilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Any"), *overview.providers]
        self.fields["area"].choices = [("", "Any"), *((a, a) for a in overview.areas)]
        self.fields["category"].choices = [("", "Any"), *((c, c) for c in overview.categories)]


# Pairs shown on one page of the report.
PAIRS_PER_PAGE = 50
# Decisions listed under the report (the newest).
DECISIONS_SHOWN = 50


@dataclass
class StoredOverview:
    """One page of the stored report: its groups and pairs, and how many there are in all."""

    clusters: list[Cluster]
    findings: list[Finding]
    pair_count: int
    cluster_count: int


def _filtered_pairs(request, scope: set[int] | None):
    if scope is not None and not scope:
        raise PermissionDenied
    # The filter choices come from everything the user may see; the filters then narrow it.
    visible = stored_pair_list(provider_ids=scope)
    form = OverviewFilterForm(request.GET or None, overview=stored_filter_choices(pairs=visible))
    if not form.is_valid() or not any(form.cleaned_data.values()):
        return visible, form
    data = form.cleaned_data
    return (
        stored_pair_list(
            provider_ids=scope,
            provider=data.get("provider") or None,
            area=data.get("area", ""),
            category=data.get("category", ""),
        ),
        form,
    )


def _page_clusters(findings: list[Finding]) -> list[Cluster]:
    """The page's pairs grouped by their stored cluster, in the order they came."""
    groups: dict[int, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.stored.cluster, []).append(finding)
    result = []
    for number, members in groups.items():
        records = {}
        for finding in members:
            for record in (finding.match.a, finding.match.b):
                records.setdefault(record.key, record)
        areas = sorted({area for f in members for area in f.areas if area})
        result.append(
            Cluster(number=number, records=list(records.values()), findings=members, areas=areas)
        )
    return result


def _decide_urls(request, findings: list[Finding]) -> dict[tuple[int, int], str]:
    decidable = duplicate_pairs_decidable(request.user, (f.pair for f in findings if f.pair))
    return {
        pair: reverse("duplicates_decide", args=pair)
        + "?"
        + urlencode({"next": request.get_full_path()})
        for pair in decidable
    }


def _sides(finding: Finding) -> dict:
    """Each activity's place and times as scanned, by page id."""
    pair = finding.stored
    return {
        pair.activity_a_id: (pair.place_a, pair.times_a),
        pair.activity_b_id: (pair.place_b, pair.times_b),
    }


@require_GET
def duplicates_report(request):
    scope = _overview_scope(request.user)
    pairs, form = _filtered_pairs(request, scope)
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    findings = stored_findings(list(page.object_list))
    overview = StoredOverview(
        clusters=_page_clusters(findings),
        findings=findings,
        pair_count=page.paginator.count,
        cluster_count=pairs.order_by().values("cluster").distinct().count(),
    )
    urls = _decide_urls(request, findings)
    clusters = []
    for cluster in overview.clusters:
        sides = {}
        for finding in cluster.findings:
            sides.update(_sides(finding))
        clusters.append(
            {
                "cluster": cluster,
                "activities": [
                    {"record": record, "place": sides[record.key][0], "times": sides[record.key][1]}
                    for record in cluster.records
                ],
                "pairs": [{"finding": f, "decide_url": urls.get(f.pair)} for f in cluster.findings],
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/admin/duplicates_report.html",
        {
            "page_title": "Duplicates and clashes",
            "header_icon": "warning",
            "form": form,
            # The template's names: "report" is the page of the overview it shows.
            "report": overview,
            "clusters": clusters,
            "page_obj": page,
            "whole_city": scope is None,
            "decisions": decision_list(provider_ids=scope, limit=DECISIONS_SHOWN),
            "query": query.urlencode(),
            "last_scan": pairs.order_by().aggregate(last=Max("scanned_at"))["last"],
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


# Stored pairs read per query while the CSV is written.
_CSV_CHUNK = 2000


@require_GET
def duplicates_report_csv(request):
    pairs, _ = _filtered_pairs(request, _overview_scope(request.user))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="duplicates.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    chunk: list = []
    for pair in pairs.iterator(chunk_size=_CSV_CHUNK):
        chunk.append(pair)
        if len(chunk) == _CSV_CHUNK:
            _csv_rows(writer, chunk)
            chunk = []
    _csv_rows(writer, chunk)
    return response


def _csv_rows(writer, pairs: list) -> None:
    for finding in stored_findings(pairs):
        match, stored = finding.match, finding.stored
        row = [stored.cluster, match.kind, f"{match.score:.2f}"]
        for record, area, side in zip((match.a, match.b), finding.areas, "ab", strict=True):
            row += [
                record.ref,
                record.title,
                record.provider,
                getattr(stored, f"place_{side}"),
                area,
                "; ".join(getattr(stored, f"times_{side}")),
            ]
        row += [
            "" if match.distance_km is None else f"{match.distance_km:.2f}",
            "; ".join(match.reasons),
            "; ".join(match.differences),
            _decision_text(finding),
        ]
        writer.writerow([formula_safe(value) for value in row])


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
