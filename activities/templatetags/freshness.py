"""``{% last_checked activity %}``: "Last checked 3 March 2026" (or "Not checked yet"), with
"may be out of date" when stale. Renders templates/includes/last_checked.html."""

from __future__ import annotations

from django import template
from django.utils import timezone

from activities.freshness.services import last_checked_text

register = template.Library()


@register.inclusion_tag("includes/last_checked.html")
def last_checked(activity, today=None):
    checked = last_checked_text(activity.last_checked, today=today or timezone.localdate())
    return {"checked": checked, "day": activity.last_checked}
