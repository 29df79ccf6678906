"""Admin hooks for freshness and problem reports (imported at the bottom of wagtail_hooks.py):
the dashboard's "Listings to check" panel, its admin URLs, the problem reports screen."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import freshness
from . import freshness_admin_views as views

PANEL_LIMIT = 10


class ListingsToCheckPanel(Component):
    """The editor's live listings not confirmed for STALE_AFTER_DAYS, to confirm in one go."""

    name = "listings_to_check"
    order = 60  # just below "Your organisation"

    def __init__(self, activities: list, count: int):
        self.activities = activities
        self.count = count

    def render_html(self, parent_context=None) -> str:
        request = parent_context.get("request") if parent_context else None
        children = render_to_string(
            "activities/admin/freshness_form.html",
            {
                "activities": self.activities,
                "count": self.count,
                "more": self.count > len(self.activities),
                "next": reverse("wagtailadmin_home"),
                "today": timezone.localdate(),
                "stale_days": settings.STALE_AFTER_DAYS,
            },
            request=request,
        )
        return render_to_string(
            "wagtailadmin/shared/panel.html",
            {
                "id": "listings-to-check",
                "heading": "Listings to check",
                "classname": "w-panel--dashboard",
                "children": children,
            },
        )


@hooks.register("construct_homepage_panels")
def add_listings_to_check_panel(request, panels):
    user = request.user
    if not freshness.activity_list_editable(user=user).live().exists():
        return  # nothing of theirs to check (e.g. a user who only manages venues)
    stale = freshness.activity_list_stale(user=user, today=timezone.localdate())
    activities = list(stale[:PANEL_LIMIT])
    count = len(activities) if len(activities) < PANEL_LIMIT else stale.count()
    panels.append(ListingsToCheckPanel(activities, count))


@hooks.register("register_admin_urls")
def register_freshness_urls():
    return [
        path("freshness/", views.freshness_list, name="freshness_list"),
        path("freshness/confirm/", views.freshness_confirm, name="freshness_confirm"),
        path("problem-reports/", views.problem_report_list, name="problem_reports"),
        path(
            "problem-reports/<int:pk>/resolve/",
            views.problem_report_resolve,
            name="problem_report_resolve",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_problem_reports_menu_item():
    return views.ProviderWorkMenuItem(
        "Problem reports", reverse("problem_reports"), icon_name="warning", order=250
    )


@hooks.register("register_admin_menu_item")
def register_freshness_menu_item():
    return views.ProviderWorkMenuItem(
        "Listings to check", reverse("freshness_list"), icon_name="history", order=245
    )


@hooks.register("register_log_actions")
def register_freshness_log_actions(actions):
    actions.register_action(
        freshness.CONFIRM_ACTION, "Confirm as still right", "Confirmed the listing is still right"
    )
