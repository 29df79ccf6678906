"""Our time slots as ORUK schedules, and ORUK schedules back into time slots.

Out: each slot (``activities.recurrence.Rule``) is one schedule: ``freq`` WEEKLY (interval 1,
or 2 for fortnightly) or MONTHLY with ``byday`` carrying the ordinal ("1TU", "-1FR" for the
last); a one-off session has no ``freq`` and ``valid_from`` = ``valid_to`` = its date.
``dtstart`` and ``valid_from`` are the first date, ``valid_to`` the series' last date (a
course's session count becomes its last date: ORUK 3.0 has no COUNT), ``opens_at`` and
``closes_at`` the local (Europe/London) times. ``description`` is the plain-English rule, then
the cancelled dates (ORUK has no field for them; they are also service attributes).

In: the same fields read back. A schedule without ``freq`` or times is free-text hours
("contact for times"); anything we cannot turn into our rule raises ``Unreadable`` naming the
field. Pure: no models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from activities import recurrence
from activities.recurrence import Frequency, Rule
from activities.wording import long_date, weekday_date

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Fields of the full HSDS schedule we cannot represent: their presence makes a schedule unreadable.
UNSUPPORTED = ("bymonthday", "byweekno", "byyearday", "count", "until", "wkst")


class Unreadable(ValueError):
    """A schedule we cannot turn into our time slots; ``field`` names the ORUK field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _time_text(value: time) -> str:
    return f"{value:%H:%M}" if not value.second else f"{value:%H:%M:%S}"


def cancelled_sentence(cancellations: Mapping[date, str]) -> str:
    if not cancellations:
        return ""
    parts = []
    for day in sorted(cancellations):
        reason = cancellations[day]
        parts.append(f"{weekday_date(day)} ({reason})" if reason else weekday_date(day))
    return "No session on " + "; ".join(parts) + "."


def schedule_json(
    rule: Rule,
    *,
    schedule_id: str,
    service_id: str,
    cancellations: Mapping[date, str],
    online: bool,
) -> dict:
    """The ORUK schedule of one time slot."""
    first = rule.first_date
    end = recurrence.series_end(rule)
    data: dict = {"id": schedule_id, "service_id": service_id}
    if rule.frequency == Frequency.MONTHLY:
        week = recurrence.monthly_week(first)
        data.update(freq="MONTHLY", interval=1, byday=f"{week}{DAYS[first.weekday()]}")
    elif rule.frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY):
        interval = 2 if rule.frequency == Frequency.FORTNIGHTLY else 1
        data.update(freq="WEEKLY", interval=interval, byday=DAYS[first.weekday()])
    data.update(
        dtstart=first.isoformat(),
        valid_from=first.isoformat(),
        opens_at=_time_text(rule.start_time),
        closes_at=_time_text(rule.end_time),
        attending_type="online" if online else "in_person",
    )
    if end is not None:
        data["valid_to"] = end.isoformat()
    relevant = {
        day: reason
        for day, reason in cancellations.items()
        if first <= day <= (end or date.max) and recurrence.meets_on(rule, day)
    }
    text = recurrence.describe_rule(rule)
    if rule.sessions is not None and end is not None:
        text += f" (the last on {long_date(end)})"
    data["description"] = " ".join(
        part for part in (text + ".", cancelled_sentence(relevant)) if part
    )
    return data


# --------------------------------------------------------------------------- reading


def _date(value: object, field: str) -> date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?", text)
    if not match:
        raise Unreadable(field, f"“{text[:40]}” is not a date (YYYY-MM-DD).")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise Unreadable(field, f"“{text[:40]}” is not a date that exists.") from None


def _time(value: object, field: str) -> time | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]00:?00)?", text)
    if not match:
        raise Unreadable(field, f"“{text[:40]}” is not a time (HH:MM).")
    hours, minutes, seconds = (int(part or 0) for part in match.groups()[:3])
    try:
        return time(hours, minutes, seconds)
    except ValueError:
        raise Unreadable(field, f"“{text[:40]}” is not a time of day.") from None


def _byday(value: object) -> list[tuple[int | None, int]]:
    """(ordinal or None, weekday) for each item of a byday list such as "1TU" or "MO,WE"."""
    items = []
    for part in str(value or "").replace(" ", "").upper().split(","):
        if not part:
            continue
        match = re.fullmatch(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)", part)
        if not match:
            raise Unreadable("byday", f"“{part[:20]}” is not a day such as MO or 1TU.")
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None and ordinal not in (1, 2, 3, 4, -1):
            raise Unreadable("byday", f"“{part}”: we can only read the 1st to 4th or last (-1).")
        items.append((ordinal, DAYS.index(match.group(2))))
    return items


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _monthly_first(start: date, weekday: int, ordinal: int) -> date:
    year, month = start.year, start.month
    for _ in range(13):
        candidate = recurrence._nth_weekday(year, month, weekday, ordinal)  # noqa: SLF001
        if candidate >= start:
            if ordinal == -1 and recurrence.monthly_week(candidate) != -1:
                # Our monthly rule is "the same weekday of the month as the first date": a
                # last weekday that is also the 4th would read as "the 4th" in every month.
                raise Unreadable(
                    "byday",
                    f"“-1{DAYS[weekday]}” (the last of the month) starting on "
                    f"{long_date(candidate)}, which is also the 4th: we cannot hold that rule.",
                )
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise Unreadable("byday", "No date matches this monthly rule.")  # pragma: no cover


_RULE_FIELDS = {"end_time": "closes_at", "start_time": "opens_at", "last_date": "valid_to"}


def read_schedule(data: Mapping) -> list[Rule]:
    """Our rules for one ORUK schedule: one per weekday it names; [] for free-text hours.

    Raises Unreadable (with the ORUK field) for what we cannot represent.
    """
    for name in UNSUPPORTED:
        if data.get(name) not in (None, "", [], 0):
            raise Unreadable(name, f"We cannot read schedules that use {name}.")
    opens = _time(data.get("opens_at"), "opens_at")
    closes = _time(data.get("closes_at"), "closes_at")
    start = _date(data.get("dtstart"), "dtstart") or _date(data.get("valid_from"), "valid_from")
    last = _date(data.get("valid_to"), "valid_to")
    freq = str(data.get("freq") or "").strip().upper()
    if not freq and (opens is None or start is None or last != start):
        return []  # hours in words (description), or nothing: contact for times
    if opens is None or closes is None:
        missing = "opens_at" if opens is None else "closes_at"
        if freq:
            raise Unreadable(missing, f"A repeating schedule needs {missing}.")
        return []
    if start is None:
        raise Unreadable("dtstart", "A repeating schedule needs dtstart or valid_from.")
    interval = data.get("interval") or 1
    if not isinstance(interval, int | float) or int(interval) != interval:
        raise Unreadable("interval", f"“{interval}” is not a whole number.")
    days = _byday(data.get("byday"))
    rules: list[tuple[Frequency, date]] = []
    if not freq:
        rules.append((Frequency.ONCE, start))
    elif freq == "WEEKLY":
        if interval not in (1, 2):
            raise Unreadable("interval", f"Every {int(interval)} weeks is not a rule we hold.")
        frequency = Frequency.FORTNIGHTLY if interval == 2 else Frequency.WEEKLY
        for ordinal, weekday in days or [(None, start.weekday())]:
            if ordinal is not None:
                raise Unreadable("byday", "A weekly schedule's days have no ordinal.")
            rules.append((frequency, _on_or_after(start, weekday)))
    elif freq == "MONTHLY":
        if interval != 1:
            raise Unreadable("interval", f"Every {int(interval)} months is not a rule we hold.")
        if not days:
            raise Unreadable("byday", "A monthly schedule needs byday with an ordinal (1TU).")
        for ordinal, weekday in days:
            if ordinal is None:
                raise Unreadable("byday", "A monthly schedule's day needs an ordinal (1TU).")
            rules.append((Frequency.MONTHLY, _monthly_first(start, weekday, ordinal)))
    else:
        raise Unreadable("freq", f"“{freq[:20]}” is not a frequency we hold (WEEKLY, MONTHLY).")
    result = []
    for frequency, first in rules:
        if last is not None and last < first:
            continue  # no session of this weekday falls inside the dates
        rule = Rule(frequency, first, opens, closes, None, last)
        try:
            recurrence.validate_rule(rule)
        except recurrence.RuleError as exc:
            raise Unreadable(_RULE_FIELDS.get(exc.field, exc.field), str(exc)) from None
        result.append(rule)
    if not result:
        raise Unreadable("valid_to", "No session falls between valid_from and valid_to.")
    return result


def parse_datetime_text(value: str) -> datetime | None:
    """An ISO date-time (a trailing Z allowed), or None."""
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
