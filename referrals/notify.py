"""Referral emails: a reference and a link, never the person's details (not even a name).

Each recipient gets their own message. Sent after the change commits; a mail failure is logged
(with the reference only) and never undoes the change: the inbox shows it either way.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from .links import referral_status_url
from .models import Destination, Referral
from .permissions import NAVIGATORS

logger = logging.getLogger(__name__)


def _handlers(destination: Destination) -> list[str]:
    """Who answers a destination: its provider's editors, or the navigators."""
    if destination.provider_id is None:
        people = Q(groups__name=NAVIGATORS)
    elif destination.provider.editors_group_id is not None:
        people = Q(groups__pk=destination.provider.editors_group_id)
    else:
        return []
    users = get_user_model().objects.filter(people, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _send(*, template: str, recipients: list[str], reference: str, context: dict) -> int:
    context = {"reference": reference, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"referrals/email/{template}_subject.txt", context).split())
    body = render_to_string(f"referrals/email/{template}.txt", context)
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in recipients]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # noqa: BLE001 - the change is saved; mail is best effort
        logger.exception("Could not send referral email %s for %s", template, reference)
        return 0


def _admin_link(destination: Destination) -> str:
    return settings.SITE_URL + reverse("referrals_admin:detail", args=[destination.pk])


def destination_new(*, destination_id: int) -> int:
    destination = Destination.objects.select_related("referral", "provider").get(pk=destination_id)
    return _send(
        template="new",
        recipients=_handlers(destination),
        reference=destination.referral.reference,
        context={"link": _admin_link(destination), "navigators": destination.for_navigators},
    )


def destination_reminder(*, destination_id: int) -> int:
    destination = Destination.objects.select_related("referral", "provider").get(pk=destination_id)
    return _send(
        template="reminder",
        recipients=_handlers(destination),
        reference=destination.referral.reference,
        context={"link": _admin_link(destination)},
    )


def person_email(referral: Referral) -> str:
    details = referral.details or {}
    return details.get("email", "") if details.get("contact_method") == "email" else ""


def _referrer_email(referral: Referral) -> str:
    user = referral.referred_by
    return user.email if user is not None and user.is_active else ""


def _tell(*, referral: Referral, template: str) -> int:
    """The person (if they gave an email) gets their status link; the referrer the link to
    their referrals."""
    sent = 0
    if address := person_email(referral):
        sent += _send(
            template=template,
            recipients=[address],
            reference=referral.reference,
            context={"link": referral_status_url(referral, absolute=True)},
        )
    if address := _referrer_email(referral):
        sent += _send(
            template=template,
            recipients=[address],
            reference=referral.reference,
            context={"link": settings.SITE_URL + reverse("referrals_mine")},
        )
    return sent


def referral_sent(*, referral_id: int) -> int:
    """The confirmation, to the person and the referrer."""
    referral = Referral.objects.select_related("referred_by").get(pk=referral_id)
    return _tell(referral=referral, template="sent")


def referral_changed(*, referral_id: int) -> int:
    """Something changed: tell the referrer and the person."""
    referral = Referral.objects.select_related("referred_by").get(pk=referral_id)
    if referral.erased_at is not None:
        return 0
    return _tell(referral=referral, template="changed")


def status_link_renewed(*, referral_id: int) -> int:
    """The person's fresh status link, if they gave an email (the referrer's link is theirs
    and did not change)."""
    referral = Referral.objects.get(pk=referral_id)
    address = person_email(referral)
    if referral.erased_at is not None or not address:
        return 0
    return _send(
        template="new_link",
        recipients=[address],
        reference=referral.reference,
        context={"link": referral_status_url(referral, absolute=True)},
    )


def referrer_invited(*, user_id: int, path: str) -> int:
    """The invitation: a greeting by first name and the one-time link, nothing else."""
    user = get_user_model().objects.get(pk=user_id)
    return _send(
        template="invite",
        recipients=[user.email],
        reference=f"invitation {user.pk}",
        context={
            "link": settings.SITE_URL + path,
            "first_name": user.first_name,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
