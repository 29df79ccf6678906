"""The second factor (django-otp): an authenticator app (TOTP) plus ten one-use recovery codes.

Who needs one is ``directory.permissions.second_factor_required``. A person without a
confirmed app sets one up (``totp_device_pending`` then ``totp_device_confirm``, which also
issues the recovery codes); after that every sign-in asks for a code (``second_factor_verify``).
``second_factor_reset`` removes both, for someone who lost their phone.
"""

from __future__ import annotations

import re
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"^\d{6}$")


def normalise_code(text: str) -> str:
    """What people type, as a device compares it: spaces and dashes out, lower case."""
    return re.sub(r"[\s-]", "", text or "").lower()


def has_second_factor(user) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's unconfirmed app device, made on first call: the same secret is shown until
    a code from it is confirmed (a wrong code does not change the QR code)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The app's setup address (otpauth://) as an inline SVG QR code, white behind it."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgFillImage, box_size=16)
    return image.to_string(encoding="unicode")


@transaction.atomic
def totp_device_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with a code from it: mark the session verified and return ten new
    recovery codes (shown once; only the device holds them). [] when the code is wrong."""
    if not device.verify_token(normalise_code(code)):
        return []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name=RECOVERY_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    django_otp.login(request, device)
    return codes


def second_factor_verify(*, request: HttpRequest, code: str) -> bool:
    """Check a code from the app (six digits) or a recovery code (each works once), and mark
    the session verified. Each device throttles wrong codes itself (django-otp: the wait
    doubles after every failure), so guessing is slow."""
    token = normalise_code(code)
    devices = (
        TOTPDevice.objects.devices_for_user(request.user, confirmed=True)
        if _TOTP_CODE.match(token)
        else StaticDevice.objects.devices_for_user(request.user, confirmed=True)
    )
    for device in devices:
        verified = django_otp.verify_token(request.user, device.persistent_id, token)
        if verified:
            django_otp.login(request, verified)
            return True
    return False


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def second_factor_reset(*, user) -> int:
    """Remove the user's app and recovery codes (they set up a new app at next sign-in;
    sessions verified with the old app stop being verified). How many devices went."""
    devices = [TOTPDevice.objects.filter(user=user), StaticDevice.objects.filter(user=user)]
    removed = sum(queryset.count() for queryset in devices)
    for queryset in devices:
        queryset.delete()
    return removed
