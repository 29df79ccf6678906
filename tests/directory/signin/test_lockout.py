"""Issue 10: login throttling (django-axes) through the real admin login form."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import override_settings

PASSWORD = "Right-horse-battery-42"
LOGIN = "/admin/login/"


@pytest.fixture
def users(db):
    User = get_user_model()
    return (
        User.objects.create_user("dora", "dora@example.org", PASSWORD),
        User.objects.create_user("evan", "evan@example.org", PASSWORD),
    )


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, username="dora", **extra):
    return [sign_in(client, username, "wrong-password", **extra).status_code for _ in range(5)]


def test_five_wrong_passwords_then_the_right_one_is_refused(client, users):
    statuses = fail_five_times(client)

    response = sign_in(client, "dora", PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert not signed_in(client)


def test_lockout_page_says_when_to_try_again_and_nothing_about_the_account(client, users):
    fail_five_times(client)

    response = sign_in(client, "dora", PASSWORD)

    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    assert "in 15 minutes" in html
    assert response["Retry-After"] == "900"
    assert "dora" not in html
    assert "No Wrong Door" in html  # our base template, not axes' bare message
    assert 'href="/admin/password_reset/"' in html


def test_four_wrong_passwords_then_the_right_one_works(client, users):
    statuses = [sign_in(client, "dora", "wrong").status_code for _ in range(4)]

    response = sign_in(client, "dora", PASSWORD)

    assert statuses == [200] * 4
    assert response.status_code == 302
    assert signed_in(client)
    assert not AccessAttempt.objects.exists()  # a right password clears the count


def test_another_user_is_unaffected_by_a_lockout(client, users):
    fail_five_times(client, "dora")

    response = sign_in(client, "evan", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_same_user_from_another_client_is_unaffected(client, users):
    fail_five_times(client, "dora", REMOTE_ADDR="203.0.113.5")

    response = sign_in(client, "dora", PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302


@override_settings(CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")
def test_behind_a_proxy_the_client_is_the_last_forwarded_address(client, users):
    # The first entries are whatever the client sent; the last is what our proxy saw.
    for n in range(5):
        sign_in(client, "dora", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.5")

    locked = sign_in(client, "dora", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")
    elsewhere = sign_in(client, "dora", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert (locked.status_code, elsewhere.status_code) == (429, 302)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


def test_after_the_cool_off_the_right_password_works(client, users):
    fail_five_times(client)
    assert sign_in(client, "dora", PASSWORD).status_code == 429
    # The clock moves on past the 15 minutes: the failures are now that old.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))

    response = sign_in(client, "dora", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_there_is_no_django_admin_login_to_throttle(client, users):
    # Only Wagtail's admin has a login page; Django's admin is not mounted (test_permissions).
    assert client.get("/django-admin/login/").status_code == 404
