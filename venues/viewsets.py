"""The venues snippet screens. Registered by directory.wagtail_hooks, which narrows who may
change a venue to its owners (venues imports nothing of ours, ownership lives there)."""

from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Venue


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "site"
    menu_label = "Venues"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "postcode", "address"]
    search_fields = ["name", "address", "postcode"]
    ordering = ["name"]
