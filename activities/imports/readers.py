"""Reading a timetable file: the bytes of a CSV or .xlsx file to one dict per data row.

Pure (no models, no database, no settings: the caller passes ReadLimits). Rows are keyed by
the header's lower-case column names; blank rows between data rows are kept, so that row
numbers stay as the spreadsheet shows them (blank rows after the last data row are dropped).

Bounded by what a file unpacks to, not by its size on disk: an .xlsx is a zip, and 400 KB can
unpack to a gigabyte. Its declared sizes are checked before openpyxl opens it (zipfile then
never inflates a member past its declared size), and any file stops being read at
``ReadLimits.rows`` data rows or ``ReadLimits.cells`` cells, with a message naming the limit.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from .cells import formula_unquoted
from .columns import ImportFailed, Problem, time_cell


@dataclass(frozen=True)
class ReadLimits:
    """How much of a file we read (settings IMPORT_MAX_ROWS, IMPORT_MAX_CELLS,
    IMPORT_MAX_UNPACKED_BYTES, IMPORT_MAX_UNPACK_RATIO)."""

    rows: int = 10_000  # data rows, the header not counted
    cells: int = 500_000  # every cell read, blank ones included
    unpacked_bytes: int = 50 * 1024 * 1024  # an .xlsx's declared uncompressed size, in all
    unpack_ratio: int = 100  # uncompressed / compressed, of any member over 1 MB


def _refused(message: str) -> ImportFailed:
    return ImportFailed([Problem(0, "", message)])


def read_rows(
    *, data: bytes, filename: str, limits: ReadLimits | None = None
) -> list[dict[str, str]]:
    """The rows of a .csv or .xlsx file, chosen by its name or its first bytes.

    Raises ImportFailed for files we cannot read (wrong format, not UTF-8, no rows, over a
    limit).
    """
    limits = limits or ReadLimits()
    name = filename.lower()
    if name.endswith((".xls", ".ods", ".numbers")) or data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportFailed(
            [
                Problem(
                    0,
                    "",
                    "We can read .csv and .xlsx files only. Save the spreadsheet as an Excel "
                    "Workbook (.xlsx) or as “CSV UTF-8 (Comma delimited)” and upload that.",
                )
            ]
        )
    is_xlsx = name.endswith(".xlsx") or data[:4] == b"PK\x03\x04"
    rows = read_xlsx(data, limits=limits) if is_xlsx else read_csv(data, limits=limits)
    if not any(any(str(value).strip() for value in row.values()) for row in rows):
        raise ImportFailed(
            [Problem(0, "", "There are no activities in this file, only a header row.")]
        )
    return rows


def _bounded(rows: Iterable[Sequence[Any]], limits: ReadLimits) -> list[list[str]]:
    """The header row and data rows as text, stopping with a message at the limits.

    Trailing empty cells are dropped from each row, and blank rows are kept only when a data
    row follows them (so a sheet's thousands of formatted but empty rows cost nothing).
    """
    table: list[list[str]] = []
    blank_run = cells = 0
    for row in rows:
        cells += len(row)
        if cells > limits.cells:
            raise _refused(
                f"This file has more than {limits.cells:,} cells; the most we read is "
                f"{limits.cells:,}. Delete the columns and rows you do not use, or split it into "
                "smaller files."
            )
        texts = [_cell_text(value) for value in row]
        while texts and not texts[-1].strip():
            texts.pop()
        if not texts and table:
            blank_run += 1
            continue
        if len(table) - 1 + blank_run + 1 > limits.rows:
            raise _refused(
                f"This file has more than {limits.rows:,} rows; the most we import at once is "
                f"{limits.rows:,}. Split it into smaller files."
            )
        table.extend([] for _ in range(blank_run))
        blank_run = 0
        table.append(texts)
    return table


def _header(cells: list[str]) -> list[str]:
    return [cell.replace("\ufeff", "").strip().lower() for cell in cells]


def _records(table: list[list[str]]) -> list[dict[str, str]]:
    """Header row + data rows -> one dict per data row (blank rows kept, so numbers hold)."""
    if not table or not any(cell.strip() for cell in table[0]):
        raise ImportFailed([Problem(0, "", "The file is empty: row 1 should be the header row.")])
    header = _header(table[0])
    seen: dict[str, int] = {}
    problems = []
    for index, name in enumerate(header):
        if not name:
            continue
        if name in seen:
            problems.append(
                Problem(1, name, f"The column “{name}” appears twice in the header row.")
            )
        seen.setdefault(name, index)
    if problems:
        raise ImportFailed(problems)
    records = []
    for number, cells in enumerate(table[1:], start=2):
        extra = [cell for cell in cells[len(header) :] if cell.strip()]
        if extra:
            raise ImportFailed(
                [
                    Problem(
                        number,
                        "",
                        f"This row has {len(cells)} cells but the header has {len(header)} "
                        "columns: check for a stray comma or an unquoted cell.",
                    )
                ]
            )
        records.append(
            {
                name: (formula_unquoted(cells[index]) if index < len(cells) else "")
                for name, index in seen.items()
            }
        )
    return records


def _delimiter(first_line: str) -> str:
    # Excel in some locales saves "CSV" with semicolons or tabs; header names never contain them.
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(data: bytes, *, limits: ReadLimits | None = None) -> list[dict[str, str]]:
    """Rows of a CSV file (UTF-8 with or without BOM, or Excel's UTF-16 "Unicode text")."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(
            [
                Problem(
                    0,
                    "",
                    "This file is not saved as UTF-8 text, so letters such as £ or é would come "
                    "out wrong. In Excel use File › Save As › “CSV UTF-8 (Comma delimited)”, "
                    "or upload the .xlsx file instead.",
                )
            ]
        ) from None
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
        table = _bounded(reader, limits or ReadLimits())
    except csv.Error as exc:
        raise ImportFailed([Problem(0, "", f"We could not read this CSV file: {exc}.")]) from None
    return _records(table)


def _cell_text(value: Any) -> str:
    """An xlsx cell as the text a CSV of the same sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return time_cell(value)
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_unpacked_size(data: bytes, limits: ReadLimits) -> None:
    """Refuse a zip whose members (as declared) unpack to too much, or too tightly packed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refused(_NOT_XLSX) from None
    total = sum(member.file_size for member in members)
    if total > limits.unpacked_bytes:
        raise _refused(
            f"This .xlsx file unpacks to {total / 1024**2:,.0f} MB of data; the most we read "
            f"is {limits.unpacked_bytes / 1024**2:,.0f} MB. Delete the sheets, columns and "
            "formatting you do not use, or save it as “CSV UTF-8 (Comma delimited)”."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > limits.unpack_ratio:
            raise _refused(
                f"This .xlsx file unpacks to {ratio:,.0f} times its size; we open files that "
                f"unpack to at most {limits.unpack_ratio} times theirs. Save it again from "
                "Excel, or as “CSV UTF-8 (Comma delimited)”."
            )


_NOT_XLSX = (
    "We could not open this .xlsx file. Save it again from Excel as an Excel Workbook (.xlsx), "
    "or as “CSV UTF-8 (Comma delimited)”."
)


# What a damaged workbook raises from zipfile, zlib, openpyxl and the XML parsers (whose
# ParseError is a SyntaxError): each means "cannot read this file", never a traceback.
_UNREADABLE_XLSX = (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, EOFError)
_UNREADABLE_XML = SyntaxError


def read_xlsx(data: bytes, *, limits: ReadLimits | None = None) -> list[dict[str, str]]:
    """Rows of the first sheet of an .xlsx workbook; row 1 is the header."""
    from openpyxl import load_workbook  # noqa: PLC0415 -- slow to import; only .xlsx needs it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415 -- as above

    limits = limits or ReadLimits()
    _check_unpacked_size(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (*_UNREADABLE_XLSX, _UNREADABLE_XML, InvalidFileException):
        raise _refused(_NOT_XLSX) from None
    except Exception:  # noqa: BLE001 - openpyxl on damaged bytes: any failure means unreadable
        raise _refused(_NOT_XLSX) from None
    if not workbook.worksheets:
        workbook.close()
        raise _refused(_NOT_XLSX)
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared dimensions pad every row (and invent missing ones) up to them:
        # a hostile file declares A1:XFD1048576. Read the cells that are there instead.
        sheet.reset_dimensions()
        table = _bounded(sheet.iter_rows(values_only=True), limits)
    except (*_UNREADABLE_XLSX, _UNREADABLE_XML):
        raise _refused(_NOT_XLSX) from None
    except ImportFailed:
        raise  # our own limits (rows, cells), with their message
    except Exception:  # noqa: BLE001 - as above: a damaged sheet is unreadable, not a traceback
        raise _refused(_NOT_XLSX) from None
    finally:
        workbook.close()
    return _records(table)
