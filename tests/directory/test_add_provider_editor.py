from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import ProviderFactory

User = get_user_model()


def run(*args: str) -> str:
    out = StringIO()
    call_command("add_provider_editor", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def provider(provider_a):
    return provider_a  # Mersey Minds, at mersey-minds


def group_names(user) -> list[str]:
    return list(user.groups.values_list("name", flat=True))


def test_add_provider_editor_creates_user_in_provider_editors(provider):
    output = run("Mersey Minds", "alice", "--email", "alice@example.org")

    user = User.objects.get(username="alice")
    assert (user.email, group_names(user)) == ("alice@example.org", ["Mersey Minds editors"])
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert output.splitlines() == [
        "Created user alice as an editor of Mersey Minds.",
        'Nobody knows their password yet: ask them to set one with "Forgotten password?" at '
        "http://testserver/admin/password_reset/ using alice@example.org.",
    ]


def test_add_provider_editor_finds_provider_by_slug_or_loose_name(provider):
    run("mersey-minds", "alice", "--email", "alice@example.org")
    run("  mersey MINDS ", "bob", "--email", "bob@example.org")

    assert [group_names(User.objects.get(username=name)) for name in ("alice", "bob")] == [
        ["Mersey Minds editors"],
        ["Mersey Minds editors"],
    ]


def test_add_provider_editor_unknown_provider_lists_known_ones(provider):
    ProviderFactory(title="Bold Street Wellbeing", slug="bold-street")

    with pytest.raises(CommandError) as error:
        run("Nowhere", "alice", "--email", "alice@example.org")

    assert str(error.value) == (
        'No provider matches "Nowhere". Known providers: '
        "Bold Street Wellbeing (bold-street), Mersey Minds (mersey-minds)."
    )
    assert not User.objects.filter(username="alice").exists()


def test_add_provider_editor_twice_changes_nothing(provider):
    run("Mersey Minds", "alice", "--email", "alice@example.org")
    password = User.objects.get(username="alice").password

    output = run("Mersey Minds", "alice", "--email", "alice@example.org")

    user = User.objects.get(username="alice")
    assert output == "alice is already an editor of Mersey Minds.\n"
    assert (user.password, group_names(user)) == (password, ["Mersey Minds editors"])


def test_add_provider_editor_adds_existing_user_keeping_password_and_email(provider):
    User.objects.create_user("bob", "bob@old.example.org", "correct-horse-battery")

    output = run(
        "Mersey Minds", "bob", "--email", "bob@new.example.org", "--password", "Other-pass-123"
    )

    user = User.objects.get(username="bob")
    assert output.splitlines() == [
        "Added existing user bob to the editors of Mersey Minds.",
        "Their password was left unchanged.",
        "Their email was left as bob@old.example.org.",
    ]
    assert user.check_password("correct-horse-battery")
    assert group_names(user) == ["Mersey Minds editors"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["not valid!", "--email", "a@example.org"],
            "username: Enter a valid username. This value may contain only letters, numbers, "
            "and @/./+/-/_ characters.",
        ),
        (["alice", "--email", "not-an-email"], "email: Enter a valid email address."),
        (["alice"], "email: A new editor needs an email address to set their own password."),
        (
            ["alice", "--password", "12345678"],
            "password: This password is too common. This password is entirely numeric.",
        ),
    ],
)
def test_add_provider_editor_invalid_input_fails_clearly(provider, args, message):
    with pytest.raises(CommandError) as error:
        run("Mersey Minds", *args)

    assert str(error.value) == message
    assert User.objects.count() == 0


def test_add_provider_editor_with_password_can_log_in(provider, client):
    output = run("Mersey Minds", "demo", "--password", "Liverpool-demo-2030")

    response = client.post(
        reverse("wagtailadmin_login"), {"username": "demo", "password": "Liverpool-demo-2030"}
    )

    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert output.splitlines()[-1] == "They can log in at http://testserver/admin/login/."


def test_new_editor_without_password_can_reset_it(provider, client):
    run("Mersey Minds", "alice", "--email", "alice@example.org")

    response = client.post(reverse("wagtailadmin_password_reset"), {"email": "alice@example.org"})

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
