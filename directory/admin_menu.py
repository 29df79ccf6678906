"""The admin trimmed to what providers use: which menu items and dashboard panels a provider
editor sees (city admins and superusers keep Wagtail's own). Registered in
directory.wagtail_hooks; who is who is asked of directory.permissions."""

from __future__ import annotations

from .permissions import is_city_admin

# Wagtail's menu items a provider editor never needs: images (a logo is chosen, and uploaded,
# from the provider page's own chooser), documents, the site-wide reports (site history, aging
# pages...) and Wagtail's help ("What's new in Wagtail", the editor guide for Wagtail itself).
PROVIDER_HIDDEN_MENU_ITEMS = frozenset({"images", "documents", "reports", "help", "settings"})
# Wagtail's own dashboard panels: the site summary counts pages, images and documents of the
# whole site; our panels ("Your timetable", "Listings to check") say what an editor has to do.
PROVIDER_HIDDEN_PANELS = frozenset(
    {
        "site_summary",
        "upgrade_notification",
        "whats_new_in_wagtail_version",
        "workflow_pages_to_moderate",
        "pages_for_moderation",
        "user_objects_in_workflow_moderation",
        "locked_pages",
        "recent_edits",
    }
)


def is_provider_editor_only(user) -> bool:
    """A signed-in user who is neither a city admin nor a superuser (provider editors,
    navigators, referrers): they see the trimmed admin."""
    return not is_city_admin(user)


def menu_items_trimmed(user, menu_items: list) -> list:
    if not is_provider_editor_only(user):
        return menu_items
    return [item for item in menu_items if item.name not in PROVIDER_HIDDEN_MENU_ITEMS]


def panels_trimmed(user, panels: list) -> list:
    if not is_provider_editor_only(user):
        return panels
    return [panel for panel in panels if getattr(panel, "name", "") not in PROVIDER_HIDDEN_PANELS]
