"""The timetable spreadsheet (shared/design/timetable-spreadsheet.md): columns, reading, writing.

Pure apart from reading model instances on export: turning cells into validated plain data
(``parse_rows``) and activities back into rows (``activity_rows``, ``write_csv``). What needs
the database (providers, venues, refs that must exist, writing) lives in activities.importing.

One row is one activity with one time slot. Our activities may have several slots; the extra
ones get rows of their own whose ``part_of`` names the activity's ref.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Prefetch, prefetch_related_objects

from venues.accessibility import (
    ACTIVITY_CODES,
    UnknownFeatureError,
    format_feature_list,
    parse_feature_list,
)
from venues.geo import PostcodeError, normalise_postcode

from .. import recurrence
from ..enums import ActivityKind, CapacityStatus, Frequency, ReferralRoute, SupportLevel

__all__ = [
    "COLUMNS",
    "EXTRA_COLUMNS",
    "REQUIRED_COLUMNS",
    "STANDARD_COLUMNS",
    "ImportFailed",
    "ParsedFile",
    "ParsedRow",
    "Problem",
    "Slot",
    "VenueCells",
    "activity_rows",
    "is_session_date",
    "parse_rows",
    "read_csv",
    "read_xlsx",
    "slot_refs",
    "write_csv",
]

# The public layout, in the contract's order. Never rename or reorder these.
STANDARD_COLUMNS = [
    "ref",
    "provider",
    "title",
    "kind",
    "category",
    "description",
    "audience",
    "age_min",
    "age_max",
    "cost",
    "referral",
    "venue_name",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "online",
    "start_time",
    "end_time",
    "frequency",
    "first_date",
    "sessions",
    "last_date",
    "cancelled_dates",
    "accessibility",
    "engagement_limit_weeks",
    "contact_email",
    "contact_phone",
    "booking_url",
]
# Optional extras (the contract allows them): absent on import means "leave as it is".
EXTRA_COLUMNS = [
    "who_for",
    "not_suitable_for",
    "support_level",
    "how_to_join",
    "referrer_needs",
    "capacity_status",
    "capacity_updated",
    "last_checked",
    "meeting_link",
    "booking_required",
    "cancelled_reasons",
    "next_steps",
    "part_of",
    "languages",
]
COLUMNS = STANDARD_COLUMNS + EXTRA_COLUMNS
REQUIRED_COLUMNS = [
    "ref",
    "provider",
    "title",
    "kind",
    "description",
    "start_time",
    "end_time",
    "frequency",
    "first_date",
]
# Required unless every row is online (the contract: "yes unless online").
VENUE_COLUMNS = ["venue_name", "address", "postcode"]
SLOT_COLUMNS = ["start_time", "end_time", "frequency", "first_date", "sessions", "last_date"]
_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMNS)}

_LIST_SEPARATOR = ";"
_MAX_AGE = 120
_MAX_ENGAGEMENT_WEEKS = 520
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Plain text columns: column -> (ActivityPage field, max length or None).
_TEXT_COLUMNS = {
    "cost": ("cost", 60),
    "contact_phone": ("contact_phone", 40),
    "who_for": ("who_for", None),
    "not_suitable_for": ("not_suitable_for", None),
    "how_to_join": ("how_to_join", None),
    "referrer_needs": ("referrer_needs", None),
    "languages": ("languages", 200),
}
_URL_COLUMNS = {"booking_url": "booking_url", "meeting_link": "meeting_link"}
_DATE_COLUMNS = {"capacity_updated": "capacity_updated", "last_checked": "last_checked"}


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. ``row`` is as the spreadsheet shows it (header = 1);
    0 means the file as a whole."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row <= 0:
            return self.message
        if not self.column:
            return f"Row {self.row}: {self.message}"
        return f"Row {self.row}, {self.column}: {self.message}"


def _problem_order(problem: Problem) -> tuple[int, int, str]:
    return (problem.row, _COLUMN_ORDER.get(problem.column, len(_COLUMN_ORDER)), problem.message)


class ImportFailed(Exception):
    """The file was not imported (nothing was written). ``problems`` lists every bad cell."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(set(problems), key=_problem_order)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


# --------------------------------------------------------------------------- reading files


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
            {name: (cells[index] if index < len(cells) else "") for name, index in seen.items()}
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
        return _format_time(value)
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes) -> list[dict[str, str]]:
    """Rows of the first sheet of an .xlsx workbook; row 1 is the header."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

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


# --------------------------------------------------------------------------- parsed data


@dataclass(frozen=True)
class Slot:
    frequency: str
    first_date: date
    start_time: time
    end_time: time
    sessions: int | None = None
    last_date: date | None = None

    @property
    def rule(self) -> recurrence.Rule:
        return recurrence.rule_of(self)


@dataclass
class VenueCells:
    name: str
    address: str
    postcode: str  # normalised
    latitude: float | None = None
    longitude: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.name.casefold(), self.postcode)


@dataclass
class ParsedRow:
    """One data row as plain, validated values.

    For activity-level data, None means "the column is not in the file" (leave it alone).
    Rows with ``part_of`` only carry ``ref``, ``provider``, ``part_of``, the slot and its
    cancelled dates.
    """

    number: int
    ref: str = ""
    provider: str = ""
    part_of: str = ""
    slot: Slot | None = None
    cancellations: dict[date, str] | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # ActivityPage field -> value
    venue: VenueCells | None = None
    categories: list[str] | None = None
    audiences: list[str] | None = None
    venue_features: dict[str, str] | None = None
    activity_features: dict[str, str] | None = None
    next_steps: list[str] | None = None
    valid: bool = True


@dataclass
class ParsedFile:
    rows: list[ParsedRow]
    columns: frozenset[str]
    problems: list[Problem]
    warnings: list[str]

    def has(self, column: str) -> bool:
        return column in self.columns


# --------------------------------------------------------------------------- cell parsers

_TIME_RE = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_INT_RE = re.compile(r"[+-]?\d+(?:\.0+)?")
_email = EmailValidator()
# TextChoices.values builds a new list on every access; these are looked up for every row.
_VALUES = {
    choices: frozenset(choices.values)
    for choices in (ActivityKind, CapacityStatus, Frequency, SupportLevel, ReferralRoute)
}
_url = URLValidator(schemes=["http", "https"])


class _CellError(ValueError):
    pass


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(_LIST_SEPARATOR) if item.strip()]


def _format_time(value: time) -> str:
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


def parse_date(text: str) -> date:
    match = _ISO_DATE_RE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK_DATE_RE.fullmatch(text):
        # Excel in the UK re-saves ISO dates as 31/12/2026.
        day, month, year = (int(part) for part in match.groups())
    else:
        raise _CellError(f"“{text}” is not a date: use YYYY-MM-DD, like 2027-01-12.")
    try:
        return date(year, month, day)
    except ValueError:
        raise _CellError(f"{text} is not a real date.") from None


def parse_time(text: str) -> time:
    match = _TIME_RE.fullmatch(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise _CellError(f"“{text}” is not a time: use the 24-hour clock, HH:MM, like 09:30 or 14:00.")


def parse_int(text: str, *, what: str, low: int | None = None, high: int | None = None) -> int:
    if not _INT_RE.fullmatch(text):
        raise _CellError(f"“{text}” is not a whole number: give {what}.")
    value = int(float(text))
    if (low is not None and value < low) or (high is not None and value > high):
        raise _CellError(f"{value} is out of range: give {what}.")
    return value


def _yes_no(text: str) -> bool:
    word = text.lower()
    if word in {"yes", "y", "true", "1"}:
        return True
    if word in {"no", "n", "false", "0", ""}:
        return False
    raise _CellError(f"“{text}” is not yes or no.")


def _choice(text: str, choices: type, *, blank: str | None = None) -> str:
    word = text.strip().lower().replace(" ", "-" if choices is ActivityKind else "_")
    if not word and blank is not None:
        return blank
    if word in _VALUES[choices]:
        return word
    allowed = ", ".join(choices.values)
    raise _CellError(f"“{text}” is not one of: {allowed}.")


def _names(text: str, *, limit: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for name in _split(text):
        if len(name) > limit:
            raise _CellError(f"“{name[:40]}…” is too long (at most {limit} characters).")
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def weekday_name(value: date) -> str:
    return _WEEKDAYS[value.weekday()]


def is_session_date(rule: recurrence.Rule, day: date) -> bool:
    """True if the rule has a session on `day` (cancelled or not)."""
    return bool(recurrence.occurrences(rule, start=day, end=day))


def _not_a_session_message(rule: recurrence.Rule, day: date) -> str:
    description = recurrence.describe_rule(rule)
    if day.weekday() != rule.first_date.weekday():
        return (
            f"{day.isoformat()} is a {weekday_name(day)}, but this activity meets on "
            f"{weekday_name(rule.first_date)}s ({description})."
        )
    return (
        f"{day.isoformat()} is not one of this activity's session dates ({description}, "
        f"starting {rule.first_date.isoformat()})."
    )


def _rule_column(slot: Slot) -> str:
    """Which cell validate_rule is complaining about (it checks in this order)."""
    if slot.end_time <= slot.start_time:
        return "end_time"
    if slot.sessions is not None and slot.sessions < 1:
        return "sessions"
    if slot.last_date is not None and slot.last_date < slot.first_date:
        return "last_date"
    if slot.frequency == Frequency.ONCE and slot.sessions is not None and slot.sessions > 1:
        return "sessions"
    return "start_time"


# --------------------------------------------------------------------------- parsing rows


class _RowParser:
    """Parses one row, collecting a problem for every bad cell instead of stopping."""

    def __init__(self, cells: Mapping[str, str], number: int, columns: frozenset[str]):
        self.cells = cells
        self.number = number
        self.columns = columns
        self.problems: list[Problem] = []

    def has(self, column: str) -> bool:
        return column in self.columns

    def text(self, column: str) -> str:
        value = self.cells.get(column)
        if value is None:
            return ""
        return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def required(self, column: str, what: str) -> str:
        value = self.text(column)
        if not value:
            self.fail(column, f"This is required: give {what}.")
        return value

    def limited(self, column: str, value: str, limit: int | None) -> str:
        if limit is not None and len(value) > limit:
            self.fail(column, f"This is {len(value)} characters long; the most we keep is {limit}.")
            return value[:limit]
        return value

    def convert(self, column: str, parser, *args, **kwargs):
        """parser(text) or None when blank; a _CellError becomes a problem."""
        value = self.text(column)
        if not value:
            return None
        try:
            return parser(value, *args, **kwargs)
        except _CellError as exc:
            self.fail(column, str(exc))
            return None

    # ---- slot

    def slot(self, *, allow_blank: bool) -> Slot | None:
        if allow_blank and not any(self.text(column) for column in SLOT_COLUMNS):
            return None  # a service (e.g. a text line) may have no regular time slot
        start = self._required_convert("start_time", parse_time, "the start time, like 10:00")
        end = self._required_convert("end_time", parse_time, "the end time, like 12:00")
        frequency = None
        if self.required("frequency", "once, weekly, fortnightly or monthly"):
            frequency = self.convert("frequency", _choice, Frequency)
        first = self._required_convert("first_date", parse_date, "the first session's date")
        sessions = self.convert(
            "sessions", parse_int, what="the number of sessions, like 6", high=1000
        )
        last = self.convert("last_date", parse_date)
        if None in (start, end, frequency, first) or (self.text("sessions") and sessions is None):
            return None
        if self.text("last_date") and last is None:
            return None
        slot = Slot(frequency, first, start, end, sessions, last)
        try:
            recurrence.validate_rule(slot.rule)
        except recurrence.RuleError as exc:
            self.fail(_rule_column(slot), str(exc))
            return None
        return slot

    def _required_convert(self, column: str, parser, what: str):
        if not self.required(column, what):
            return None
        return self.convert(column, parser)

    def cancellations(self, slot: Slot | None) -> dict[date, str] | None:
        if not self.has("cancelled_dates"):
            return None
        result: dict[date, str] = {}
        for item in _split(self.text("cancelled_dates")):
            try:
                day = parse_date(item)
            except _CellError as exc:
                self.fail("cancelled_dates", str(exc))
                continue
            if slot is not None and not is_session_date(slot.rule, day):
                self.fail("cancelled_dates", _not_a_session_message(slot.rule, day))
                continue
            result[day] = ""
        if self.has("cancelled_reasons"):
            for item in _split(self.text("cancelled_reasons")):
                text, equals, reason = item.partition("=")
                if not equals:
                    self.fail(
                        "cancelled_reasons",
                        f"“{item}” should be a date, “=” and the reason, like "
                        "2026-12-25=Christmas Day.",
                    )
                    continue
                try:
                    day = parse_date(text.strip())
                except _CellError as exc:
                    self.fail("cancelled_reasons", str(exc))
                    continue
                if day not in result:
                    self.fail(
                        "cancelled_reasons",
                        f"This gives a reason for {day.isoformat()}, which is not in "
                        "cancelled_dates.",
                    )
                    continue
                result[day] = self.limited("cancelled_reasons", reason.strip(), 200)
        return result

    # ---- activity-level cells

    def activity(self, row: ParsedRow) -> None:
        fields = row.fields
        title = self.required("title", "the activity's title")
        fields["title"] = self.limited("title", title, 255)
        kind = None
        if self.required("kind", "course, group, drop-in, one-off or service"):
            kind = self.convert("kind", _choice, ActivityKind)
        fields["kind"] = kind
        fields["description"] = self.required("description", "a plain-text description")
        for column, (name, limit) in _TEXT_COLUMNS.items():
            if self.has(column):
                fields[name] = self.limited(column, self.text(column), limit)
        if self.has("contact_email"):
            email = self.text("contact_email")
            if email:
                try:
                    _email(email)
                except ValidationError:
                    self.fail("contact_email", f"“{email}” is not an email address.")
            fields["contact_email"] = self.limited("contact_email", email, 254)
        for column, name in _URL_COLUMNS.items():
            if self.has(column):
                url = self.text(column)
                if url:
                    try:
                        _url(url)
                    except ValidationError:
                        self.fail(column, f"“{url}” is not a web address (start it with https://).")
                fields[name] = self.limited(column, url, 200)
        for column, name in _DATE_COLUMNS.items():
            if self.has(column):
                fields[name] = self.convert(column, parse_date)
        for column in ("age_min", "age_max"):
            if self.has(column):
                fields[column] = self.convert(
                    column,
                    parse_int,
                    what=f"whole years from 0 to {_MAX_AGE}",
                    low=0,
                    high=_MAX_AGE,
                )
        if (
            fields.get("age_min") is not None
            and fields.get("age_max") is not None
            and fields["age_min"] > fields["age_max"]
        ):
            self.fail("age_max", "The oldest age must not be lower than the youngest (age_min).")
        if self.has("engagement_limit_weeks"):
            fields["engagement_limit_weeks"] = self.convert(
                "engagement_limit_weeks",
                parse_int,
                what=f"the number of weeks, from 1 to {_MAX_ENGAGEMENT_WEEKS}",
                low=1,
                high=_MAX_ENGAGEMENT_WEEKS,
            )
        if self.has("support_level"):
            fields["support_level"] = self.convert("support_level", _choice, SupportLevel) or ""
        if self.has("capacity_status"):
            fields["capacity_status"] = (
                self.convert("capacity_status", _choice, CapacityStatus) or CapacityStatus.PLACES
            )
        for column in ("online", "booking_required"):
            if self.has(column):
                fields[column] = bool(self.convert(column, _yes_no))
        if self.has("referral"):
            self.referral(fields)
        if self.has("category"):
            row.categories = self.convert("category", _names, limit=100) or []
        if self.has("audience"):
            row.audiences = self.convert("audience", _names, limit=100) or []
        if self.has("next_steps"):
            row.next_steps = _split(self.text("next_steps"))
        row.venue = self.venue()
        if self.has("accessibility"):
            self.accessibility(row)

    def referral(self, fields: dict[str, Any]) -> None:
        routes = set()
        for word in _split(self.text("referral").lower()):
            if word in _VALUES[ReferralRoute]:
                routes.add(word)
            else:
                self.fail(
                    "referral",
                    f"“{word}” is not a way to join we know: use self, professional or gp, "
                    "separated by “;”.",
                )
        for route in ReferralRoute.values:
            fields[f"{route}_referral"] = route in routes

    def venue(self) -> VenueCells | None:
        """The venue cells, or None when all are blank (whether that is allowed depends on
        online and kind, which may come from the database: the importer checks)."""
        name, address, postcode = (self.text(c) for c in VENUE_COLUMNS)
        latitude, longitude = self.text("latitude"), self.text("longitude")
        if not any((name, address, postcode, latitude, longitude)):
            return None
        for column, value, what in (
            ("venue_name", name, "the venue's name"),
            ("address", address, "the venue's street address"),
            ("postcode", postcode, "the venue's postcode"),
        ):
            if not value:
                self.fail(column, f"This is required when a venue is given: give {what}.")
        normalised = ""
        if postcode:
            try:
                normalised = normalise_postcode(postcode)
            except PostcodeError as exc:
                self.fail("postcode", str(exc))
        lat = self.convert("latitude", _coordinate, -90, 90)
        lon = self.convert("longitude", _coordinate, -180, 180)
        if (latitude == "") != (longitude == ""):
            missing = "longitude" if not longitude else "latitude"
            self.fail(
                missing, "Give both latitude and longitude, or neither (we then use the postcode)."
            )
        if not (name and address and normalised):
            return None
        return VenueCells(
            name=self.limited("venue_name", name, 200),
            address=self.limited("address", address, 400),
            postcode=normalised,
            latitude=lat if lon is not None else None,
            longitude=lon if lat is not None else None,
        )

    def accessibility(self, row: ParsedRow) -> None:
        try:
            statuses = parse_feature_list(self.text("accessibility"))
        except UnknownFeatureError as exc:
            self.fail(
                "accessibility", f"{exc}. The codes are listed in the accessibility vocabulary."
            )
            return
        row.activity_features = {c: s for c, s in statuses.items() if c in ACTIVITY_CODES}
        venue_codes = {c: s for c, s in statuses.items() if c not in ACTIVITY_CODES}
        if venue_codes and row.venue is None and not self._venue_has_problems():
            codes = ", ".join(venue_codes)
            self.fail(
                "accessibility",
                f"{codes} describe{'s' if len(venue_codes) == 1 else ''} a venue, "
                "but this row has no venue.",
            )
        row.venue_features = venue_codes

    def _venue_has_problems(self) -> bool:
        return any(p.column in VENUE_COLUMNS for p in self.problems)


def _coordinate(text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _CellError(f"“{text}” is not a number in decimal degrees, like 53.4084.") from None
    if not low <= value <= high:
        raise _CellError(f"{text} is out of range ({low} to {high}).")
    return value


def _header_problems(columns: list[str]) -> tuple[list[Problem], list[str]]:
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    problems = []
    if missing:
        names = ", ".join(missing)
        problems.append(
            Problem(
                1,
                names,
                f"The header row is missing the required column{'s' if len(missing) > 1 else ''} "
                f"{names}.",
            )
        )
    known = set(COLUMNS)
    warnings = [
        f"Ignored the column “{name}”: it is not part of the timetable layout."
        for name in columns
        if name and name not in known
    ]
    return problems, warnings


def header_of(rows: list[Mapping[str, str]]) -> list[str]:
    """The union of the rows' keys, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key).strip().lower(), None)
    return list(seen)


def parse_rows(rows: list[Mapping[str, str]], *, progress=None) -> ParsedFile:
    """Validate every row on its own (no database). Blank rows are skipped.

    Raises ImportFailed at once only for a bad header (missing required columns); every other
    problem is collected in the result so the caller can add its own before failing.
    """
    columns = header_of(rows)
    problems, warnings = _header_problems(columns)
    if problems:
        raise ImportFailed(problems)
    column_set = frozenset(columns)
    if any(name not in column_set for name in VENUE_COLUMNS):
        online_only = all(_yes_no_safe(row.get("online", "")) for row in rows if _is_filled(row))
        if not online_only:
            missing = [name for name in VENUE_COLUMNS if name not in column_set]
            names = ", ".join(missing)
            raise ImportFailed(
                [
                    Problem(
                        1,
                        names,
                        f"The header row is missing {names}: they are required unless every "
                        "activity is online.",
                    )
                ]
            )
    parsed: list[ParsedRow] = []
    for number, cells in enumerate(rows, start=2):
        if progress is not None:
            progress.update(1)
        cells = {str(k).strip().lower(): v for k, v in cells.items()}
        if not _is_filled(cells):
            continue
        parser = _RowParser(cells, number, column_set)
        row = ParsedRow(number=number)
        row.ref = parser.limited("ref", parser.required("ref", "your own reference"), 60)
        row.provider = parser.required("provider", "the organisation's name")
        row.part_of = parser.text("part_of") if "part_of" in column_set else ""
        if row.part_of:
            row.slot = parser.slot(allow_blank=False)
        else:
            parser.activity(row)
            # A row with every time cell blank is an activity without a regular slot: fine
            # for a service (a text line), and what exporting a slot-less activity gives.
            row.slot = parser.slot(allow_blank=True)
            if row.slot is None and not parser.problems and row.fields["kind"] != "service":
                warnings.append(
                    f"Row {number}: no time slot is given (start_time, end_time, frequency and "
                    "first_date are empty), so no sessions will be listed."
                )
        row.cancellations = parser.cancellations(row.slot)
        if row.cancellations and row.slot is None and not parser.problems:
            parser.fail("cancelled_dates", "Cancelled dates need a time slot (first_date etc.).")
        row.valid = not parser.problems
        problems += parser.problems
        parsed.append(row)
    return ParsedFile(rows=parsed, columns=column_set, problems=problems, warnings=warnings)


def _is_filled(row: Mapping[str, Any]) -> bool:
    return any(str(value).strip() for value in row.values() if value is not None)


def _yes_no_safe(text: str) -> bool:
    try:
        return _yes_no(str(text).strip())
    except _CellError:
        return False


# --------------------------------------------------------------------------- writing rows


def slot_refs(activity_ref: str, schedule_refs: list[str]) -> list[str]:
    """The row ref of each of an activity's slots, in order.

    The first slot's row is the activity's own row, so its ref is the activity's. Later slots
    keep their stored ref; a blank (slots added in the admin) becomes `<ref>-2`, `<ref>-3`...
    Import uses the same function to match stored slots, so their calendar UIDs survive.
    """
    if not schedule_refs:
        return []
    result = [activity_ref]
    # Stored refs are reserved up front so a generated one never takes a later slot's ref.
    taken = {activity_ref, *(ref for ref in schedule_refs[1:] if ref)}
    counter = 2
    for stored in schedule_refs[1:]:
        if stored and stored not in result:
            result.append(stored)
            continue
        while f"{activity_ref}-{counter}" in taken:
            counter += 1
        generated = f"{activity_ref}-{counter}"
        taken.add(generated)
        result.append(generated)
    return result


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _next_step_ref(activity, target) -> str:
    if target.provider_id == activity.provider_id or target.provider is None:
        return target.ref
    return f"{target.provider.slug}:{target.ref}"


def _activity_cells(activity) -> dict[str, str]:
    venue = activity.venue
    statuses = {f.code: f.status for f in venue.features.all()} if venue else {}
    statuses.update({f.code: f.status for f in activity.features.all()})
    return {
        "provider": activity.provider.title if activity.provider else "",
        "title": activity.title,
        "kind": activity.kind,
        "category": "; ".join(c.name for c in sorted(activity.categories.all(), key=_by_name)),
        "description": activity.description,
        "audience": "; ".join(a.name for a in sorted(activity.audiences.all(), key=_by_name)),
        "age_min": _number(activity.age_min),
        "age_max": _number(activity.age_max),
        "cost": activity.cost,
        "referral": _LIST_SEPARATOR.join(activity.referral_routes),
        "venue_name": venue.name if venue else "",
        "address": venue.address if venue else "",
        "postcode": venue.postcode if venue else "",
        "latitude": _number(venue.latitude) if venue else "",
        "longitude": _number(venue.longitude) if venue else "",
        "online": _yes(activity.online),
        "accessibility": format_feature_list(statuses),
        "engagement_limit_weeks": _number(activity.engagement_limit_weeks),
        "contact_email": activity.contact_email,
        "contact_phone": activity.contact_phone,
        "booking_url": activity.booking_url,
        "who_for": activity.who_for,
        "not_suitable_for": activity.not_suitable_for,
        "support_level": activity.support_level,
        "how_to_join": activity.how_to_join,
        "referrer_needs": activity.referrer_needs,
        "languages": activity.languages,
        "capacity_status": activity.capacity_status,
        "capacity_updated": _date(activity.capacity_updated),
        "last_checked": _date(activity.last_checked),
        "meeting_link": activity.meeting_link,
        "booking_required": _yes(activity.booking_required),
        "next_steps": _LIST_SEPARATOR.join(
            sorted(_next_step_ref(activity, target) for target in activity.next_steps.all())
        ),
    }


def _by_name(item) -> str:
    return item.name.casefold()


def _slot_cells(schedule, cancellations: dict[date, str]) -> dict[str, str]:
    rule = schedule.rule
    dates = sorted(day for day in cancellations if is_session_date(rule, day))
    return {
        "start_time": _format_time(schedule.start_time),
        "end_time": _format_time(schedule.end_time),
        "frequency": schedule.frequency,
        "first_date": schedule.first_date.isoformat(),
        "sessions": _number(schedule.sessions),
        "last_date": _date(schedule.last_date),
        "cancelled_dates": _LIST_SEPARATOR.join(day.isoformat() for day in dates),
        # ";" separates entries, so a reason cannot contain one.
        "cancelled_reasons": _LIST_SEPARATOR.join(
            f"{day.isoformat()}={cancellations[day].replace(';', ',')}"
            for day in dates
            if cancellations[day]
        ),
    }


def activity_rows(activity) -> list[dict[str, str]]:
    """The spreadsheet rows for one activity: one per time slot (at least one), every column.

    Expects the prefetches of activities.selectors.with_display_data (plus next_steps, which
    write_csv adds); otherwise each relation costs a query.
    """
    base = {column: "" for column in COLUMNS}
    base.update(_activity_cells(activity))
    schedules = list(activity.schedules.all())
    if not schedules:
        return [{**base, "ref": activity.ref}]
    cancellations = {c.date: c.reason for c in activity.cancellations.all()}
    rows = []
    refs = slot_refs(activity.ref, [s.ref for s in schedules])
    for index, (schedule, ref) in enumerate(zip(schedules, refs, strict=True)):
        row = {**base, **_slot_cells(schedule, cancellations), "ref": ref}
        row["part_of"] = activity.ref if index else ""
        rows.append(row)
    return rows


def write_csv(activities: Iterable, stream) -> None:
    """Write the activities (in the order given) as a timetable spreadsheet CSV.

    Starts with a UTF-8 byte order mark so that Excel shows £ and accents correctly; our
    import accepts files with or without one.
    """
    from ..models import ActivityPage

    items = list(activities)
    prefetch_related_objects(
        items,
        Prefetch("next_steps", queryset=ActivityPage.objects.select_related("provider")),
    )
    stream.write("\ufeff")
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for activity in items:
        writer.writerows(activity_rows(activity))
