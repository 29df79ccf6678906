"""Security headers: the Content-Security-Policy, strict on public pages, relaxed for the admin.

django-csp writes the header from CONTENT_SECURITY_POLICY (settings.py): no 'unsafe-inline'
for scripts or styles, so our templates keep every script and style in static files. Wagtail's
admin uses inline scripts and styles, so under CSP_ADMIN_PATHS (``/admin/``, ``/django-admin/``)
the directives in CONTENT_SECURITY_POLICY_ADMIN replace those of the public policy. A view's own
csp decorators still win (they set the policy on the response).
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's relaxed directives for admin paths."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(tuple(settings.CSP_ADMIN_PATHS)):
            parts.replace = {**settings.CONTENT_SECURITY_POLICY_ADMIN, **(parts.replace or {})}
        return parts
