"""/api/oruk/: the Open Referral UK 3.0 API (openreferral.views)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ApiDetailsView.as_view(), name="oruk_api_details"),
    path("openapi.json", views.OpenApiView.as_view(), name="oruk_openapi"),
    path("services", views.ServiceListView.as_view(), name="oruk_services"),
    path("services/<str:service_id>", views.ServiceDetailView.as_view(), name="oruk_service"),
    path("organizations", views.OrganizationListView.as_view(), name="oruk_organizations"),
    path(
        "organizations/<str:organization_id>",
        views.OrganizationDetailView.as_view(),
        name="oruk_organization",
    ),
    path("taxonomies", views.TaxonomyListView.as_view(), name="oruk_taxonomies"),
    path("taxonomies/<str:taxonomy_id>", views.TaxonomyDetailView.as_view(), name="oruk_taxonomy"),
    path("taxonomy_terms", views.TaxonomyTermListView.as_view(), name="oruk_taxonomy_terms"),
    path(
        "taxonomy_terms/<str:term_id>",
        views.TaxonomyTermDetailView.as_view(),
        name="oruk_taxonomy_term",
    ),
    path(
        "service_at_locations",
        views.ServiceAtLocationListView.as_view(),
        name="oruk_service_at_locations",
    ),
    path(
        "service_at_locations/<str:sal_id>",
        views.ServiceAtLocationDetailView.as_view(),
        name="oruk_service_at_location",
    ),
]
