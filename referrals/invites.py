"""Inviting referrers (issue 11): a city admin names a person; they get a one-time link to set
their password, and are then a member of the Referrers group.

The user is created with an unusable password, so they cannot sign in until they follow the
link. Django's `default_token_generator` makes the link: it expires after
PASSWORD_RESET_TIMEOUT and stops working once the password is set (the token hashes it).
Re-sending gives a fresh unusable password, so an older link stops working too.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from wagtail.log_actions import log

from directory.permissions import forget

from . import notify
from .models import ReferrerProfile
from .permissions import REFERRERS


def email_taken(email: str) -> bool:
    users = get_user_model().objects
    return (
        users.filter(email__iexact=email).exists() or users.filter(username__iexact=email).exists()
    )


def former_referrer(email: str):
    """The active account of a referrer a city admin removed, with this email, or None:
    inviting them again puts the same account back (their earlier referrals stay theirs). A
    deactivated account is not brought back this way."""
    users = get_user_model().objects.filter(referrer_profile__isnull=False, is_active=True)
    users = users.exclude(groups__name=REFERRERS)
    return (users.filter(email__iexact=email) | users.filter(username__iexact=email)).first()


def join_path(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("referrer_join", args=[uidb64, token])


def _send(user) -> None:
    path = join_path(user)
    transaction.on_commit(lambda: notify.referrer_invited(user_id=user.pk, path=path))


@transaction.atomic
def invite(*, name: str, email: str, organisation: str, role: str, by):
    """Create the referrer (unable to sign in until they set a password) and send the link.
    A removed referrer with this email is invited again on their old account: back in the
    group, the profile brought up to date, a fresh link (any older one stops working)."""
    first, _, last = name.strip().partition(" ")
    user = former_referrer(email)
    again = user is not None
    if user is None:
        user = get_user_model()(username=email.lower(), email=email)
    user.first_name, user.last_name = first[:150], last[:150]
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=REFERRERS))
    forget(user)
    profile, _ = ReferrerProfile.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "role": role,
            "invited_at": timezone.now(),
            "invited_by": by,
        },
    )
    data = {"user": user.pk, **({"again": True} if again else {})}
    log(instance=profile, action="referrals.referrer_invited", user=by, data=data)
    _send(user)
    return user


@transaction.atomic
def resend(*, user, by) -> None:
    user.set_unusable_password()  # older links stop working
    user.save(update_fields=["password"])
    profile = user.referrer_profile
    log(instance=profile, action="referrals.referrer_reinvited", user=by, data={"user": user.pk})
    _send(user)


@transaction.atomic
def remove(*, user, by) -> None:
    """Out of the Referrers group: they no longer see referrals. Their account stays."""
    user.groups.remove(Group.objects.get(name=REFERRERS))
    forget(user)
    profile = ReferrerProfile.objects.filter(user=user).first()
    if profile is not None:
        log(instance=profile, action="referrals.referrer_removed", user=by, data={"user": user.pk})


def user_from_link(uidb64: str, token: str):
    """The invited user if the link is good and unused, else None."""
    try:
        raw = urlsafe_base64_decode(uidb64).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    if not raw.isdigit() or len(raw) > 18:  # int() would also take spaces; ids fit in 64 bits
        return None
    pk = int(raw)
    user = get_user_model().objects.filter(pk=pk, is_active=True, groups__name=REFERRERS).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user
