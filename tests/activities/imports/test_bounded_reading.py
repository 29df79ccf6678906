"""A spreadsheet is read within limits on what it unpacks to, not on its size on disk.

The hostile files are built here, small on disk: an .xlsx whose sheet is padded with
megabytes of whitespace that deflate to almost nothing, a sheet that declares the whole grid
(A1:XFD1048576), a cell in the last column, more rows than the limit.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from openpyxl.styles import Font

from activities.imports.columns import COLUMNS, ImportFailed
from activities.imports.services import timetable_import, timetable_read
from activities.models import ActivityPage
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support.timetables import timetable_row

UPLOAD = "/admin/timetable-import/"


def workbook_bytes(rows: list[dict[str, str]], *, styled_blank_row: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    if styled_blank_row:  # an empty but formatted cell far below, as Excel keeps them
        sheet.cell(row=styled_blank_row, column=1).font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(data: bytes, change) -> bytes:
    """The same .xlsx with its first sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(member.filename, content, compresslevel=9)
    return buffer.getvalue()


def padded(megabytes: int):
    def change(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes * 1024 * 1024), 1)

    return change


def read(data: bytes, name: str = "timetable.xlsx") -> list[dict[str, str]]:
    return timetable_read(file=io.BytesIO(data), filename=name)


def refusal(data: bytes, name: str = "timetable.xlsx") -> str:
    with pytest.raises(ImportFailed) as caught:
        read(data, name)
    return str(caught.value)


def test_xlsx_unpacking_past_the_limit_is_refused_before_it_is_opened(settings):
    # Arrange: 60 MB of sheet in a file of well under a megabyte.
    settings.IMPORT_MAX_UNPACK_RATIO = 10_000
    data = rezipped(workbook_bytes([timetable_row()]), padded(60))
    assert len(data) < 1024 * 1024

    # Act
    started = time.perf_counter()
    message = refusal(data)

    # Assert
    assert (message, time.perf_counter() - started < 1.0) == (
        "This .xlsx file unpacks to 60 MB of data; the most we read is 50 MB. Delete the sheets, "
        "columns and formatting you do not use, or save it as “CSV UTF-8 (Comma delimited)”.",
        True,
    )


def test_xlsx_packed_too_tightly_is_refused(settings):
    # Arrange: 5 MB of whitespace deflates about a thousandfold.
    data = rezipped(workbook_bytes([timetable_row()]), padded(5))

    # Act
    message = refusal(data)

    # Assert
    assert message.startswith("This .xlsx file unpacks to ")
    assert message.endswith(
        " times its size; we open files that unpack to at most 100 times theirs. Save it again "
        "from Excel, or as “CSV UTF-8 (Comma delimited)”."
    )


def test_xlsx_with_corrupt_compressed_data_is_refused():
    # Arrange: zero the start of the sheet's compressed data.
    data = bytearray(workbook_bytes([timetable_row()]))
    start = data.find(b"xl/worksheets/sheet1.xml") + 40
    data[start : start + 200] = bytes(200)

    # Act
    message = refusal(bytes(data))

    # Assert
    assert message.startswith("We could not open this .xlsx file.")


def test_sheet_declaring_the_whole_grid_reads_only_its_cells():
    # Arrange: openpyxl would otherwise pad every row to 16,384 columns and invent a million.
    data = rezipped(
        workbook_bytes([timetable_row()]),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml),
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")

    # Act
    started = time.perf_counter()
    rows = read(data)

    # Assert
    assert ([r["ref"] for r in rows], time.perf_counter() - started < 2.0) == (["HW-1"], True)


def test_a_cell_in_the_last_column_counts_every_cell_of_its_row(settings):
    # Arrange
    settings.IMPORT_MAX_CELLS = 10_000
    book = Workbook()
    book.active.append(COLUMNS)
    book.active.cell(row=2, column=16_384).value = "far away"
    buffer = io.BytesIO()
    book.save(buffer)

    # Act
    message = refusal(buffer.getvalue())

    # Assert
    assert message == (
        "This file has more than 10,000 cells; the most we read is 10,000. Delete the columns "
        "and rows you do not use, or split it into smaller files."
    )


def rows_file(name: str, count: int) -> bytes:
    rows = [timetable_row(ref=f"HW-{n}") for n in range(count)]
    return workbook_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)


@pytest.mark.parametrize("name", ["timetable.xlsx", "timetable.csv"])
def test_more_rows_than_the_limit_are_refused(settings, name):
    # Arrange
    settings.IMPORT_MAX_ROWS = 30

    # Act
    message = refusal(rows_file(name, 31), name)

    # Assert
    assert message == (
        "This file has more than 30 rows; the most we import at once is 30. Split it into "
        "smaller files."
    )


@pytest.mark.parametrize("name", ["timetable.xlsx", "timetable.csv"])
def test_rows_up_to_the_limit_are_read(settings, name):
    # Arrange
    settings.IMPORT_MAX_ROWS = 30

    # Act
    read_rows = read(rows_file(name, 30), name)

    # Assert
    assert [r["ref"] for r in read_rows] == [f"HW-{n}" for n in range(30)]


def test_formatted_empty_rows_after_the_data_cost_nothing(settings):
    # Arrange: a formatted cell 100,000 rows down, as sheets formatted past their data have.
    settings.IMPORT_MAX_ROWS = 30
    data = workbook_bytes([timetable_row()], styled_blank_row=100_000)

    # Act
    rows = read(data)

    # Assert
    assert [r["ref"] for r in rows] == ["HW-1"]


def test_blank_rows_between_data_rows_keep_the_row_numbers():
    # Arrange
    rows = [timetable_row(ref="HW-1"), {c: "" for c in COLUMNS}, timetable_row(ref="HW-3")]

    # Act
    read_rows = read(workbook_bytes(rows))

    # Assert
    assert [r["ref"] for r in read_rows] == ["HW-1", "", "HW-3"]


def test_csv_of_a_million_blank_lines_after_the_header_holds_no_rows():
    # Arrange
    data = (",".join(COLUMNS) + "\n" + "\n" * 1_000_000).encode()

    # Act
    message = refusal(data, "timetable.csv")

    # Assert
    assert message == "There are no activities in this file, only a header row."


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(COLUMNS)] + [",".join(row[c] for c in COLUMNS) for row in rows]
    return "\n".join(lines).encode()


@pytest.mark.django_db
def test_admin_upload_of_a_zip_bomb_says_why_and_writes_nothing(client):
    # Arrange
    provider = ProviderFactory(title="Hope Wellbeing")
    user, _ = provider_editor_add(provider=provider, username="hope", email="hope@example.org")
    client.force_login(user)
    data = rezipped(workbook_bytes([timetable_row()]), padded(60))
    upload = SimpleUploadedFile("timetable.xlsx", data)

    # Act
    response = client.post(UPLOAD, {"provider": provider.pk, "file": upload})

    # Assert
    assert response.status_code == 200
    assert "unpacks to 60 MB of data; the most we read is 50 MB" in response.content.decode()
    assert ActivityPage.objects.count() == 0


@pytest.mark.django_db
def test_valid_file_within_the_limits_still_imports():
    # Arrange
    ProviderFactory(title="Hope Wellbeing")
    rows = read(workbook_bytes([timetable_row(ref="HW-1"), timetable_row(ref="HW-2")]))

    # Act
    result = timetable_import(rows=rows)

    # Assert
    assert (result.created, ActivityPage.objects.count()) == (2, 2)
