"""Working-day arithmetic: weekends and England and Wales bank holidays (pure).

The bank holidays are data (gov.uk/bank-holidays, England and Wales); add a year's dates each
autumn. A deadline falls at the same time of day, `days` working days later.
"""

from __future__ import annotations

import datetime as dt

BANK_HOLIDAYS = frozenset(
    dt.date.fromisoformat(day)
    for day in (
        # 2025
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
        "2025-12-25", "2025-12-26",
        # 2026
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
        "2026-12-25", "2026-12-28",
        # 2027
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
        "2027-12-27", "2027-12-28",
    )
)  # fmt: skip


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after `start`, at the same time of day. A start on a weekend or a
    holiday counts from the next working day (Saturday + 1 is Tuesday's time)."""
    moment = start
    while not is_working_day(moment.date()):
        moment += dt.timedelta(days=1)
    added = 0
    while added < days:
        moment += dt.timedelta(days=1)
        if is_working_day(moment.date()):
            added += 1
    return moment
