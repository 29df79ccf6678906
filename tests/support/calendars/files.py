"""The calendar files in tests/ical/fixtures (see the README there)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
YEAR = date.today().year + 1
_WEEKDAYS = {"MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5, "SUN": 6}
_PLACEHOLDER = re.compile(r"\{(Y|MON|TUE|WED|THU|FRI|SAT|SUN|FRI1|WED5)(?:\+(\d+)w)?\}")


def real_export(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def first_weekday(weekday: int, year: int = YEAR) -> date:
    start = date(year, 1, 1)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def first_fifth_weekday(weekday: int, year: int = YEAR) -> date:
    for month in range(1, 13):
        first = date(year, month, 1)
        fifth = first + timedelta(days=(weekday - first.weekday()) % 7, weeks=4)
        if fifth.month == month:
            return fifth
    raise AssertionError("unreachable: every year has months with five of each weekday")


def placeholder_date(name: str, weeks: int = 0) -> date:
    if name == "FRI1":
        day = first_weekday(4)
    elif name == "WED5":
        day = first_fifth_weekday(2)
    else:
        day = first_weekday(_WEEKDAYS[name])
    return day + timedelta(weeks=weeks)


def written(name: str) -> bytes:
    """A file from fixtures/written with its placeholders filled in for next year."""

    def fill(match: re.Match) -> str:
        if match.group(1) == "Y":
            return str(YEAR)
        return f"{placeholder_date(match.group(1), int(match.group(2) or 0)):%Y%m%d}"

    text = (FIXTURES / "written" / f"{name}.ics.in").read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(fill, text).replace("\r\n", "\n").replace("\n", "\r\n").encode()
