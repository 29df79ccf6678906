"""The second factor's pages: set up an authenticator app, and enter a code at sign-in.

Plain forms (no JavaScript needed), inside Wagtail's admin skin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from .forms import AppCodeForm, RecoveryCodeForm
from .second_factor import (
    has_second_factor,
    recovery_codes_left,
    second_factor_verify,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_svg,
    totp_secret,
)

LOGIN_URL = "wagtailadmin_login"


def _next(request: HttpRequest) -> str:
    """Where to go afterwards: the page asked for, if it is ours, else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _redirect_keeping_next(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


@never_cache
@login_required(login_url=LOGIN_URL)
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    if has_second_factor(request.user):
        # Replacing an app needs a city admin's reset_second_factor, never just a password.
        return _redirect_keeping_next("second_factor_verify", request)
    device = totp_device_pending(user=request.user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(request=request, device=device, code=form.cleaned_data["code"])
        if codes:
            context = {"codes": codes, "next": _next(request)}
            return render(request, "signin/recovery_codes.html", context)
        form.add_error(
            "code",
            "That code is not right. Check the app shows No Wrong Door "
            "and enter the code it shows now.",
        )
    context = {
        "form": form,
        "forms_with_errors": [form] if form.errors else [],
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
        "next": _next(request),
    }
    return render(request, "signin/second_factor_setup.html", context)


@never_cache
@login_required(login_url=LOGIN_URL)
def second_factor_verify_view(request: HttpRequest) -> HttpResponse:
    if not has_second_factor(request.user):
        return _redirect_keeping_next("second_factor_setup", request)
    data = request.POST if request.method == "POST" else None
    use_recovery = data is not None and "recovery_code" in data
    app_form = AppCodeForm(None if use_recovery else data)
    recovery_form = RecoveryCodeForm(data if use_recovery else None)
    form = recovery_form if use_recovery else app_form
    if data is not None and form.is_valid():
        code = next(iter(form.cleaned_data.values()))
        if second_factor_verify(request=request, code=code):
            return HttpResponseRedirect(_next(request))
        field = "recovery_code" if use_recovery else "code"
        form.add_error(
            field,
            "That code is not right, or was used already. After several "
            "wrong codes you must wait a little longer before each try.",
        )
    context = {
        "app_form": app_form,
        "recovery_form": recovery_form,
        "forms_with_errors": [f for f in (app_form, recovery_form) if f.errors],
        "recovery_left": recovery_codes_left(request.user),
        "next": _next(request),
    }
    return render(request, "signin/second_factor_verify.html", context)
