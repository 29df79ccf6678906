"""Timetable spreadsheet rows for the import and export tests."""

from __future__ import annotations

from pathlib import Path

from activities.imports.columns import COLUMNS

# A copy of ../shared/design/sample-timetable.csv (the layout contract's example), so a clone
# tests on its own.
SAMPLE = Path(__file__).resolve().parent / "sample-timetable.csv"
# 2027-01-12 is a Tuesday.
FIRST_TUESDAY = "2027-01-12"


def timetable_row(**cells: str) -> dict[str, str]:
    """A valid row in the layout, every other column empty: a weekly Tuesday morning group at
    a Liverpool hall from 12 January 2027, with `cells` changed or added."""
    values = {column: "" for column in COLUMNS}
    values.update(
        {
            "ref": "HW-1",
            "provider": "Hope Wellbeing",
            "title": "Art Group",
            "kind": "group",
            "description": "Drawing and painting.",
            "referral": "self",
            "venue_name": "Hope Hall",
            "address": "1 Hope Street, Liverpool",
            "postcode": "L1 9BQ",
            "online": "no",
            "start_time": "10:00",
            "end_time": "12:00",
            "frequency": "weekly",
            "first_date": FIRST_TUESDAY,
        }
    )
    values.update(cells)
    return values
