"""reset_second_factor USERNAME: for someone who lost the phone with their authenticator app."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from directory.signin.second_factor import second_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and recovery codes: at their next sign-in they set "
        "up a new app. Check who is asking first (by phone, in person)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        removed = second_factor_reset(user=user)
        if not removed:
            self.stdout.write(f"{username} had no second factor set up; nothing to reset.")
            return
        self.stdout.write(
            f"Removed {username}'s authenticator app and recovery codes. At their next sign-in "
            "they will be asked to set up a new app."
        )
