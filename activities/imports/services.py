"""Import the timetable spreadsheet (shared/design/timetable-spreadsheet.md).

All or nothing: every row is checked first (every problem is collected, with its row and
column), and only a clean file is written, in one transaction.

Idempotent by provider + ref: importing the same file twice changes nothing the second time
(same page ids, same slot UIDs and sequences, no writes at all).

The public entry points: ``timetable_read`` (a file's rows) and ``timetable_import`` (check,
then write). The checking is activities.imports.plan; the writing, activities.imports.write.
"""

from __future__ import annotations

from datetime import date
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from directory.models import ProviderPage

from .plan import ImportResult, timetable_plan
from .readers import ReadLimits, read_rows
from .rows import Progress
from .write import timetable_write


def timetable_read(*, file: IO, filename: str) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or .xlsx file, as dicts keyed by lower-case column name.

    Raises ImportFailed for files we cannot read (wrong format, not UTF-8, no rows) or that
    are over the limits (settings IMPORT_MAX_ROWS, IMPORT_MAX_CELLS, IMPORT_MAX_UNPACKED_BYTES,
    IMPORT_MAX_UNPACK_RATIO).
    """
    data = file.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return read_rows(data=data, filename=filename, limits=read_limits())


def read_limits() -> ReadLimits:
    """How much of a spreadsheet we read, from the settings."""
    return ReadLimits(
        rows=settings.IMPORT_MAX_ROWS,
        cells=settings.IMPORT_MAX_CELLS,
        unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
        unpack_ratio=settings.IMPORT_MAX_UNPACK_RATIO,
    )


@transaction.atomic
def timetable_import(
    *,
    rows: list[dict[str, str]],
    only_provider: ProviderPage | None = None,
    create_providers: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
    dry_run: bool = False,
    any_venue: bool = False,
) -> ImportResult:
    """Check every row, then (unless ``dry_run``) write them all in one transaction.

    ``only_provider`` restricts the file to that organisation (the admin upload).
    ``create_providers`` creates organisations the directory does not know (else an error).
    ``progress(stage, done, total)`` hears how far "Checking" (rows) and "Writing"
    (activities) have got. Raises ImportFailed listing every problem; then nothing has been
    written.

    With ``only_provider`` the import changes only the venues that organisation owns (it
    links to others, and the result's warnings say what it left alone) unless ``any_venue``
    (a city admin's import). The command line, without ``only_provider``, may change any.
    """
    # Planning reads what the writes rely on (existing refs, venues, tree paths): one
    # transaction keeps the two consistent.
    plan = timetable_plan(
        rows=rows,
        only_provider=only_provider,
        create_providers=create_providers and only_provider is None,
        venues_owner=None if any_venue else only_provider,
        today=today or timezone.localdate(),
        progress=progress,
    )
    if not dry_run:
        timetable_write(plan=plan, progress=progress)
    return plan.result
