"""Admin hooks for duplicate detection (imported at the bottom of wagtail_hooks.py)."""

from django.urls import path, reverse
from wagtail import hooks

from . import duplicate_admin_views as views


@hooks.register("register_admin_urls")
def register_duplicates_urls():
    return [
        path("duplicates/", views.duplicates_report, name="duplicates_report"),
        path("duplicates/export.csv", views.duplicates_report_csv, name="duplicates_report_csv"),
        path(
            "duplicates/decide/<int:first_id>/<int:second_id>/",
            views.duplicates_decide,
            name="duplicates_decide",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_duplicates_menu_item():
    return views.DuplicatesMenuItem(
        "Duplicates", reverse("duplicates_report"), icon_name="warning", order=240
    )
