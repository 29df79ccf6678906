"""Issue 10: a second factor (authenticator app + recovery codes) for city admins and navigators,
through the real login form and real TOTP codes computed with django-otp's helpers."""

import datetime as dt
import re
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "Right-horse-battery-42"
SETUP = "/admin/2fa/setup/"
VERIFY = "/admin/2fa/verify/"
HOME = "/admin/"

pytestmark = pytest.mark.usefixtures("otp_required")


@pytest.fixture
def otp_required():
    with override_settings(OTP_REQUIRED=True):
        yield


@pytest.fixture
def carol(city_admin):
    city_admin.set_password(PASSWORD)
    city_admin.save()
    return city_admin


def sign_in(client, username):
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in failed"
    return client.get(response["Location"])


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows (now, or a step later: a used code never works twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wait_out_the_throttle(user):
    # As if the person waited: django-otp doubles a wait after each wrong code.
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=earlier)


def set_up(client, user) -> list[str]:
    sign_in(client, user.username)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": code_for(device), "next": HOME})
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


def test_a_city_admin_is_sent_to_set_up_an_app_after_the_password(client, carol):
    response = client.post("/admin/login/", {"username": "carol", "password": PASSWORD})
    landing = client.get(response["Location"])

    assert (landing.status_code, landing["Location"]) == (302, f"{SETUP}?next=%2Fadmin%2F")
    page = client.get(landing["Location"])
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    device = TOTPDevice.objects.get(user=carol, confirmed=False)
    secret = re.search(r'<code class="otp-secret" id="otp-secret">([A-Z2-7 ]+)</code>', html)[1]
    assert device.config_url.split("secret=")[1].startswith(secret.replace(" ", "")[:16])
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label class="w-field__label" for="id_code">' in html


def test_setup_refuses_a_wrong_code_then_takes_the_right_one_and_shows_ten_codes(client, carol):
    sign_in(client, "carol")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=carol)
    wrong = "000000" if code_for(device) != "000000" else "111111"

    refused = client.post(SETUP, {"code": wrong, "next": HOME})
    wait_out_the_throttle(carol)
    accepted = client.post(SETUP, {"code": code_for(device), "next": HOME})

    assert "That code is not right" in refused.content.decode()
    assert 'role="alert"' in refused.content.decode()
    assert 'href="#id_code"' in refused.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", accepted.content.decode())
    assert len(set(codes)) == 10
    assert accepted["Cache-Control"].startswith("max-age=0")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200


def test_setup_is_not_offered_again_once_an_app_is_confirmed(client, carol):
    set_up(client, carol)
    other = Client()
    sign_in(other, "carol")

    response = other.get(SETUP)

    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=carol).count() == 1


def test_the_next_sign_in_asks_for_a_code_refuses_a_wrong_one_and_takes_the_right_one(carol):
    set_up(Client(), carol)
    client = Client()
    device = TOTPDevice.objects.get(user=carol)

    landing = sign_in(client, "carol")
    pages = client.get("/admin/pages/")
    wrong = client.post(VERIFY, {"code": "12345x", "next": HOME})
    wrong_digits = client.post(VERIFY, {"code": "000000", "next": "/admin/pages/"})
    wait_out_the_throttle(carol)
    right = client.post(VERIFY, {"code": code_for(device, steps_ahead=1), "next": "/admin/pages/"})

    assert landing["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert pages["Location"] == f"{VERIFY}?next=%2Fadmin%2Fpages%2F"
    assert "Enter the six digits the app shows" in wrong.content.decode()
    assert "That code is not right" in wrong_digits.content.decode()
    assert (right.status_code, right["Location"]) == (302, "/admin/pages/")
    assert client.get(HOME).status_code == 200


def test_a_right_code_straight_after_wrong_ones_waits_for_the_throttle(carol):
    set_up(Client(), carol)
    client = Client()
    device = TOTPDevice.objects.get(user=carol)
    sign_in(client, "carol")

    client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})
    response = client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})

    assert response.status_code == 200
    assert client.get(HOME).status_code == 302


def test_a_recovery_code_works_once(carol):
    codes = set_up(Client(), carol)
    first, second = Client(), Client()
    sign_in(first, "carol")
    sign_in(second, "carol")

    used = first.post(VERIFY, {"recovery_code": codes[0].upper(), "next": HOME})
    again = second.post(VERIFY, {"recovery_code": codes[0], "next": HOME})

    assert (used.status_code, used["Location"]) == (302, HOME)
    assert first.get(HOME).status_code == 200
    assert "That code is not right, or was used already" in again.content.decode()
    assert second.get(HOME).status_code == 302
    assert StaticToken.objects.filter(device__user=carol).count() == 9


def test_the_verify_page_never_sends_people_off_site(carol):
    set_up(Client(), carol)
    client = Client()
    sign_in(client, "carol")
    device = TOTPDevice.objects.get(user=carol)

    response = client.post(
        VERIFY, {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"}
    )

    assert response["Location"] == HOME


def test_a_provider_editor_is_not_asked(client, editor_a):
    editor_a.set_password(PASSWORD)
    editor_a.save()

    landing = sign_in(client, "alice")

    assert landing.status_code == 200
    assert not TOTPDevice.objects.exists()


def test_navigators_and_superusers_are_asked(db):
    # The referrals work creates the real group; here one of that name stands in for it.
    navigators, _ = Group.objects.get_or_create(name="Navigators")  # referrals makes it
    navigators.permissions.add(Permission.objects.get(codename="access_admin"))
    User = get_user_model()
    nina = User.objects.create_user("nina", "nina@example.org", PASSWORD)
    nina.groups.add(navigators)
    User.objects.create_superuser("root", "root@example.org", PASSWORD)

    for username in ["nina", "root"]:
        landing = sign_in(Client(), username)
        assert landing["Location"].startswith(SETUP), username


@override_settings(OTP_REQUIRED=False)
def test_with_otp_required_off_a_city_admin_is_not_asked(client, carol):
    assert sign_in(client, "carol").status_code == 200


def test_reset_second_factor_makes_them_set_up_a_new_app(carol):
    set_up(Client(), carol)
    out = StringIO()

    call_command("reset_second_factor", "carol", stdout=out)
    landing = sign_in(Client(), "carol")

    assert "Removed carol's authenticator app and recovery codes." in out.getvalue()
    assert landing["Location"].startswith(SETUP)
    assert not StaticToken.objects.filter(device__user=carol).exists()


def test_reset_second_factor_ends_the_verified_sessions(carol):
    client = Client()
    set_up(client, carol)
    assert client.get(HOME).status_code == 200

    call_command("reset_second_factor", "carol", stdout=StringIO())

    assert client.get(HOME)["Location"].startswith(SETUP)


def test_reset_second_factor_for_an_unknown_user_says_so(db):
    with pytest.raises(CommandError, match="There is no user called 'nobody'."):
        call_command("reset_second_factor", "nobody", stdout=StringIO())
