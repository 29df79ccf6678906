"""Every admin registration of the activities app, and nothing else: the screens themselves
live in each feature's ``admin`` module (the shape of Wagtail's contrib.redirects)."""

from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from directory.permissions import is_city_admin, providers_editable

from . import next_steps_admin
from .duplicates import admin as duplicates_admin
from .freshness import admin as freshness_admin
from .freshness.services import CONFIRM_ACTION
from .imports import admin as imports_admin
from .models import ActivityPage, Audience, Category
from .navigation import ProviderWorkMenuItem
from .reports import admin as reports_admin
from .search.admin import SearchSynonymViewSet
from .timetable import admin as timetable_admin


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "group"
    list_display = ["name", "slug", "restriction"]
    search_fields = ["name"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Topics and audiences"
    menu_icon = "tag"
    menu_order = 220
    items = (CategoryViewSet, AudienceViewSet, SearchSynonymViewSet)


register_snippet(TaxonomyGroup)


hooks.register("before_edit_page", imports_admin.stale_edit_refused)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("your-timetable/", timetable_admin.your_timetable, name="your_timetable"),
        path("next-steps/search/", next_steps_admin.next_steps_search, name="next_steps_search"),
        path("timetable-import/", imports_admin.timetable_import_upload, name="timetable_import"),
        path(
            "timetable-import/layout/",
            imports_admin.timetable_import_layout,
            name="timetable_import_layout",
        ),
        *(
            path(
                f"timetable-import/template.{extension}",
                imports_admin.timetable_import_template,
                {"extension": extension},
                name=f"timetable_import_template_{extension}",
            )
            for extension in ("csv", "xlsx")
        ),
        path(
            "timetable-import/preview/",
            imports_admin.timetable_import_preview,
            name="timetable_import_preview",
        ),
        path(
            "timetable-import/confirm/",
            imports_admin.timetable_import_confirm,
            name="timetable_import_confirm",
        ),
        path("calendar-import/", imports_admin.ical_import_upload, name="ical_import"),
        path(
            "calendar-import/confirm/",
            imports_admin.ical_import_confirm,
            name="ical_import_confirm",
        ),
        path("duplicates/", duplicates_admin.duplicates_report, name="duplicates_report"),
        path(
            "duplicates/export.csv",
            duplicates_admin.duplicates_report_csv,
            name="duplicates_report_csv",
        ),
        path(
            "duplicates/decide/<int:first_id>/<int:second_id>/",
            duplicates_admin.duplicates_decide,
            name="duplicates_decide",
        ),
        path("freshness/", freshness_admin.freshness_list, name="freshness_list"),
        path("freshness/confirm/", freshness_admin.freshness_confirm, name="freshness_confirm"),
        path("problem-reports/", reports_admin.problem_report_list, name="problem_reports"),
        path(
            "problem-reports/<int:pk>/resolve/",
            reports_admin.problem_report_resolve,
            name="problem_report_resolve",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_your_timetable_menu_item():
    return ProviderWorkMenuItem(
        "Your timetable", reverse("your_timetable"), icon_name="calendar-alt", order=200
    )


@hooks.register("register_admin_menu_item")
def register_timetable_import_menu_item():
    return ProviderWorkMenuItem(
        "Import timetable", reverse("timetable_import"), icon_name="upload", order=230
    )


@hooks.register("register_admin_menu_item")
def register_ical_import_menu_item():
    return ProviderWorkMenuItem(
        "Import calendar (.ics)", reverse("ical_import"), icon_name="calendar", order=231
    )


@hooks.register("register_admin_menu_item")
def register_duplicates_menu_item():
    return duplicates_admin.DuplicatesMenuItem(
        "Duplicates", reverse("duplicates_report"), icon_name="warning", order=240
    )


@hooks.register("register_admin_menu_item")
def register_freshness_menu_item():
    return ProviderWorkMenuItem(
        "Listings to check", reverse("freshness_list"), icon_name="history", order=245
    )


@hooks.register("register_admin_menu_item")
def register_problem_reports_menu_item():
    return ProviderWorkMenuItem(
        "Problem reports", reverse("problem_reports"), icon_name="warning", order=250
    )


@hooks.register("construct_homepage_panels")
def add_your_timetable_panel(request, panels):
    """A provider editor's admin home is their timetable (city admins have it in the menu)."""
    if providers_editable(request.user).exists() and not is_city_admin(request.user):
        panels.append(timetable_admin.YourTimetablePanel(request))


@hooks.register("construct_homepage_panels")
def add_listings_to_check_panel(request, panels):
    panel = freshness_admin.listings_to_check_panel(request)
    if panel is not None:
        panels.append(panel)


@hooks.register("register_log_actions")
def register_freshness_log_actions(actions):
    actions.register_action(
        CONFIRM_ACTION, "Confirm as still right", "Confirmed the listing is still right"
    )


@hooks.register("construct_page_action_menu")
def publish_first(menu_items, request, context):
    """Editors publish their own listings (no moderation workflow): "Publish" is the main
    button, "Save draft" one click away in the menu."""
    menu_items.sort(key=lambda item: getattr(item, "name", "") != "action-publish")


def _back_to_your_timetable(request, page):
    """After a provider editor publishes an activity they land on "Your timetable", where it
    now stands (city admins go back to the page explorer, as Wagtail does)."""
    if (
        isinstance(page.specific, ActivityPage)
        and "action-publish" in request.POST
        and not is_city_admin(request.user)
    ):
        return redirect("your_timetable")
    return None


hooks.register("after_create_page", _back_to_your_timetable)
hooks.register("after_edit_page", _back_to_your_timetable)
