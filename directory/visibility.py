"""What the admin shows one provider's editors of other providers' work: only published,
public pages (never a draft's title) and only their own collections' images
(directory.permissions.pages_visible). Wagtail views without a hook for it are subclassed
here and mounted by directory.wagtail_hooks (the admin API) and directory.urls (the page
types report)."""

from __future__ import annotations

from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page
from wagtail.permissions import policy_registry

from .permissions import pages_visible


class VisiblePagesAdminAPIViewSet(PagesAdminAPIViewSet):
    def get_queryset(self):
        return pages_visible(self.request.user, super().get_queryset())


class OwnImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    """Images in the collections the user may choose, change or add to (all for a city
    admin, whose group holds the root collection)."""

    def get_queryset(self):
        policy = policy_registry.get_by_type(get_image_model())
        allowed = policy.instances_user_has_any_permission_for(
            self.request.user, ["choose", "change", "add"]
        )
        return super().get_queryset().filter(pk__in=allowed.values("pk"))


class VisiblePageTypesUsageReportView(PageTypesUsageReportView):
    """Wagtail's report names each type's last edited page: only one the user may see."""

    def decorate_paginated_queryset(self, page_types):
        page_types = super().decorate_paginated_queryset(page_types)
        ids = [item.last_edited_page.pk for item in page_types if item.last_edited_page]
        visible = set(
            pages_visible(self.request.user, Page.objects.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
        for item in page_types:
            if item.last_edited_page and item.last_edited_page.pk not in visible:
                item.last_edited_page = None
        return page_types
