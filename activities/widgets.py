"""Admin form widgets that must not list every activity in the city."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe


class NextStepsChooser(forms.SelectMultiple):
    """The "what next" field: the chosen activities as ticked boxes, and a search box that
    finds more (the admin's JavaScript; static/js/admin/next-steps-chooser.js).

    A plain select would render every activity in the city as an option (1.7 MB at 10,000):
    this renders only the chosen ones, in one query, whatever the size of the directory. The
    submitted values are the ticked ids, validated by the field's queryset as before.
    """

    template_name = "activities/admin/widgets/next_steps_chooser.html"

    class Media:
        js = ["js/admin/next-steps-chooser.js"]

    def get_context(self, name, value, attrs):
        # Not SelectMultiple.get_context: its option groups walk every choice.
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen_ids = [str(v) for v in (value or []) if str(v).isdigit()]
        queryset = getattr(self.choices, "queryset", None)
        chosen = []
        if chosen_ids and queryset is not None:
            rows = queryset.filter(pk__in=chosen_ids).order_by("title")
            chosen = [(row.pk, row.title, getattr(row, "provider", None)) for row in rows]
        context["chosen"] = chosen
        context["search_url"] = reverse("next_steps_search")
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's templates, not the form renderer's (which searches only Django's).
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 -- a template

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, (tuple, list)):
            value = [value]
        return [str(getattr(v, "pk", v)) for v in value if v is not None and v != ""]
