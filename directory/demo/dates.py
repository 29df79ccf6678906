"""Keep the demo timetable current: move its dates from the reference week to this week.

The CSV is written as if today were REFERENCE_DATE. Loading it a month or a year later must
still give a timetable with sessions coming up, so every date moves forward together:

* by whole weeks for weekly, fortnightly and one-off rows, so every session keeps its weekday
  and every cancelled date stays on a session day;
* by whole months for monthly rows, re-anchored on the same "nth weekday of the month" (the
  first Wednesday stays the first Wednesday), because a whole number of weeks would turn some
  first Wednesdays into fifth ones;
* "bookkeeping" dates (capacity_updated, last_checked) by the same whole weeks, so a listing
  that was 100 days stale stays 100 days stale.

A side effect, accepted for a demo: holiday closures keep their weekday rather than their
calendar date, so a year later "Christmas Day" lands on 24 December. Pure Python (no Django).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from activities.recurrence import monthly_week

# The "today" the CSV was written for (a Wednesday).
REFERENCE_DATE = date(2026, 11, 25)

# Dates that say when sessions happen: monthly rows re-anchor these on the nth weekday.
_SESSION_DATE_COLUMNS = ("first_date", "last_date")
_BOOKKEEPING_DATE_COLUMNS = ("capacity_updated", "last_checked")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_shift(*, today: date, reference: date = REFERENCE_DATE) -> int:
    """Whole weeks from the reference week to today's week (negative if today is earlier)."""
    return (_monday(today) - _monday(reference)).days // 7


def month_shift(*, today: date, reference: date = REFERENCE_DATE) -> int:
    """Whole calendar months from the reference month to today's month."""
    return (today.year - reference.year) * 12 + today.month - reference.month


def _nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    """The `week`-th `weekday` of the month (week -1 means the last one)."""
    if week > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def shift_monthly(day: date, *, months: int, weekday: int, week: int) -> date:
    """Move `day` by whole months onto the `week`-th `weekday` of its new month.

    `week` and `weekday` are the series' own (from its first date, as activities.recurrence
    reads them), so every moved date is a date the moved series really meets on.
    """
    year, month0 = divmod(day.month - 1 + months, 12)
    return _nth_weekday(day.year + year, month0 + 1, weekday, week)


def _parse(text: str) -> date | None:
    text = text.strip()
    return date.fromisoformat(text) if text else None


def _session_mover(row: dict[str, str], *, days: timedelta, months: int):
    """How this row's session dates move: by months for monthly rows, else by weeks."""
    first = _parse(row.get("first_date", ""))
    if row.get("frequency", "").strip().lower() == "monthly" and first is not None:
        weekday, week = first.weekday(), monthly_week(first)
        return lambda day: shift_monthly(day, months=months, weekday=weekday, week=week)
    return lambda day: day + days


def shift_rows(
    rows: Iterable[dict[str, str]], *, today: date, reference: date = REFERENCE_DATE
) -> list[dict[str, str]]:
    """Copies of timetable rows (spreadsheet layout) with every date moved to `today`'s frame.

    Handles first_date, last_date, cancelled_dates, the dates in cancelled_reasons
    (`YYYY-MM-DD=reason;...`), capacity_updated and last_checked; other columns are copied
    unchanged. Empty cells stay empty. Rows are never modified in place.
    """
    days = timedelta(weeks=week_shift(today=today, reference=reference))
    months = month_shift(today=today, reference=reference)
    shifted = []
    for row in rows:
        new = dict(row)
        move = _session_mover(row, days=days, months=months)
        for column in _SESSION_DATE_COLUMNS:
            if (day := _parse(row.get(column, ""))) is not None:
                new[column] = move(day).isoformat()
        for column in _BOOKKEEPING_DATE_COLUMNS:
            if (day := _parse(row.get(column, ""))) is not None:
                new[column] = (day + days).isoformat()
        if cancelled := row.get("cancelled_dates", "").strip():
            new["cancelled_dates"] = ";".join(
                move(date.fromisoformat(part.strip())).isoformat()
                for part in cancelled.split(";")
                if part.strip()
            )
        if reasons := row.get("cancelled_reasons", "").strip():
            items = []
            for item in reasons.split(";"):
                if not item.strip():
                    continue
                day_text, _, reason = item.partition("=")
                items.append(f"{move(date.fromisoformat(day_text.strip())).isoformat()}={reason}")
            new["cancelled_reasons"] = ";".join(items)
        shifted.append(new)
    return shifted
