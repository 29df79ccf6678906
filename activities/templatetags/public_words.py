"""Public wording in templates: applied-filter chips, audience labels and dates relative to today.

``{% applied_filters form query as chips %}`` lists each applied browse filter with an address
that removes just that one; ``{{ audience|audience_name }}`` is an audience as people write it;
``{{ occurrence|session_words }}`` is "Today, Thursday 3 December, 10:00 to 12:00". The words
themselves live in activities.wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from activities import wording
from activities.enums import When

register = template.Library()

# Parameters that are not filters: they never become chips, and removing a chip keeps them.
_NOT_FILTERS = {"page", "sort"}


@dataclass(frozen=True)
class Chip:
    label: str  # "Near L8", "Free only", "For: Women"
    remove_url: str  # the same list without this one filter, landing on the results


def _labels(form, name: str) -> dict[str, str]:
    field = form.fields[name]
    if name == "provider":  # a search box: slugs, names or parts of names (filters.ProviderField)
        return dict(form.cleaned_data.get("provider") or [])
    if hasattr(field, "queryset"):
        key = field.to_field_name or "pk"
        return {str(getattr(obj, key)): field.label_from_instance(obj) for obj in field.queryset}
    return {str(value): str(label) for value, label in field.choices}


def _chip_label(form, name: str, value: str, labels: dict[str, str]) -> str | None:
    cleaned = form.cleaned_data
    if name == "postcode":
        origin = cleaned.get("postcode")
        return f"Near {origin.label}" if origin else None
    if name == "q":
        return f"Matching “{value}”"
    if name == "free":
        return "Free only"
    if name == "on":
        day = cleaned.get("on")
        if day is None or cleaned.get("when") not in ("", None, When.DATE):
            return None
        return f"On {wording.weekday_date(day)}"
    if name == "when" and value == When.DATE:
        return None  # the date itself is the chip
    label = labels.get(value)
    if label is None and name == "provider":
        label = f"“{value}”"  # part of a name, matched by the search box
    if label is None:
        return None
    prefix = {"audience": "For: ", "radius": "Within ", "provider": "Run by "}.get(name, "")
    return f"{prefix}{label}"


def _without(params: QueryDict, name: str, value: str) -> str:
    pairs = [
        (key, item)
        for key, items in params.lists()
        if key != "page"
        for item in items
        if item != ""
        and not (key == name and item == value)
        # Removing the postcode removes its distance too; removing a date removes "on a date".
        and not (name == "postcode" and key == "radius")
        and not (name == "on" and key == "when")
    ]
    query = urlencode(pairs)
    return f"{reverse('browse')}?{query}#results" if query else f"{reverse('browse')}#results"


@register.simple_tag
def applied_filters(form, query: str) -> list[Chip]:
    """One chip per applied filter value of a valid browse form, in the form's order."""
    if not form.is_bound or form.errors:
        return []
    params = QueryDict(query)
    chips = []
    for name in form.fields:
        if name in _NOT_FILTERS:
            continue
        values = [value for value in params.getlist(name) if value != ""]
        if not values:
            continue
        labels = (
            {} if name in ("postcode", "q", "free", "on") else _labels(form, name)
        )  # choice labels only where there are choices
        for value in dict.fromkeys(values):
            label = _chip_label(form, name, value, labels)
            if label:
                chips.append(Chip(label=label, remove_url=_without(params, name, value)))
    return chips


@register.filter
def audience_name(audience) -> str:
    """An audience (or its name) as the public site writes it: "Women", "LGBTQ+ people"."""
    return wording.audience_label(getattr(audience, "name", audience) or "")


@register.filter
def session_words(occurrence) -> str:
    """A session (activities.recurrence.Occurrence) relative to today, with its times."""
    return wording.session_when(occurrence.start, occurrence.end, today=timezone.localdate())


@register.filter
def day_words(day) -> str:
    """A date relative to today: "Tomorrow, Friday 4 December"."""
    return wording.relative_date(day, today=timezone.localdate())
