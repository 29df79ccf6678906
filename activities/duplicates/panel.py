"""The page editor's "Similar activities already run nearby" warning.

A Wagtail panel on ActivityPage's content tab. It scores the activity *as it is being edited*
(the latest draft, or the submitted form) against other providers' current activities near it,
so the editor sees the overlap before publishing. It needs no JavaScript: on a new activity it
explains that saving a draft (never public) runs the check, and offers a button that does so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from wagtail.admin.panels import Panel

if TYPE_CHECKING:  # the scorer pulls in numpy and scikit-learn: load it only when used
    from .scoring import ActivityRecord, Slot

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _day_month(value) -> str:
    return f"{value.day} {value:%B}"


def describe_slot(slot: Slot) -> str:
    """Short wording for a time slot, e.g. "Tuesdays 10:00–12:00, 10 November to 15 December
    2026" (dates only for a series that ends)."""
    day = WEEKDAYS[slot.weekday]
    times = f"{slot.start:%H:%M}–{slot.end:%H:%M}"
    if slot.frequency == "once" and slot.first_date:
        return f"{day} {_day_month(slot.first_date)} {slot.first_date.year}, {times}"
    if slot.frequency == "fortnightly":
        text = f"every other {day}, {times}"
    elif slot.frequency == "monthly":
        text = f"one {day} a month, {times}"
    else:
        text = f"{day}s {times}"
    if slot.first_date and slot.ends_on:
        text += f", {_day_month(slot.first_date)} to {_day_month(slot.ends_on)} {slot.ends_on.year}"
    return text


def describe_place(record: ActivityRecord) -> str:
    parts = [p for p in (record.venue_name, record.postcode) if p]
    place = ", ".join(parts)
    if record.online:
        return f"{place} and online" if place else "Online"
    return place or "Place not known"


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
            from directory.models import ProviderPage

            match = getattr(self.request, "resolver_match", None)
            parent_id = match.kwargs.get("parent_page_id") if match else None
            return ProviderPage.objects.filter(pk=parent_id).first() if parent_id else None

        def get_context_data(self, parent_context=None):
            from .selectors import page_findings, page_record
            from .services import may_decide

            context = super().get_context_data(parent_context)
            page = self.instance
            record = page_record(
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
            findings, total = page_findings(record=record, limit=settings.DUPLICATE_WARNING_LIMIT)
            from ..models import ActivityPage

            others = ActivityPage.objects.in_bulk([f.match.b.key for f in findings])
            rows = []
            for finding in findings:
                other = others.get(finding.match.b.key)
                decide_url = None
                user = self.request.user
                if page.pk and other and may_decide(user=user, first=page, second=other):
                    decide_url = reverse("duplicates_decide", args=[page.pk, other.pk])
                    decide_url += "?" + urlencode({"next": self.request.get_full_path()})
                rows.append(
                    {
                        "finding": finding,
                        "other": finding.match.b,
                        "url": other.get_url(request=self.request) if other else None,
                        "times": [describe_slot(s) for s in finding.match.b.slots],
                        "place": describe_place(finding.match.b),
                        "decide_url": decide_url,
                    }
                )
            context.update(findings=findings, total=total, rows=rows)
            return context
