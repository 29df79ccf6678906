"""Fuzzing the import parsers with Hypothesis: random and hostile CSV text, .xlsx workbooks
built from random cells (and damaged bytes), and .ics text from random properties.

Each input either imports or is refused with one of our messages (ImportFailed or
CalendarRefused, each problem a non-empty sentence); never any other exception, and when it is
refused the database is as it was. The whole file runs in well under a minute.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from activities.imports.calendar import CalendarRefused, calendar_import, calendar_plan
from activities.imports.columns import COLUMNS, ImportFailed
from activities.imports.readers import ReadLimits, read_rows
from activities.imports.services import timetable_import
from activities.models import ActivityPage, Audience, Category, Schedule
from directory.models import ProviderPage
from tests.factories import ProviderFactory
from tests.support.timetables import timetable_row
from venues.models import Venue

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 1)
LIMITS = ReadLimits(rows=200, cells=20_000)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def hope() -> ProviderPage:
    """The organisation the rows name (examples share one test's database, so made once)."""
    return ProviderPage.objects.filter(title="Hope Wellbeing").first() or ProviderFactory(
        title="Hope Wellbeing"
    )


def snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (ActivityPage, Schedule, Venue, Category, Audience, ProviderPage)
    )


def assert_clear(problems) -> None:
    assert problems
    assert all(str(problem).strip() for problem in problems)


def import_or_refuse(rows, **kwargs) -> None:
    """Import the rows; when refused, the database must be unchanged."""
    before = snapshot()
    try:
        timetable_import(rows=rows, today=TODAY, **kwargs)
    except ImportFailed as exc:
        assert_clear(exc.problems)
        assert snapshot() == before


# --------------------------------------------------------------------------- CSV

HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(
        list(",;\t\"\n\r\x00=+-@ '<>&£é😀\ufeff") + ["a", "1", "9", ":", "/", "L"]
    ),
    max_size=40,
)
CELL = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(
        [
            "weekly",
            "monthly",
            "once",
            "fortnightly",
            "10:00",
            "25:99",
            "2027-01-12",
            "12/01/2027",
            "2027-02-30",
            "yes",
            "no",
            "group",
            "course",
            "drop-in",
            "self",
            "gp",
            "L1 9BQ",
            "-1",
            "999999999999999999999",
            "nan",
            "1e308",
            "Hope Wellbeing",
        ]
    ),
)


@st.composite
def timetable_rows(draw) -> list[dict[str, str]]:
    """Rows that start valid and have random cells replaced by random or hostile values."""
    count = draw(st.integers(min_value=1, max_value=4))
    rows = []
    for number in range(count):
        row = timetable_row(ref=f"HW-{number}")
        for column in draw(st.lists(st.sampled_from(COLUMNS), max_size=6)):
            row[column] = draw(CELL)
        rows.append(row)
    return rows


def csv_text(rows: list[dict[str, str]]) -> str:
    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    lines = [",".join(COLUMNS)] + [",".join(quoted(row[c]) for c in COLUMNS) for row in rows]
    return "\r\n".join(lines)


@FUZZ
@given(text=st.text(max_size=300))
def test_any_csv_text_is_read_or_refused(text):
    try:
        rows = read_rows(
            data=text.encode("utf-8", "surrogatepass"), filename="t.csv", limits=LIMITS
        )
    except ImportFailed as exc:
        assert_clear(exc.problems)
    else:
        assert all(isinstance(row, dict) for row in rows)


@FUZZ
@given(rows=timetable_rows(), hostile_tail=HOSTILE_TEXT)
def test_hostile_csv_imports_or_is_refused_leaving_the_database_unchanged(rows, hostile_tail):
    hope()
    data = (csv_text(rows) + "\r\n" + hostile_tail).encode("utf-8", "surrogatepass")
    try:
        read = read_rows(data=data, filename="timetable.csv", limits=LIMITS)
    except ImportFailed as exc:
        assert_clear(exc.problems)
        return
    import_or_refuse(read, create_taxonomy=False)


# --------------------------------------------------------------------------- XLSX

XLSX_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30
)  # openpyxl refuses control characters in cells
XLSX_CELL = st.one_of(
    st.none(),
    XLSX_TEXT,
    CELL.filter(lambda s: not any(c in s for c in "\x00\r\n\t\ufeff") or not s),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.times().map(lambda t: t.replace(microsecond=0)),
)


def workbook_bytes(header: list, rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(
    header=st.lists(st.one_of(st.sampled_from(COLUMNS), XLSX_TEXT), min_size=1, max_size=12),
    rows=st.lists(st.lists(XLSX_CELL, max_size=12), max_size=5),
)
def test_xlsx_of_random_cells_is_read_or_refused(header, rows):
    before = snapshot()
    data = workbook_bytes(header, rows)
    try:
        read = read_rows(data=data, filename="t.xlsx", limits=LIMITS)
    except ImportFailed as exc:
        assert_clear(exc.problems)
        return
    import_or_refuse(read)
    if not read:
        assert snapshot() == before


@FUZZ
@given(
    rows=timetable_rows(),
    damage=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)),
)
def test_damaged_xlsx_bytes_are_read_or_refused(rows, damage, cut):
    clean = [[row[c] for c in COLUMNS] for row in rows]
    clean = [
        [c if not any(ch in c for ch in "\x00\r\x0b\x0c\ufeff") else "" for c in r] for r in clean
    ]
    data = bytearray(workbook_bytes(COLUMNS, clean))
    for position, value in damage:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    try:
        read_rows(data=bytes(data), filename="t.xlsx", limits=LIMITS)
    except ImportFailed as exc:
        assert_clear(exc.problems)


# --------------------------------------------------------------------------- .ics

ICS_VALUE = st.one_of(
    HOSTILE_TEXT.map(lambda s: s.replace("\r", "").replace("\n", "")),
    st.sampled_from(
        [
            "20270105T100000",
            "20270105",
            "2027010",
            "20270105T100000Z",
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;BYDAY=TU",
            "FREQ=MONTHLY;BYDAY=1WE",
            "FREQ=DAILY;COUNT=99999",
            "FREQ=WEEKLY;UNTIL=20261231",
            "FREQ=YEARLY",
            "FREQ=WEEKLY;INTERVAL=0",
            "PT1H",
            "P1D",
            "Hope Hall\\, 1 Hope Street\\, Liverpool L1 9BQ",
            "https://zoom.us/j/1",
            "<a href=x>",
            "NOTADATE",
            "",
        ]
    ),
)
ICS_NAME = st.sampled_from(
    [
        "DTSTART",
        "DTSTART;TZID=Europe/London",
        "DTSTART;VALUE=DATE",
        "DTEND",
        "DTEND;TZID=Europe/London",
        "DURATION",
        "RRULE",
        "EXDATE",
        "EXDATE;TZID=Europe/London",
        "RDATE",
        "SUMMARY",
        "LOCATION",
        "DESCRIPTION",
        "UID",
        "RECURRENCE-ID",
        "STATUS",
        "GEO",
        "X-GOOGLE-CONFERENCE",
        "URL",
        "DTSTART;TZID=Nowhere/Atlantis",
    ]
)


@st.composite
def calendars(draw) -> bytes:
    events = []
    for number in range(draw(st.integers(min_value=0, max_value=3))):
        lines = [
            f"UID:e{number}@example.org",
            "SUMMARY:Art Group",
            "DTSTART;TZID=Europe/London:20270105T100000",
            "DTEND;TZID=Europe/London:20270105T120000",
            "LOCATION:Hope Hall\\, 1 Hope Street\\, Liverpool L1 9BQ",
        ]
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            line = f"{draw(ICS_NAME)}:{draw(ICS_VALUE)}"
            if draw(st.booleans()):
                lines.append(line)
            else:
                lines[draw(st.integers(0, len(lines) - 1))] = line
        events.append("BEGIN:VEVENT\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n")
    head = draw(st.sampled_from(["", "X-WR-CALNAME:Hope\r\n", "X-WR-TIMEZONE:Europe/London\r\n"]))
    text = (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:fuzz\r\n{head}{''.join(events)}END:VCALENDAR\r\n"
    )
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut]
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(data=calendars())
def test_random_calendars_import_or_are_refused_leaving_the_database_unchanged(data):
    provider = hope()
    before = snapshot()
    try:
        plan = calendar_plan(data=data, provider=provider, today=TODAY)
        calendar_import(rows=plan.rows, summaries=plan.summaries, provider=provider)
    except (CalendarRefused, ImportFailed) as exc:
        assert_clear(exc.problems)
        assert snapshot() == before


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_as_a_calendar_is_planned_or_refused(text):
    provider = ProviderPage(title="Hope Wellbeing", slug="hope-wellbeing")
    try:
        calendar_plan(data=text.encode("utf-8", "surrogatepass"), provider=provider, today=TODAY)
    except CalendarRefused as exc:
        assert_clear(exc.problems)
