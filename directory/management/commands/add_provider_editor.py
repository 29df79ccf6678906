from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from directory.models import ProviderPage
from directory.services import provider_editor_add, provider_find


class Command(BaseCommand):
    help = (
        "Make someone an editor of one provider: they may add, edit and publish that "
        "provider's pages and nothing else. Creates the user, or adds an existing one. "
        "A new user sets their password with the admin's 'Forgotten password?' link (so give "
        "--email), unless you pass --password, which is meant for demos. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("provider", help="The provider's name or slug.")
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Needed for a new user.")
        parser.add_argument(
            "--password", default=None, help="Set this password on a new user (demo use)."
        )

    def handle(self, *args, provider, username, email, password, **options):
        found = provider_find(name_or_slug=provider)
        if found is None:
            known = ", ".join(
                f"{title} ({slug})"
                for title, slug in ProviderPage.objects.order_by("title").values_list(
                    "title", "slug"
                )
            )
            raise CommandError(
                f'No provider matches "{provider}". Known providers: {known or "none yet"}.'
            )
        was_editor = bool(
            found.editors_group_id
            and get_user_model()
            .objects.filter(username=username, groups=found.editors_group_id)
            .exists()
        )

        try:
            if password:
                _password_validate(password=password, username=username, email=email)
            user, created = provider_editor_add(
                provider=found, username=username, email=email, password=password
            )
        except ValidationError as exc:
            raise CommandError(_describe(exc)) from exc

        if created:
            self.stdout.write(f"Created user {user.username} as an editor of {found.title}.")
            if password:
                self.stdout.write(f"They can log in at {_admin_url('wagtailadmin_login')}.")
            else:
                self.stdout.write(
                    'Nobody knows their password yet: ask them to set one with "Forgotten '
                    f'password?" at {_admin_url("wagtailadmin_password_reset")} '
                    f"using {user.email}."
                )
            return
        if was_editor:
            self.stdout.write(f"{user.username} is already an editor of {found.title}.")
        else:
            self.stdout.write(
                f"Added existing user {user.username} to the editors of {found.title}."
            )
        if password:
            self.stdout.write("Their password was left unchanged.")
        if email and user.email.lower() != email.strip().lower():
            self.stdout.write(f"Their email was left as {user.email}.")


def _password_validate(*, password: str, username: str, email: str) -> None:
    # The settings' validators, as for any password a person chooses (length, common, similar
    # to the username); the user is not saved.
    try:
        validate_password(password, get_user_model()(username=username, email=email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _admin_url(name: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(name)


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
