"""python manage.py import_oruk URL_OR_FILE [--as-provider NAME] [--full]"""

from django.core.management.base import BaseCommand, CommandError

from openreferral.reading import FeedRefused
from openreferral.services import oruk_import


def _listings(titles: list[str], where: str, done: str) -> str:
    """ "2 listings no longer in the feed were taken down: A, B." """
    count = len(titles)
    verb = "was" if count == 1 else "were"
    return f"{count} listing{'' if count == 1 else 's'} {where} {verb} {done}: {', '.join(titles)}."


class Command(BaseCommand):
    help = (
        "Read a whole Open Referral UK 3.0 feed (every page) into the directory as activities "
        "of one organisation, read-only for its editors. The same feed read again updates the "
        "same activities; later runs ask only for services changed since the last, unless "
        "--full. A full read takes down (unpublishes, never deletes) listings the feed no "
        "longer has, and publishes them again if they come back. Nothing changes if the feed "
        "is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="The feed's https:// address (its /services or its base), or a file."
        )
        parser.add_argument(
            "--as-provider",
            dest="as_provider",
            metavar="NAME",
            help="The organisation the listings belong to (created if new; needed when the "
            "feed names more than one).",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Read every service again, not only those changed since the last run, and "
            "take down the listings the feed no longer has.",
        )

    def handle(self, *args, source, as_provider=None, full=False, **options):
        try:
            result = oruk_import(source=source, as_provider=as_provider, full=full)
        except FeedRefused as exc:
            raise CommandError("\n".join(exc.problems)) from None
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"Read {result.services} service{'' if result.services == 1 else 's'} "
            f"({result.pages} page{'' if result.pages == 1 else 's'}"
            f"{'' if result.full else ', only those changed since the last run'}) into "
            f"{result.provider}: {result.summary}."
        )
        if result.taken_down:
            self.stdout.write(_listings(result.taken_down, "no longer in the feed", "taken down"))
        if result.published_again:
            self.stdout.write(
                _listings(result.published_again, "back in the feed", "published again")
            )
