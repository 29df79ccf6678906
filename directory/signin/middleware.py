"""Keep people who need a second factor out of the admin until they have passed it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

from directory.permissions import second_factor_required

from .second_factor import has_second_factor

# Signing in and out, resetting a password and the second factor's own pages stay reachable.
OPEN_PATHS = (
    "/admin/2fa/",
    "/admin/login/",
    "/admin/logout/",
    "/admin/password_reset/",
    "/admin/jsi18n/",
)


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: every other /admin/ address redirects someone who
    needs a second factor and has not passed one in this session to set-up or verify."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            path.startswith("/admin/")
            and not path.startswith(OPEN_PATHS)
            and second_factor_required(request.user)
            and not request.user.is_verified()
        ):
            name = (
                "second_factor_verify" if has_second_factor(request.user) else "second_factor_setup"
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(name)}?{query}")
        return self.get_response(request)
