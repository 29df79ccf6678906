"""The timetable spreadsheet's layout (shared/design/timetable-spreadsheet.md): its columns,
the model fields they fill, how a cell writes a time, and the problems a file can have.

One row is one activity with one time slot. Our activities may have several slots; the extra
ones get rows of their own whose ``part_of`` names the activity's ref.

Pure: no models, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time

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
# Separates the items of a list cell (categories, dates, codes...).
LIST_SEPARATOR = ";"

# ActivityPage fields a row may set (besides venue and the relations).
ACTIVITY_FIELDS = [
    "title",
    "kind",
    "description",
    "who_for",
    "not_suitable_for",
    "support_level",
    "age_min",
    "age_max",
    "cost",
    "self_referral",
    "professional_referral",
    "gp_referral",
    "booking_required",
    "how_to_join",
    "referrer_needs",
    "capacity_status",
    "capacity_updated",
    "last_checked",
    "contact_email",
    "contact_phone",
    "booking_url",
    "online",
    "meeting_link",
    "engagement_limit_weeks",
    "languages",
]

_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMNS)}


def time_cell(value: time) -> str:
    """A time as the layout writes it: "09:30", or "09:30:15" when it has seconds."""
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


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


# --------------------------------------------------------------------------- the header


def header_of(rows: list[Mapping[str, str]]) -> list[str]:
    """The union of the rows' keys, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key).strip().lower(), None)
    return list(seen)


def header_problems(columns: list[str]) -> tuple[list[Problem], list[str]]:
    """Problems with a header (required columns missing) and warnings (unknown columns)."""
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
