"""The synonym list in the admin (a snippet city admins extend; registered in wagtail_hooks)."""

from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = "Search synonyms"
    list_display = ["term", "means"]
    search_fields = ["term", "means"]
    ordering = ["term"]
