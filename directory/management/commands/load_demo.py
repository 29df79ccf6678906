"""`manage.py load_demo`: fill a development site with the Liverpool demo and demo logins."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from activities.imports.columns import ImportFailed
from directory.demo.services import DemoAlreadyLoaded, demo_load


class Command(BaseCommand):
    help = (
        "Load the fictional-but-realistic Liverpool demo (six providers, their timetable and "
        "venues) with a superuser and one editor per provider, and print their logins. "
        "Refuses to run when the demo is already loaded (use --reset) or when DEBUG is off "
        "(use --force), so nobody seeds a real site with known logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo providers, their activities, venues and editors, then reload.",
        )
        parser.add_argument(
            "--password",
            help="Give every demo login this password (default: a random one each).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never in production).",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="Pretend today is this date (YYYY-MM-DD) when moving the timetable's dates.",
        )

    def handle(self, *args, reset, password, force, today, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this may be a real site: load_demo creates logins with "
                "passwords printed on screen. Use a development database, or add --force if "
                "you are sure."
            )
        try:
            result = demo_load(today=today, password=password, reset=reset)
        except DemoAlreadyLoaded as exc:
            raise CommandError(str(exc)) from exc
        except ImportFailed as exc:
            raise CommandError(f"The demo timetable did not import:\n{exc}") from exc
        except ValidationError as exc:
            raise CommandError(
                f"Could not create the demo logins: {' '.join(exc.messages)}"
            ) from exc

        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the Liverpool demo: {len(result.providers)} providers, "
                f"{result.activity_count} activities, {result.venue_count} venues "
                f"(dates moved {result.weeks_shifted} weeks to keep the timetable current)."
            )
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "DEMO ONLY: these logins and passwords are for a local demo. "
                "Never use them, or this command, on a real site."
            )
        )
        self.stdout.write(f"Sign in at {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/admin/")
        self.stdout.write("")
        width = max(len("username"), *(len(login.username) for login in result.logins))
        pass_width = max(len("password"), *(len(login.password) for login in result.logins))
        self.stdout.write(f"{'username':<{width}}  {'password':<{pass_width}}  can edit")
        for login in result.logins:
            note = " (existing user: password replaced)" if login.existed else ""
            self.stdout.write(
                f"{login.username:<{width}}  {login.password:<{pass_width}}  {login.can_edit}{note}"
            )
