"""django-axes hooks: which client is signing in, and the page a locked-out person sees.

Axes counts failed sign-ins per username and client address in its database table and locks
that pair out for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failures (settings.py); every
call of ``django.contrib.auth.authenticate`` with a request goes through it, so every login
form is covered without code of ours.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from directory.ratelimits import client_address


def client_ip(request: HttpRequest) -> str:
    """The client address axes counts against: the same CLIENT_IP_HEADER rule as every rate
    limit of ours (behind a proxy, the last entry of the header it sets)."""
    return client_address(request) or "0.0.0.0"  # axes needs some address


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The friendly 429 page: when to try again, nothing about the account.

    Another failure during the lockout starts the cool-off again (axes'
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so "now plus the cool-off" is when it ends.
    """
    cool_off = get_cool_off(request)
    until = timezone.localtime(timezone.now() + cool_off)
    minutes = round(cool_off.total_seconds() / 60)
    response: HttpResponse = render(
        request,
        "signin/locked_out.html",
        {"until": until, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response
