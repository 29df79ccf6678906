from django.urls import path, reverse
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Audience, Category


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
    items = (CategoryViewSet, AudienceViewSet)


register_snippet(TaxonomyGroup)


@hooks.register("register_admin_urls")
def register_timetable_import_urls():
    return [
        path("timetable-import/", admin_views.timetable_import_upload, name="timetable_import"),
        path(
            "timetable-import/confirm/",
            admin_views.timetable_import_confirm,
            name="timetable_import_confirm",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_timetable_import_menu_item():
    return admin_views.ImportMenuItem(
        "Import timetable", reverse("timetable_import"), icon_name="upload", order=230
    )


# Admin screens kept in their own modules: duplicates; calendar import and SEQUENCE;
# freshness (listings to check) and problem reports.
from . import (  # noqa: E402,F401
    wagtail_hooks_duplicates,
    wagtail_hooks_freshness,
    wagtail_hooks_ical,
)
