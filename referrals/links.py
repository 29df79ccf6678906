"""The person's private status link: a signed, expiring token naming their referral.

The token carries only the reference (not personal) and is checked with REFERRAL_STATUS_LINK_DAYS
as its age limit; a forged or expired token opens nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

STATUS_SALT = "nwd.referral-status"


def status_token_make(*, reference: str) -> str:
    return signing.dumps({"r": reference}, salt=STATUS_SALT)


def status_token_reference(token: str) -> str | None:
    """The reference the token names, or None when it is forged, malformed or expired."""
    try:
        data = signing.loads(
            token, salt=STATUS_SALT, max_age=settings.REFERRAL_STATUS_LINK_DAYS * 86400
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    reference = data.get("r") if isinstance(data, dict) else None
    return reference if isinstance(reference, str) else None


def status_url(*, reference: str, absolute: bool = False) -> str:
    path = reverse("referral_status", args=[status_token_make(reference=reference)])
    return settings.SITE_URL + path if absolute else path
