from wagtail.snippets.models import register_snippet
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


register_snippet(VenueViewSet)
