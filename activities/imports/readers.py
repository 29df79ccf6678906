"""Reading a timetable file: the bytes of a CSV or .xlsx file to one dict per data row.

Pure (no models, no database). Rows are keyed by the header's lower-case column names; blank
rows are kept, so that row numbers stay as the spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

from .cells import formula_unquoted
from .columns import ImportFailed, Problem, time_cell


def read_rows(*, data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of a .csv or .xlsx file, chosen by its name or its first bytes.

    Raises ImportFailed for files we cannot read (wrong format, not UTF-8, no rows).
    """
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
    rows = (
        read_xlsx(data) if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04" else read_csv(data)
    )
    if not any(any(str(value).strip() for value in row.values()) for row in rows):
        raise ImportFailed(
            [Problem(0, "", "There are no activities in this file, only a header row.")]
        )
    return rows


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


def read_csv(data: bytes) -> list[dict[str, str]]:
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
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line)))
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


def read_xlsx(data: bytes) -> list[dict[str, str]]:
    """Rows of the first sheet of an .xlsx workbook; row 1 is the header."""
    from openpyxl import load_workbook  # noqa: PLC0415 -- slow to import; only .xlsx needs it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415 -- as above

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportFailed(
            [
                Problem(
                    0,
                    "",
                    "We could not open this .xlsx file. Save it again from Excel as an "
                    "Excel Workbook (.xlsx), or as “CSV UTF-8 (Comma delimited)”.",
                )
            ]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        table = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _records(table)
