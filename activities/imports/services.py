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

from directory.models import ProviderIndexPage, ProviderPage

from ..duplicates.store import stored_pairs_refresh_on_commit
from ..freshness.services import activity_list_mark_checked
from .lock import import_lock
from .plan import ImportResult, timetable_plan
from .readers import ReadLimits, read_rows
from .rows import Progress
from .similar import SimilarRow, similar_rows
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


def timetable_check(
    *,
    rows: list[dict[str, str]],
    only_provider: ProviderPage,
    create_taxonomy: bool,
    any_venue: bool,
    today: date | None = None,
) -> tuple[ImportResult, list[SimilarRow]]:
    """The admin preview's dry run: what the file would change, and which of its rows look
    like another organisation's current listing (similar.similar_rows). Writes nothing;
    raises ImportFailed as timetable_import does."""
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = timetable_plan(
            rows=rows,
            only_provider=only_provider,
            create_providers=False,
            create_taxonomy=create_taxonomy,
            venues_owner=None if any_venue else only_provider,
            today=today,
        )
        return plan.result, similar_rows(plan=plan, today=today)


def timetable_import(
    *,
    rows: list[dict[str, str]],
    only_provider: ProviderPage | None = None,
    create_providers: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
    dry_run: bool = False,
    create_taxonomy: bool = True,
    user=None,
    any_venue: bool = False,
) -> ImportResult:
    """Check every row, then (unless ``dry_run``) write them all in one transaction.

    ``only_provider`` restricts the file to that organisation (the admin upload).
    ``create_providers`` creates organisations the directory does not know (else an error);
    ``create_taxonomy`` likewise topics and audiences (the admin passes False for editors).
    ``user`` is the author of the revisions the import writes (None for the command).
    ``progress(stage, done, total)`` hears how far "Checking" (rows) and "Writing"
    (activities) have got. Raises ImportFailed listing every problem; then nothing has been
    written.

    With ``only_provider`` the import changes only the venues that organisation owns (it
    links to others, and the result's warnings say what it left alone) unless ``any_venue``
    (a city admin's import). The command line, without ``only_provider``, may change any.
    """
    # Planning reads what the writes rely on (existing refs, venues, tree paths): one
    # transaction keeps the two consistent.
    planning = {
        "rows": rows,
        "only_provider": only_provider,
        "create_providers": create_providers and only_provider is None,
        "create_taxonomy": create_taxonomy,
        "venues_owner": None if any_venue else only_provider,
        "today": today or timezone.localdate(),
        "progress": progress,
    }
    if dry_run:
        with transaction.atomic():
            return timetable_plan(**planning).result
    # The lock is held until the transaction has committed, so the next import plans
    # against what this one wrote.
    with import_lock(provider=only_provider), transaction.atomic():
        # Writers of the directory's organisations queue here (a no-op on SQLite, which
        # allows one writer at a time anyway): planning then sees what an earlier import wrote.
        list(ProviderIndexPage.objects.select_for_update().values_list("pk", flat=True))
        plan = timetable_plan(**planning)
        timetable_write(plan=plan, progress=progress, user=user)
        # The stored duplicates report rescans what the file changed, once it has committed.
        stored_pairs_refresh_on_commit(
            page_ids=[
                p.page.pk for p in plan.activities.values() if p.action != "unchanged" and p.page
            ]
        )
        if only_provider is not None:
            # An organisation's upload counts as checking its listings, changed or not, unless
            # a row gives its own last_checked date (README "Listings to check"). A city-wide
            # load from the command line is not anyone checking them.
            activity_list_mark_checked(
                page_ids=[
                    (p.page or p.existing).pk
                    for p in plan.activities.values()
                    if p.row and not p.row.fields.get("last_checked") and (p.page or p.existing)
                ],
                today=planning["today"],
            )
    return plan.result
