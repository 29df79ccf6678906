"""The calendar files in tests/support/calendars/fixtures (see the README there)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from tests.support.dates import first_fifth_weekday, next_year, weekday_on_or_after

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The written files are filled in for next year (of the site's today), so the calendars they
# hold are current whenever the tests run.
YEAR = next_year()
_WEEKDAYS = {"MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5, "SUN": 6}
_PLACEHOLDER = re.compile(r"\{(Y|MON|TUE|WED|THU|FRI|SAT|SUN|FRI1|WED5)(?:\+(\d+)w)?\}")


def real_export(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def placeholder_date(name: str, weeks: int = 0) -> date:
    """The date a placeholder stands for (see the README), `weeks` later."""
    if name == "FRI1":
        day = weekday_on_or_after(date(YEAR, 1, 1), _WEEKDAYS["FRI"])
    elif name == "WED5":
        day = first_fifth_weekday(YEAR, _WEEKDAYS["WED"])
    else:
        day = weekday_on_or_after(date(YEAR, 1, 1), _WEEKDAYS[name])
    return day + timedelta(weeks=weeks)


def written(name: str) -> bytes:
    """A file from fixtures/written with its placeholders filled in for next year."""

    def fill(match: re.Match) -> str:
        if match.group(1) == "Y":
            return str(YEAR)
        return f"{placeholder_date(match.group(1), int(match.group(2) or 0)):%Y%m%d}"

    text = (FIXTURES / "written" / f"{name}.ics.in").read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(fill, text).replace("\r\n", "\n").replace("\n", "\r\n").encode()
