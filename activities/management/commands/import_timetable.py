"""python manage.py import_timetable FILE [--create-providers] [--dry-run] [--no-progress]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from activities.imports.columns import ImportFailed
from activities.imports.services import timetable_import, timetable_read
from directory.caching import data_version_bump

# Smaller files import in a moment; a progress bar would only flicker.
PROGRESS_MIN_ROWS = 200
_UNITS = {"Checking": "row", "Writing": "activity"}


class ProgressBars:
    """A tqdm bar on stderr for each stage the import reports (its progress callback)."""

    def __init__(self):
        self.stage = ""
        self.bar: tqdm | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total, desc=stage, unit=_UNITS.get(stage, "item"), file=sys.stderr
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Import a timetable spreadsheet (.csv or .xlsx). All or nothing: any bad row stops it."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument(
            "--create-providers",
            action="store_true",
            help="create organisations the directory does not know yet (default: an error)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, writing nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        bars = ProgressBars()
        try:
            with path.open("rb") as file:
                rows = timetable_read(file=file, filename=path.name)
            show = (
                not options["no_progress"] and len(rows) > PROGRESS_MIN_ROWS and sys.stderr.isatty()
            )
            result = timetable_import(
                rows=rows,
                create_providers=options["create_providers"],
                dry_run=options["dry_run"],
                progress=bars if show else None,
            )
        except ImportFailed as exc:
            count = len(exc.problems)
            raise CommandError(
                f"{path.name} was not imported (nothing was changed): "
                f"{count} problem{'' if count == 1 else 's'}.\n{exc}"
            ) from None
        finally:
            bars.close()
        if not options["dry_run"]:
            # Bulk writes send no model signals: public pages cached before it are now old.
            data_version_bump()
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        verb = "Checked (dry run, nothing written)" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb} {path.name}: {result.summary}.")
