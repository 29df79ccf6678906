"""The person's private status link: a signed, expiring, revocable token naming their referral.

The token carries only the reference (not personal) and the referral's `status_link_version`,
and is checked with REFERRAL_STATUS_LINK_DAYS as its age limit. A forged or expired token opens
nothing; revoking (`services.status_link_renew`) adds one to the version, so every link made
before opens nothing either. Tokens from before versions existed name version 0.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

STATUS_SALT = "nwd.referral-status"


def status_token_make(*, reference: str, version: int = 0) -> str:
    return signing.dumps({"r": reference, "v": version}, salt=STATUS_SALT)


def status_token_read(token: str) -> tuple[str, int] | None:
    """(reference, version) the token names, or None when it is forged, malformed or expired."""
    try:
        data = signing.loads(
            token, salt=STATUS_SALT, max_age=settings.REFERRAL_STATUS_LINK_DAYS * 86400
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict):
        return None
    reference, version = data.get("r"), data.get("v", 0)
    if not isinstance(reference, str) or not isinstance(version, int):
        return None
    return reference, version


def status_token_reference(token: str) -> str | None:
    read = status_token_read(token)
    return read[0] if read else None


def status_url(*, reference: str, version: int = 0, absolute: bool = False) -> str:
    path = reverse(
        "referral_status", args=[status_token_make(reference=reference, version=version)]
    )
    return settings.SITE_URL + path if absolute else path


def referral_status_url(referral, *, absolute: bool = False) -> str:
    """The link that works now for this referral."""
    return status_url(
        reference=referral.reference, version=referral.status_link_version, absolute=absolute
    )
