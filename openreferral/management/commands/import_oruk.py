"""python manage.py import_oruk URL_OR_FILE [--as-provider NAME]"""

from django.core.management.base import BaseCommand, CommandError

from openreferral.reading import FeedRefused
from openreferral.services import oruk_import


class Command(BaseCommand):
    help = (
        "Read a whole Open Referral UK 3.0 feed (every page; on later runs only what changed) "
        "into the directory as activities of one organisation, read-only for its editors."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The feed's https:// address, or a JSON file.")
        parser.add_argument(
            "--as-provider",
            dest="as_provider",
            help="The organisation the listings belong to (created if new).",
        )

    def handle(self, *args, source, as_provider=None, **options):
        try:
            result = oruk_import(source=source, as_provider=as_provider)
        except FeedRefused as exc:
            raise CommandError("\n".join(exc.problems)) from None
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"Read {result.services} service{'' if result.services == 1 else 's'} "
            f"({result.pages} page{'' if result.pages == 1 else 's'}) into "
            f"{result.provider}: {result.summary}."
        )
