from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from activities import feeds, finder_views, report_views, shortlist_views
from activities import views as activity_views
from venues import views as venue_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("activities/", activity_views.browse, name="browse"),
    path("activities/export.csv", activity_views.export_csv, name="browse_export"),
    path("activities/feed.ics", feeds.browse_feed, name="feed_browse"),
    path("activities/feed/<str:token>.ics", feeds.browse_feed_by_token, name="feed_browse_token"),
    path("feeds/activities/<int:pk>.ics", feeds.activity_feed, name="feed_activity"),
    path("feeds/providers/<int:pk>.ics", feeds.provider_feed, name="feed_provider"),
    path("feeds/venues/<int:pk>.ics", feeds.venue_feed, name="feed_venue"),
    path("venues/<slug:slug>/", venue_views.venue_detail, name="venue_detail"),
    path("find/", finder_views.find, name="find"),
    path("activities/<int:pk>/report/", report_views.report_problem, name="report_problem"),
    path(
        "activities/<int:pk>/report/thanks/",
        report_views.report_problem_thanks,
        name="report_problem_thanks",
    ),
    path("shortlist/", shortlist_views.shortlist_page, name="shortlist"),
    path("shortlist/print/", shortlist_views.shortlist_print, name="shortlist_print"),
    path("shortlist/add/", shortlist_views.shortlist_add, name="shortlist_add"),
    path("shortlist/remove/", shortlist_views.shortlist_remove, name="shortlist_remove"),
    path("shortlist/clear/", shortlist_views.shortlist_clear, name="shortlist_clear"),
    path("shortlist/save/", shortlist_views.shortlist_save, name="shortlist_save"),
    path("shortlist/feed.ics", shortlist_views.shortlist_feed, name="feed_shortlist"),
    path(
        "shortlist/feed/<str:ids>.ics", shortlist_views.shortlist_feed, name="feed_shortlist_path"
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
