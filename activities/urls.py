"""The public routes of the directory (URL names are public too: templates and tests use them)."""

from django.urls import path, register_converter

from . import views
from .feeds import views as feeds
from .finder import views as finder
from .reports import views as reports
from .shortlist import views as shortlist


class IdConverter:
    """A database id: at most 18 digits, so a bigger number is a 404, not an integer the
    database cannot hold (SQLite raises OverflowError at 2**63)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("activities/", views.browse, name="browse"),
    path("activities/organisations.json", views.provider_search, name="provider_search"),
    path("activities/export.csv", views.export_csv, name="browse_export"),
    path("activities/feed.ics", feeds.browse_feed, name="feed_browse"),
    path("activities/feed/<str:token>.ics", feeds.browse_feed_by_token, name="feed_browse_token"),
    path("feeds/activities/<id:pk>.ics", feeds.activity_feed, name="feed_activity"),
    path(
        "feeds/activities/<id:pk>/next.ics",
        feeds.activity_session_feed,
        name="feed_activity_next",
    ),
    path("feeds/providers/<id:pk>.ics", feeds.provider_feed, name="feed_provider"),
    path("feeds/venues/<id:pk>.ics", feeds.venue_feed, name="feed_venue"),
    path("venues/<slug:slug>/", views.venue_detail, name="venue_detail"),
    path("find/", finder.find, name="find"),
    path("activities/<id:pk>/report/", reports.report_problem, name="report_problem"),
    path(
        "activities/<id:pk>/report/thanks/",
        reports.report_problem_thanks,
        name="report_problem_thanks",
    ),
    path("shortlist/", shortlist.shortlist_page, name="shortlist"),
    path("shortlist/print/", shortlist.shortlist_print, name="shortlist_print"),
    path("shortlist/add/", shortlist.shortlist_add, name="shortlist_add"),
    path("shortlist/remove/", shortlist.shortlist_remove, name="shortlist_remove"),
    path("shortlist/clear/", shortlist.shortlist_clear, name="shortlist_clear"),
    path("shortlist/save/", shortlist.shortlist_save, name="shortlist_save"),
    path("shortlist/feed.ics", shortlist.shortlist_feed, name="feed_shortlist"),
    path("shortlist/feed/<str:ids>.ics", shortlist.shortlist_feed, name="feed_shortlist_path"),
]
