"""The root URLconf: the admin, the directory's own routes, then Wagtail's page catch-all.

Admin screens of our own are registered through each app's ``wagtail_hooks``. One Wagtail
admin page is replaced here, ahead of the admin: the page types report, which would name other
providers' drafts (directory.visibility).
"""

from django.conf import settings
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from directory.signin.password_reset import LimitedPasswordResetView

from .visibility import VisiblePageTypesUsageReportView

urlpatterns = [
    # Before Wagtail's own view at the same address: the same page, with sending limits.
    path(
        "admin/password_reset/",
        LimitedPasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    path("admin/2fa/", include("directory.signin.urls")),
    path(
        "admin/reports/page-types-usage/",
        never_cache(require_admin_access(VisiblePageTypesUsageReportView.as_view())),
    ),
    path(
        "admin/reports/page-types-usage/results/",
        never_cache(
            require_admin_access(VisiblePageTypesUsageReportView.as_view(results_only=True))
        ),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("referrals/", include("referrals.urls")),
    path("api/oruk/", include("openreferral.urls")),
    path("", include("activities.urls")),
    # The trust pages: plain templates, so they are there from the first deploy.
    *[
        path(
            address,
            TemplateView.as_view(template_name=f"pages/{template}.html", extra_context=extra),
            name=name,
        )
        for address, template, name, extra in (
            ("about/", "about", "about", None),
            (
                "privacy/",
                "privacy",
                "privacy",
                {"retention_days": settings.REFERRAL_RETENTION_DAYS},
            ),
            ("accessibility/", "accessibility", "accessibility_statement", None),
            ("contact/", "contact", "contact", None),
        )
    ],
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
