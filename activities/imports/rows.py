"""Parsing timetable rows: each row's cells to plain, validated values (``parse_rows``).

Pure: no models, no database. What needs the database (providers, venues, refs that must
exist) is checked by activities.imports.plan. A time slot is a ``recurrence.Rule``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from venues.accessibility import ACTIVITY_CODES, UnknownFeatureError, parse_feature_list
from venues.geo import PostcodeError, normalise_postcode

from .. import recurrence
from ..enums import ActivityKind, CapacityStatus, Frequency, ReferralRoute, SupportLevel
from ..wording import day_name
from . import cells
from .cells import CellError
from .columns import (
    SLOT_COLUMNS,
    VENUE_COLUMNS,
    ImportFailed,
    Problem,
    header_of,
    header_problems,
)

# progress(stage, done, total): "Checking" counts rows, "Writing" counts activities.
Progress = Callable[[str, int, int], None]

_MAX_AGE = 120
_MAX_ENGAGEMENT_WEEKS = 520

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


# --------------------------------------------------------------------------- parsed data


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
    slot: recurrence.Rule | None = None
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


def is_session_date(rule: recurrence.Rule, day: date) -> bool:
    """True if the rule has a session on `day` (cancelled or not)."""
    return bool(recurrence.occurrences(rule, start=day, end=day))


def _not_a_session_message(rule: recurrence.Rule, day: date) -> str:
    description = recurrence.describe_rule(rule)
    if day.weekday() != rule.first_date.weekday():
        return (
            f"{day.isoformat()} is a {day_name(day)}, but this activity meets on "
            f"{day_name(rule.first_date)}s ({description})."
        )
    return (
        f"{day.isoformat()} is not one of this activity's session dates ({description}, "
        f"starting {rule.first_date.isoformat()})."
    )


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
        """parser(text) or None when blank; a CellError becomes a problem."""
        value = self.text(column)
        if not value:
            return None
        try:
            return parser(value, *args, **kwargs)
        except CellError as exc:
            self.fail(column, str(exc))
            return None

    def checked(self, column: str, check, limit: int) -> str:
        """The cell's text, kept even when `check` finds it wrong (the problem is recorded)."""
        value = self.text(column)
        self.convert(column, check)
        return self.limited(column, value, limit)

    # ---- slot

    def slot(self, *, allow_blank: bool) -> recurrence.Rule | None:
        if allow_blank and not any(self.text(column) for column in SLOT_COLUMNS):
            return None  # a service (e.g. a text line) may have no regular time slot
        start = self._required_convert("start_time", cells.parse_time, "the start time, like 10:00")
        end = self._required_convert("end_time", cells.parse_time, "the end time, like 12:00")
        frequency = None
        if self.required("frequency", "once, weekly, fortnightly or monthly"):
            frequency = self.convert("frequency", cells.choice, Frequency)
        first = self._required_convert("first_date", cells.parse_date, "the first session's date")
        sessions = self.convert(
            "sessions", cells.parse_int, what="the number of sessions, like 6", high=1000
        )
        last = self.convert("last_date", cells.parse_date)
        if None in (start, end, frequency, first) or (self.text("sessions") and sessions is None):
            return None
        if self.text("last_date") and last is None:
            return None
        rule = recurrence.Rule(frequency, first, start, end, sessions, last)
        try:
            recurrence.validate_rule(rule)
        except recurrence.RuleError as exc:
            self.fail(exc.field or "start_time", str(exc))
            return None
        return rule

    def _required_convert(self, column: str, parser, what: str):
        if not self.required(column, what):
            return None
        return self.convert(column, parser)

    def cancellations(self, rule: recurrence.Rule | None) -> dict[date, str] | None:
        if not self.has("cancelled_dates"):
            return None
        result: dict[date, str] = {}
        for item in cells.split(self.text("cancelled_dates")):
            day = self.date_item("cancelled_dates", item)
            if day is None:
                continue
            if rule is not None and not is_session_date(rule, day):
                self.fail("cancelled_dates", _not_a_session_message(rule, day))
                continue
            result[day] = ""
        if self.has("cancelled_reasons"):
            self.cancelled_reasons(result)
        return result

    def date_item(self, column: str, text: str) -> date | None:
        """One date of a list cell, or None (a problem recorded) when it is not a date."""
        try:
            return cells.parse_date(text)
        except CellError as exc:
            self.fail(column, str(exc))
            return None

    def cancelled_reasons(self, cancelled: dict[date, str]) -> None:
        for item in cells.split(self.text("cancelled_reasons")):
            text, equals, reason = item.partition("=")
            if not equals:
                self.fail(
                    "cancelled_reasons",
                    f"“{item}” should be a date, “=” and the reason, like "
                    "2026-12-25=Christmas Day.",
                )
                continue
            day = self.date_item("cancelled_reasons", text.strip())
            if day is None:
                continue
            if day not in cancelled:
                self.fail(
                    "cancelled_reasons",
                    f"This gives a reason for {day.isoformat()}, which is not in cancelled_dates.",
                )
                continue
            cancelled[day] = self.limited("cancelled_reasons", reason.strip(), 200)

    # ---- activity-level cells

    def activity(self, row: ParsedRow) -> None:
        """The cells of an activity's own row (not a ``part_of`` row) into `row`."""
        self.essentials(row.fields)
        self.texts(row.fields)
        self.numbers(row.fields)
        self.choices(row.fields)
        self.lists(row)
        row.venue = self.venue()
        if self.has("accessibility"):
            self.accessibility(row)

    def essentials(self, fields: dict[str, Any]) -> None:
        """Title, kind and description: required on every activity's row."""
        title = self.required("title", "the activity's title")
        fields["title"] = self.limited("title", title, 255)
        kind = None
        if self.required("kind", "course, group, drop-in, one-off or service"):
            kind = self.convert("kind", cells.choice, ActivityKind)
        fields["kind"] = kind
        fields["description"] = self.required("description", "a plain-text description")

    def texts(self, fields: dict[str, Any]) -> None:
        """Free text, the contact email and the web addresses."""
        for column, (name, limit) in _TEXT_COLUMNS.items():
            if self.has(column):
                fields[name] = self.limited(column, self.text(column), limit)
        if self.has("contact_email"):
            fields["contact_email"] = self.checked("contact_email", cells.check_email, 254)
        for column, name in _URL_COLUMNS.items():
            if self.has(column):
                fields[name] = self.checked(column, cells.check_url, 200)

    def numbers(self, fields: dict[str, Any]) -> None:
        """Dates, ages and the engagement limit."""
        for column, name in _DATE_COLUMNS.items():
            if self.has(column):
                # A blank last_checked leaves the date alone: importing counts as checking
                # (freshness.services.activity_list_mark_checked), so a blank never erases it.
                if column == "last_checked" and not self.text(column):
                    continue
                fields[name] = self.convert(column, cells.parse_date)
        for column in ("age_min", "age_max"):
            if self.has(column):
                fields[column] = self.convert(
                    column,
                    cells.parse_int,
                    what=f"whole years from 0 to {_MAX_AGE}",
                    low=0,
                    high=_MAX_AGE,
                )
        youngest, oldest = fields.get("age_min"), fields.get("age_max")
        if youngest is not None and oldest is not None and youngest > oldest:
            self.fail("age_max", "The oldest age must not be lower than the youngest (age_min).")
        if self.has("engagement_limit_weeks"):
            fields["engagement_limit_weeks"] = self.convert(
                "engagement_limit_weeks",
                cells.parse_int,
                what=f"the number of weeks, from 1 to {_MAX_ENGAGEMENT_WEEKS}",
                low=1,
                high=_MAX_ENGAGEMENT_WEEKS,
            )

    def choices(self, fields: dict[str, Any]) -> None:
        """Support level, capacity, the yes/no cells and the referral routes."""
        if self.has("support_level"):
            fields["support_level"] = (
                self.convert("support_level", cells.choice, SupportLevel) or ""
            )
        if self.has("capacity_status"):
            fields["capacity_status"] = (
                self.convert("capacity_status", cells.choice, CapacityStatus)
                or CapacityStatus.PLACES
            )
        for column in ("online", "booking_required"):
            if self.has(column):
                fields[column] = bool(self.convert(column, cells.yes_no))
        if self.has("referral"):
            self.referral(fields)

    def referral(self, fields: dict[str, Any]) -> None:
        routes = set()
        for word in cells.split(self.text("referral").lower()):
            if word in cells.VALUES[ReferralRoute]:
                routes.add(word)
            else:
                self.fail(
                    "referral",
                    f"“{word}” is not a way to join we know: use self, professional or gp, "
                    "separated by “;”.",
                )
        for route in ReferralRoute.values:
            fields[f"{route}_referral"] = route in routes

    def lists(self, row: ParsedRow) -> None:
        """Categories, audiences and next steps (names or refs, resolved by the planner)."""
        if self.has("category"):
            row.categories = self.convert("category", cells.names, limit=100) or []
        if self.has("audience"):
            row.audiences = self.convert("audience", cells.names, limit=100) or []
        if self.has("next_steps"):
            row.next_steps = cells.split(self.text("next_steps"))

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
        lat = self.convert("latitude", cells.parse_coordinate, -90, 90)
        lon = self.convert("longitude", cells.parse_coordinate, -180, 180)
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


# --------------------------------------------------------------------------- the file


def _check_venue_columns(rows: list[Mapping[str, str]], columns: frozenset[str]) -> None:
    """The venue columns may be left out only when every activity is online."""
    if all(name in columns for name in VENUE_COLUMNS):
        return
    if all(cells.reads_as_yes(row.get("online", "")) for row in rows if _is_filled(row)):
        return
    names = ", ".join(name for name in VENUE_COLUMNS if name not in columns)
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


def _parse_row(parser: _RowParser, warnings: list[str]) -> ParsedRow:
    row = ParsedRow(number=parser.number)
    row.ref = parser.limited("ref", parser.required("ref", "your own reference"), 60)
    row.provider = parser.required("provider", "the organisation's name")
    row.part_of = parser.text("part_of") if parser.has("part_of") else ""
    if row.part_of:
        row.slot = parser.slot(allow_blank=False)
    else:
        parser.activity(row)
        # A row with every time cell blank is an activity without a regular slot: fine
        # for a service (a text line), and what exporting a slot-less activity gives.
        row.slot = parser.slot(allow_blank=True)
        if row.slot is None and not parser.problems and row.fields["kind"] != "service":
            warnings.append(
                f"Row {row.number}: no time slot is given (start_time, end_time, frequency and "
                "first_date are empty), so no sessions will be listed."
            )
    row.cancellations = parser.cancellations(row.slot)
    if row.cancellations and row.slot is None and not parser.problems:
        parser.fail("cancelled_dates", "Cancelled dates need a time slot (first_date etc.).")
    row.valid = not parser.problems
    return row


def parse_rows(rows: list[Mapping[str, str]], *, progress: Progress | None = None) -> ParsedFile:
    """Validate every row on its own (no database). Blank rows are skipped.

    Raises ImportFailed at once only for a bad header (missing required columns); every other
    problem is collected in the result so the caller can add its own before failing.
    ``progress`` hears ("Checking", rows done, rows in all) as the rows are read.
    """
    columns = header_of(rows)
    problems, warnings = header_problems(columns)
    if problems:
        raise ImportFailed(problems)
    column_set = frozenset(columns)
    _check_venue_columns(rows, column_set)
    parsed: list[ParsedRow] = []
    if progress is not None:
        progress("Checking", 0, len(rows))
    for number, values in enumerate(rows, start=2):
        if progress is not None:
            progress("Checking", number - 1, len(rows))
        # NUL characters mean nothing in a cell, and PostgreSQL refuses them in text.
        values = {
            str(k).strip().lower(): v.replace("\x00", "") if isinstance(v, str) else v
            for k, v in values.items()
        }
        if not _is_filled(values):
            continue
        parser = _RowParser(values, number, column_set)
        parsed.append(_parse_row(parser, warnings))
        problems += parser.problems
    return ParsedFile(rows=parsed, columns=column_set, problems=problems, warnings=warnings)


def _is_filled(row: Mapping[str, Any]) -> bool:
    return any(str(value).strip() for value in row.values() if value is not None)
