"""Wagtail's admin password reset, with limits on how many emails it sends.

At most PASSWORD_RESET_LIMIT_PER_CLIENT requests per client and PASSWORD_RESET_LIMIT_PER_EMAIL
per address, each per hour (``directory.ratelimits``: atomic, in the cache). The address is
only ever an HMAC there. Over a limit the page answers exactly as when an email is sent, so
nobody can learn from it whether an account exists, but nothing is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.crypto import salted_hmac
from wagtail.admin.views.account import PasswordResetView

from directory.ratelimits import Limit, client_key, take

HOUR = 3600


def email_key(email: str) -> str:
    """A stable key for an email address that is not the address (keyed by SECRET_KEY)."""
    return salted_hmac("nwd.password-reset.email", email.strip().lower()).hexdigest()[:32]


def password_reset_allowed(*, request, email: str) -> bool:
    """Count one reset request for this client and this address; False over either limit."""
    per_client = Limit("reset:client", settings.PASSWORD_RESET_LIMIT_PER_CLIENT, HOUR)
    per_email = Limit("reset:email", settings.PASSWORD_RESET_LIMIT_PER_EMAIL, HOUR)
    return take([(per_client, client_key(request)), (per_email, email_key(email))])


class LimitedPasswordResetView(PasswordResetView):
    def form_valid(self, form):
        if password_reset_allowed(request=self.request, email=form.cleaned_data["email"]):
            return super().form_valid(form)
        # The same redirect as a sent email: no account enumeration, and nothing sent.
        return HttpResponseRedirect(self.get_success_url())
