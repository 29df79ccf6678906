"""Admin hooks for the provider boundary.

Page permissions (see directory.services) already keep a provider's editors to their own
provider page and what is under it. These hooks close the gaps Wagtail's permission model
leaves, and point an editor's dashboard at their own work.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from venues.models import Venue

from . import admin_menu, venue_admin, visibility
from .models import ProviderPage
from .permissions import (
    VenuePermissionPolicy,
    may_remove_provider,
    pages_visible,
    providers_of_user,
    works_on_listings,
)
from .services import venue_owners_add


def _is_provider(page: Page) -> bool:
    # Works for generic Page rows too (bulk actions and listings do not always use .specific).
    return issubclass(page.specific_class or Page, ProviderPage)


@hooks.register("before_delete_page")
def protect_provider_from_delete(request, page):
    if _is_provider(page) and not may_remove_provider(request.user, page):
        raise PermissionDenied


@hooks.register("before_bulk_action")
def protect_providers_from_bulk_delete(request, action_type, objects, action_class_instance):
    if action_type != "delete":
        return
    for page in objects:
        if (
            isinstance(page, Page)
            and _is_provider(page)
            and not may_remove_provider(request.user, page)
        ):
            raise PermissionDenied


@hooks.register("construct_page_listing_buttons")
def hide_provider_delete_button(buttons, page, user, context=None):
    if not _is_provider(page) or may_remove_provider(user, page):
        return
    delete_url = reverse("wagtailadmin_pages:delete", args=[page.pk])
    for button in buttons:
        # Wagtail puts "Delete" inside the listing's "More options" dropdown.
        dropdown = getattr(button, "dropdown_buttons", None)
        if dropdown is not None:
            dropdown[:] = [item for item in dropdown if not (item.url or "").startswith(delete_url)]


@hooks.register("construct_page_chooser_queryset")
def hide_other_providers_drafts(pages, request):
    """Link choosers offer others' pages only when published and public (and no draft title
    waits), unpublished ones only to their own editors (directory.permissions.pages_visible)."""
    return pages_visible(request.user, pages)


@hooks.register("construct_explorer_page_queryset")
def hide_other_providers_drafts_in_explorer(parent_page, pages, request):
    return pages_visible(request.user, pages)


@hooks.register("construct_admin_api", order=100)  # after Wagtail's own endpoints
def admin_api_without_others_drafts_or_images(router):
    router.register_endpoint("pages", visibility.VisiblePagesAdminAPIViewSet)
    router.register_endpoint("images", visibility.OwnImagesAdminAPIViewSet)


# --- the admin trimmed to what providers use (README "The providers' admin") -------------------


@hooks.register("construct_main_menu")
def trim_main_menu_for_providers(request, menu_items):
    menu_items[:] = admin_menu.menu_items_trimmed(request.user, menu_items)


@hooks.register("construct_homepage_panels", order=100)  # after every panel is added
def trim_dashboard_for_providers(request, panels):
    panels[:] = admin_menu.panels_trimmed(request.user, panels)


@hooks.register("construct_homepage_summary_items", order=100)
def trim_site_summary_for_providers(request, summary_items):
    if admin_menu.is_provider_editor_only(request.user):
        summary_items.clear()


class YourOrganisationPanel(Component):
    """Dashboard links to the editor's own provider pages: where their work is."""

    name = "your_organisation"
    order = 50  # above Wagtail's own panels, which start at 100

    def __init__(self, providers: list[ProviderPage]):
        self.providers = providers

    def render_html(self, parent_context=None) -> str:
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> · <a href="{}">Add an activity</a></li>',
            (
                (
                    reverse("wagtailadmin_explore", args=[provider.pk]),
                    provider.title,
                    reverse(
                        "wagtailadmin_pages:add", args=["activities", "activitypage", provider.pk]
                    ),
                )
                for provider in self.providers
            ),
        )
        return render_to_string(
            "wagtailadmin/shared/panel.html",
            {
                "id": "your-organisation",
                "heading": "Your organisation",
                "classname": "w-panel--dashboard",
                "children": format_html("<ul>{}</ul>", rows),
            },
        )


@hooks.register("construct_homepage_panels")
def add_your_organisation_panel(request, panels):
    providers = list(
        ProviderPage.objects.filter(editors_group__user=request.user).order_by("title")
    )
    if providers:
        panels.append(YourOrganisationPanel(providers))


# --- shared venues: owners change them, others propose (README "Shared venues") ---------------

register_permission_policy(Venue, VenuePermissionPolicy(Venue))
register_snippet(venue_admin.OwnedVenueViewSet)


@hooks.register("after_create_snippet")
def venue_owned_by_its_creator(request, instance):
    """A venue an editor adds belongs to their organisation(s)."""
    if isinstance(instance, Venue):
        venue_owners_add(venue=instance, providers=providers_of_user(request.user))


@hooks.register("register_snippet_listing_buttons")
def venue_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Venue):
        return venue_admin.venue_listing_buttons(snippet, user)
    return []


@hooks.register("register_admin_urls")
def register_venue_admin_urls():
    return [
        path("venues/<int:pk>/propose/", venue_admin.venue_propose, name="venue_propose"),
        path("venues/<int:pk>/owners/", venue_admin.venue_owners, name="venue_owners"),
        path("venue-changes/", venue_admin.venue_proposal_list, name="venue_proposals"),
        path(
            "venue-changes/<int:pk>/decide/",
            venue_admin.venue_proposal_decision,
            name="venue_proposal_decision",
        ),
    ]


class VenueChangesMenuItem(MenuItem):
    def is_shown(self, request):
        return works_on_listings(request.user)


@hooks.register("register_admin_menu_item")
def register_venue_changes_menu_item():
    return VenueChangesMenuItem(
        "Venue changes", reverse("venue_proposals"), icon_name="site", order=215
    )
