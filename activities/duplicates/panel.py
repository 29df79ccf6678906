"""The page editor's "Similar activities already run nearby" warning.

A Wagtail panel on ActivityPage's content tab. It scores the activity *as it is being edited*
(the latest draft, or the submitted form) against other providers' current activities near it,
so the editor sees the overlap before publishing. It needs no JavaScript: on a new activity it
explains that saving a draft (never public) runs the check, and offers a button that does so.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from wagtail.admin.panels import Panel

from directory.models import ProviderPage
from directory.permissions import duplicate_pairs_decidable

from ..wording import slot_summary
from .reasons import describe_place


class SimilarActivitiesPanel(Panel):
    def __init__(self, heading="Similar activities already run nearby", **kwargs):
        super().__init__(heading=heading, **kwargs)

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "heading": self.heading}

    class BoundPanel(Panel.BoundPanel):
        template_name = "activities/admin/duplicates_panel.html"

        def _submitted(self, name: str):
            """What the submitted form says for a relation, or None to use the page's own."""
            form = self.form
            if form is None or not form.is_bound or not hasattr(form, "cleaned_data"):
                return None
            if name in ("categories", "audiences"):
                return form.cleaned_data.get(name) if name in form.cleaned_data else None
            formset = getattr(form, "formsets", {}).get(name)
            if formset is None:
                return None
            return [
                child.instance
                for child in formset.forms
                if getattr(child, "cleaned_data", None) and not child.cleaned_data.get("DELETE")
            ]

        def _parent(self):
            match = getattr(self.request, "resolver_match", None)
            parent_id = match.kwargs.get("parent_page_id") if match else None
            return ProviderPage.objects.filter(pk=parent_id).first() if parent_id else None

        def get_context_data(self, parent_context=None):
            # The model imports this panel: what imports the model back waits until here.
            from ..models import ActivityPage  # noqa: PLC0415 -- imported by the model
            from .selectors import (  # noqa: PLC0415 -- imported by the model
                activity_record_page,
                finding_list_page,
            )

            context = super().get_context_data(parent_context)
            page = self.instance
            record = activity_record_page(
                page=page,
                categories=self._submitted("categories"),
                audiences=self._submitted("audiences"),
                schedules=self._submitted("schedules"),
                parent=None if page.pk else self._parent(),
            )
            checkable = bool(record.title.strip()) and (
                record.online or record.venue_key is not None
            )
            context.update(
                is_new=page.pk is None, checkable=checkable, findings=[], total=0, rows=[]
            )
            if not checkable:
                return context
            findings, total = finding_list_page(
                record=record, limit=settings.DUPLICATE_WARNING_LIMIT
            )
            others = ActivityPage.objects.in_bulk([f.match.b.key for f in findings])
            decidable = duplicate_pairs_decidable(
                self.request.user, (f.pair for f in findings if f.pair)
            )
            rows = []
            for finding in findings:
                other = others.get(finding.match.b.key)
                decide_url = None
                if other and finding.pair in decidable:
                    decide_url = reverse("duplicates_decide", args=[page.pk, other.pk])
                    decide_url += "?" + urlencode({"next": self.request.get_full_path()})
                rows.append(
                    {
                        "finding": finding,
                        "other": finding.match.b,
                        "url": other.get_url(request=self.request) if other else None,
                        "times": [slot_summary(s) for s in finding.match.b.slots],
                        "place": describe_place(finding.match.b),
                        "decide_url": decide_url,
                    }
                )
            context.update(findings=findings, total=total, rows=rows)
            return context
