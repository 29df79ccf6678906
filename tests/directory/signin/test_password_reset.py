"""Issue 10: the admin password reset sends at most a few emails per client and per address."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from directory.signin.password_reset import email_key

RESET = "/admin/password_reset/"
DONE = "/admin/password_reset/done/"


@pytest.fixture
def users(db):
    User = get_user_model()
    for name in ["dora", "evan", "fay", "gus", "hal", "ivy", "jo"]:
        User.objects.create_user(name, f"{name}@example.org", "Some-pass-word-42")


def ask(client, email, **extra):
    return client.post(RESET, {"email": email}, **extra)


def test_three_resets_per_address_per_hour_then_the_same_answer_and_no_email(client, users):
    responses = [ask(client, "dora@example.org", REMOTE_ADDR=f"203.0.113.{n}") for n in range(5)]

    assert [(r.status_code, r["Location"]) for r in responses] == [(302, DONE)] * 5
    assert len(mail.outbox) == 3
    assert {tuple(m.to) for m in mail.outbox} == {("dora@example.org",)}


def test_the_address_limit_ignores_case_and_spaces(client, users):
    for email in ["dora@example.org", "DORA@example.org", " Dora@Example.org ", "dora@example.org"]:
        ask(client, email, REMOTE_ADDR=f"203.0.113.{len(mail.outbox)}")

    assert len(mail.outbox) == 3


def test_five_resets_per_client_per_hour_across_addresses(client, users):
    emails = [f"{name}@example.org" for name in ["dora", "evan", "fay", "gus", "hal", "ivy"]]

    responses = [ask(client, email) for email in emails]

    assert [r["Location"] for r in responses] == [DONE] * 6
    assert [m.to for m in mail.outbox] == [[email] for email in emails[:5]]


def test_unknown_addresses_count_and_answer_the_same(client, users):
    unknown = ask(client, "nobody@example.org")
    known = ask(client, "evan@example.org")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mail.outbox] == [["evan@example.org"]]


@override_settings(PASSWORD_RESET_LIMIT_PER_CLIENT=1)
def test_another_client_still_gets_its_email(client, users):
    ask(client, "dora@example.org", REMOTE_ADDR="203.0.113.5")
    ask(client, "evan@example.org", REMOTE_ADDR="203.0.113.5")
    ask(client, "evan@example.org", REMOTE_ADDR="198.51.100.7")

    assert [m.to for m in mail.outbox] == [["dora@example.org"], ["evan@example.org"]]


def test_the_cache_never_holds_the_address(client, users):
    ask(client, "dora@example.org")

    keys = list(cache._cache.keys())  # the test run's local-memory cache
    assert keys and not any("dora" in key for key in keys)
    assert any(email_key("dora@example.org") in key for key in keys)


def test_a_bad_address_gets_the_form_back_with_its_error(client, users):
    response = client.post(RESET, {"email": "not an address"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []
