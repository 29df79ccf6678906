"""Bring a provider's own calendar into the directory (.ics exported from Google, Outlook or
Apple Calendar, uploaded or fetched from a feed address).

Each recurring event becomes an activity with a time slot, through the spreadsheet import's
writing service (activities.importing.timetable_import): events are turned into the same row
dicts a timetable spreadsheet gives, so the import has the same rules, the same all-or-nothing
transaction, the same venue matching and the same idempotence (an event's UID gives the row's
``ref``, so importing the calendar again updates the activities it made).

Three outcomes for what is in a file:

- the file is refused, nothing saved (``CalendarRefused``): not UTF-8, not a calendar, too big,
  too many events, an event without a start or UID, an end before its start, a rule repeating
  by the second, minute or hour, or a COUNT beyond ``ICAL_IMPORT_MAX_COUNT``;
- an event is skipped, listed with the reason (``SkippedEvent``): all-day or multi-day events,
  rules the timetable cannot show (yearly, by day of the month, every three weeks...), series
  already over, cancelled events, no UK postcode and no meeting link;
- the rest become rows (``PlannedEvent``), previewed before anything is written.

Limits are settings (documented in the README), with these defaults.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.html import strip_tags
from icalendar import Calendar
from icalendar.error import BrokenCalendarProperty

from directory.models import ProviderPage
from venues.geo import PostcodeError, normalise_postcode

from .. import recurrence
from ..enums import ActivityKind, Frequency
from ..recurrence import LONDON
from .services import ImportFailed, ImportResult, timetable_import

__all__ = [
    "CalendarPlan",
    "CalendarRefused",
    "PlannedEvent",
    "SkippedEvent",
    "calendar_fetch",
    "calendar_import",
    "calendar_plan",
    "import_limits",
]

DEFAULTS = {
    "ICAL_IMPORT_MAX_BYTES": 2 * 1024 * 1024,
    "ICAL_IMPORT_MAX_EVENTS": 500,
    "ICAL_IMPORT_MAX_COUNT": 520,  # ten years of weekly sessions
    "ICAL_FETCH_ALLOWED": False,
    "ICAL_FETCH_TIMEOUT": 10,
    # Only for tests and closed networks: lets a fetch reach localhost and private addresses.
    "ICAL_FETCH_ALLOW_PRIVATE": False,
}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.I)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
_MEETING_HOSTS = re.compile(
    r"://([\w-]+\.)*(zoom\.us|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|"
    r"webex\.com|whereby\.com|meet\.jit\.si)(/|$)",
    re.I,
)
_ONLINE_WORDS = re.compile(r"\b(online|zoom|teams|google meet|meet\.google|webex|virtual)\b", re.I)
_COUNTRIES = {"uk", "united kingdom", "england", "great britain", "gb", "wales", "scotland"}
_TOO_OFTEN = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour"}
_COLUMNS = [
    "ref",
    "provider",
    "part_of",
    "title",
    "kind",
    "description",
    "venue_name",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "online",
    "meeting_link",
    "start_time",
    "end_time",
    "frequency",
    "first_date",
    "sessions",
    "last_date",
    "cancelled_dates",
]


def import_limits() -> dict[str, Any]:
    """The limits in force: each setting, or its default."""
    return {name: getattr(settings, name, default) for name, default in DEFAULTS.items()}


class CalendarRefused(Exception):
    """The file was refused as a whole; nothing was saved. ``problems`` says why, plainly."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class SkippedEvent:
    summary: str
    when: str
    reason: str


@dataclass
class PlannedEvent:
    uid: str
    ref: str
    summary: str
    slots: list[str]  # plain-English description of each time slot
    where: str
    cancelled: list[date]
    rows: list[int]  # spreadsheet row numbers (for the importer's problems and actions)
    notes: list[str] = field(default_factory=list)


@dataclass
class CalendarPlan:
    rows: list[dict[str, str]]
    events: list[PlannedEvent]
    skipped: list[SkippedEvent]
    calendar_name: str = ""

    def event_for_row(self, number: int) -> PlannedEvent | None:
        for event in self.events:
            if number in event.rows:
                return event
        return None


class _Skip(Exception):
    """This event cannot become an activity; the message says why (one sentence)."""


class _Refuse(Exception):
    """This event makes the whole file unacceptable."""


# --------------------------------------------------------------------------- reading


def _read(data: bytes) -> list[Calendar]:
    limits = import_limits()
    if len(data) > limits["ICAL_IMPORT_MAX_BYTES"]:
        raise CalendarRefused(
            [
                f"This file is {filesizeformat(len(data))}; the largest calendar we accept is "
                f"{filesizeformat(limits['ICAL_IMPORT_MAX_BYTES'])}. Export only the calendar "
                "with your groups in it, or only events from this year on."
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarRefused(
            [
                f"This file is not in UTF-8 text (byte {exc.start + 1} cannot be read). Export "
                "it again from your calendar app: Google, Outlook and Apple Calendar all save "
                ".ics files as UTF-8."
            ]
        ) from None
    if "BEGIN:VCALENDAR" not in text.upper():
        raise CalendarRefused(
            ["This is not a calendar file: an .ics file starts with “BEGIN:VCALENDAR”."]
        )
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except ValueError as exc:
        raise CalendarRefused([f"We could not read this calendar file: {exc}."]) from None
    count = sum(len(c.walk("VEVENT")) for c in calendars)
    if count > limits["ICAL_IMPORT_MAX_EVENTS"]:
        raise CalendarRefused(
            [
                f"This calendar has {count} events; we import at most "
                f"{limits['ICAL_IMPORT_MAX_EVENTS']} at a time. Export only the calendar with "
                "your groups in it, or split it."
            ]
        )
    if count == 0:
        raise CalendarRefused(["There are no events in this calendar."])
    return calendars


def _value(component, name: str):
    """A property's Python value, or None when absent or unreadable (icalendar keeps
    unreadable values as vBroken)."""
    prop = component.get(name)
    if prop is None or isinstance(prop, list):
        return None
    try:
        return getattr(prop, "dt", None)
    except BrokenCalendarProperty:
        return None


def _text(component, name: str) -> str:
    value = component.get(name)
    if value is None or isinstance(value, list):
        return ""
    return str(value).strip()


def _local(value) -> tuple[datetime, bool]:
    """A DTSTART-like value in London time, and whether its zone keeps London's clock."""
    if value.tzinfo is None:
        # Floating time (older Outlook exports): a wall-clock time, which here is London's.
        return value.replace(tzinfo=LONDON), True
    local = value.astimezone(LONDON)
    later = value + timedelta(days=182)
    same_clock = (
        value.utcoffset() == local.utcoffset()
        and later.utcoffset() == later.astimezone(LONDON).utcoffset()
    )
    return local, same_clock


def _local_date(value) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(LONDON).date()
    return value


def _dates(component, name: str) -> list:
    props = component.get(name)
    if props is None:
        return []
    if not isinstance(props, list):
        props = [props]
    values = []
    for prop in props:
        for item in getattr(prop, "dts", []):
            values.append(item.dt)
    return values


# --------------------------------------------------------------------------- one event


def _describe_when(event) -> str:
    start = _value(event, "DTSTART")
    if isinstance(start, datetime):
        local = start.astimezone(LONDON) if start.tzinfo else start
        return f"{local:%d %b %Y %H:%M}"
    if isinstance(start, date):
        return f"{start:%d %b %Y}"
    return ""


def _ref(uid: str) -> str:
    # Stable for the same event in every export, short enough for the ref column.
    return "ICS-" + hashlib.sha1(uid.encode()).hexdigest()[:10].upper()


def _plain(description: str) -> str:
    """Google exports DESCRIPTION as HTML: keep the words and links, drop the markup."""
    if "<" not in description:
        return description.strip()
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", description)
    text = re.sub(r'(?i)<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', r"\2 (\1)", text)
    text = html.unescape(strip_tags(text))
    text = re.sub(r"\(\s*(https?://[^)\s]+)\s*\)", r"(\1)", text)
    # A link whose text is the address itself reads better once.
    text = re.sub(r"(https?://\S+) \(\1\)", r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _place(event, description: str) -> dict[str, str]:
    """Venue cells from LOCATION (a UK postcode is required), or online with its link."""
    location = _text(event, "LOCATION")
    match = _POSTCODE.search(location)
    if match:
        try:
            postcode = normalise_postcode(f"{match.group(1)} {match.group(2)}")
        except PostcodeError:
            postcode = ""
        if postcode:
            rest = (location[: match.start()] + location[match.end() :]).replace("\n", ",")
            parts = [p.strip(" ,") for p in rest.split(",")]
            parts = [p for p in parts if p and p.casefold() not in _COUNTRIES]
            if parts:
                cells = {
                    "venue_name": parts[0][:200],
                    "address": ", ".join(parts[1:] or parts[:1])[:400],
                    "postcode": postcode,
                    "online": "no",
                }
                geo = event.get("GEO")
                if geo is not None and hasattr(geo, "latitude"):
                    cells["latitude"] = f"{geo.latitude}"
                    cells["longitude"] = f"{geo.longitude}"
                return cells
    links = (
        _URL.findall(_text(event, "X-GOOGLE-CONFERENCE"))
        + _URL.findall(location)
        + _URL.findall(_text(event, "URL"))
        + _URL.findall(description)
    )
    meetings = [link for link in links if _MEETING_HOSTS.search(link)]
    says_online = _URL.search(location) or _ONLINE_WORDS.search(location)
    # With no location, only a video-call link makes it an online session: any other link
    # (the organisation's web page, say) says nothing about where it meets.
    chosen = (meetings or links) if says_online else meetings if not location else []
    if chosen:
        return {"online": "yes", "meeting_link": chosen[0][:200]}
    if location:
        raise _Skip(
            f"its location (“{location[:80]}”) has no UK postcode: add the postcode to the "
            "event in your calendar, or add this activity by hand."
        )
    raise _Skip("it has no location and no meeting link.")


def _days(rrule, first: date, *, interval: int) -> list[tuple[int, date]]:
    """(weekday, first date) for each BYDAY day of a weekly rule, as RFC 5545 expands it:
    weeks start on WKST and count from DTSTART's week."""
    names = rrule.get("BYDAY") or [_DAYS[first.weekday()]]
    weekdays = []
    for name in names:
        found = _BYDAY.match(str(name).upper())
        if not found or found.group(1):
            raise _Skip("it repeats on numbered weekdays within a week, which we cannot show.")
        weekdays.append(_DAYS.index(found.group(2)))
    wkst = _DAYS.index(str((rrule.get("WKST") or ["MO"])[0]).upper())
    week_start = first - timedelta(days=(first.weekday() - wkst) % 7)
    result = []
    for weekday in sorted(set(weekdays), key=lambda d: (d - wkst) % 7):
        day = week_start + timedelta(days=(weekday - wkst) % 7)
        if day < first:
            day += timedelta(weeks=interval)
        result.append((weekday, day))
    if first.weekday() not in weekdays:
        raise _Skip(
            f"it starts on a {_DAY_NAMES[first.weekday()]} but repeats on other days, which "
            "calendar apps show differently."
        )
    return sorted(result, key=lambda item: item[1])


def _last_date(until, start_time: time) -> date:
    """The last session date allowed by UNTIL (inclusive of a session starting exactly then)."""
    if not isinstance(until, datetime):
        return until
    local = until.astimezone(LONDON) if until.tzinfo else until.replace(tzinfo=LONDON)
    return local.date() if start_time <= local.time() else local.date() - timedelta(days=1)


def _first(rrule, name: str):
    values = rrule.get(name)
    return values[0] if values else None


def _slots(event, start: datetime) -> tuple[str, list[tuple[date, int | None, date | None]]]:
    """(frequency, [(first_date, sessions, last_date)]) from RRULE; one slot per weekday."""
    rrules = event.get("RRULE")
    if rrules is None:
        return Frequency.ONCE, [(start.date(), None, None)]
    if isinstance(rrules, list):
        raise _Skip("it has more than one repeat rule.")
    if not hasattr(rrules, "get") or not rrules.get("FREQ"):
        raise _Refuse("its repeat rule (RRULE) cannot be read.")
    freq = str(_first(rrules, "FREQ")).upper()
    if freq in _TOO_OFTEN:
        raise _Refuse(f"it repeats every {_TOO_OFTEN[freq]}, which is not a timetable.")
    count = _first(rrules, "COUNT")
    limit = import_limits()["ICAL_IMPORT_MAX_COUNT"]
    if count is not None and int(count) > limit:
        raise _Refuse(
            f"it repeats {count} times; we accept at most {limit} sessions in one series."
        )
    interval = int(_first(rrules, "INTERVAL") or 1)
    until = _first(rrules, "UNTIL")
    last = _last_date(until, start.time()) if until is not None else None
    sessions = int(count) if count is not None else None
    known = {"FREQ", "COUNT", "INTERVAL", "UNTIL", "BYDAY", "WKST", "BYSETPOS"}
    extra = sorted(set(rrules) - known)
    if extra:
        raise _Skip(f"it repeats by {', '.join(extra)}, which the timetable cannot show.")
    if freq in ("WEEKLY", "DAILY"):
        if freq == "DAILY":
            if interval != 1 or _first(rrules, "BYSETPOS"):
                raise _Skip("it repeats every few days, which the timetable cannot show.")
            if not rrules.get("BYDAY"):
                rrules = {**rrules, "BYDAY": list(_DAYS)}
        elif interval not in (1, 2) or _first(rrules, "BYSETPOS"):
            raise _Skip(
                f"it repeats every {interval} weeks: the timetable has weekly and fortnightly."
            )
        days = _days(rrules, start.date(), interval=interval)
        if len(days) > 1 and sessions is not None:
            raise _Skip(
                "it has a number of sessions spread over several weekdays: add it as one "
                "activity per weekday by hand."
            )
        frequency = Frequency.FORTNIGHTLY if interval == 2 else Frequency.WEEKLY
        return frequency, [(day, sessions, last) for _weekday, day in days]
    if freq == "MONTHLY":
        return Frequency.MONTHLY, [_monthly(rrules, start.date(), interval, sessions, last)]
    if freq == "YEARLY":
        raise _Skip("it repeats once a year, which the timetable cannot show.")
    raise _Skip(f"its repeat rule ({freq.lower()}) is not one the timetable can show.")


def _monthly(rrules, first: date, interval: int, sessions, last):
    days = rrules.get("BYDAY") or []
    setpos = rrules.get("BYSETPOS") or []
    if interval != 1 or len(days) != 1 or len(setpos) > 1:
        raise _Skip(
            "it repeats monthly on a date or on several days: the timetable has “the same "
            "weekday of each month” (e.g. the first Friday)."
        )
    found = _BYDAY.match(str(days[0]).upper())
    if not found:
        raise _Skip("its monthly rule cannot be read.")
    week = int(found.group(1) or (setpos[0] if setpos else 0))
    weekday = _DAYS.index(found.group(2))
    if weekday != first.weekday() or week not in (1, 2, 3, 4, -1):
        raise _Skip("its monthly rule does not match its first date.")
    actual = recurrence.monthly_week(first)
    if week != actual:
        if week == -1:
            raise _Skip(
                f"it is on the last {_DAY_NAMES[weekday]} of the month but starts on the 4th "
                f"one: we can only record “last” from a month that has five {_DAY_NAMES[weekday]}s "
                "(add it by hand)."
            )
        raise _Skip("its monthly rule does not match its first date.")
    return (first, sessions, last)


def _moved(event, original, master) -> bool:
    """Whether an override changes the session's time (not just its text)."""
    start, end = _value(event, "DTSTART"), _value(event, "DTEND")
    if master is None or not isinstance(start, datetime) or not isinstance(original, datetime):
        return True
    m_start, m_end = _value(master, "DTSTART"), _value(master, "DTEND")
    if not all(isinstance(v, datetime) for v in (end, m_start, m_end)):
        return True
    return start != original or (end - start) != (m_end - m_start)


def _overrides(events_by_uid: dict[str, list]) -> dict[str, tuple[set[date], list[str]]]:
    """Per UID: original dates cancelled or moved by RECURRENCE-ID events, and notes."""
    result: dict[str, tuple[set[date], list[str]]] = {}
    for uid, events in events_by_uid.items():
        cancelled: set[date] = set()
        notes: list[str] = []
        for event in events:
            original = _value(event, "RECURRENCE-ID")
            if original is None:
                continue
            day = _local_date(original)
            if _text(event, "STATUS").upper() == "CANCELLED":
                cancelled.add(day)
                continue
            master = next((e for e in events if e.get("RECURRENCE-ID") is None), None)
            moved = _moved(event, original, master)
            if moved:
                cancelled.add(day)
                notes.append(
                    f"The session on {day:%d %B %Y} was moved or changed in your calendar: it is "
                    "recorded as cancelled; add the new time by hand if it still runs."
                )
        result[uid] = (cancelled, notes)
    return result


def _convert(event, *, provider: ProviderPage, today: date, extra_cancelled: set[date]):
    """Rows for one master event, or raise _Skip / _Refuse."""
    uid = _text(event, "UID")
    start_value = _value(event, "DTSTART")
    if start_value is None:
        raise _Refuse("it has no start (DTSTART), or its start cannot be read.")
    if not uid:
        raise _Refuse("it has no UID, so it could not be matched when imported again.")
    if _text(event, "STATUS").upper() == "CANCELLED":
        raise _Skip("it is cancelled in your calendar.")
    if not isinstance(start_value, datetime):
        raise _Skip("it is an all-day event; the timetable lists sessions with times.")
    end_value = _value(event, "DTEND")
    if end_value is None and event.get("DURATION") is not None:
        duration = _value(event, "DURATION")
        end_value = start_value + duration if isinstance(duration, timedelta) else None
    if not isinstance(end_value, datetime):
        raise _Skip("it has no end time.")
    if end_value <= start_value:
        raise _Refuse("it ends before it starts.")
    start, same_clock = _local(start_value)
    end, _ = _local(end_value)
    summary = _text(event, "SUMMARY")
    if not summary:
        raise _Skip("it has no title.")
    # Repeat rules count days in the event's own zone (RFC 5545), so read them there.
    frequency, slots = _slots(event, start_value if start_value.tzinfo else start)
    # Whether it is over is the most useful thing to say about an old event, so it comes
    # before the checks on its times (the rule's times do not change where it ends).
    ends = [
        recurrence.series_end(
            recurrence.Rule(frequency, first, start.time(), start.time(), n, last)
        )
        for first, n, last in slots
    ]
    if all(e is not None for e in ends) and max(ends) < today:
        raise _Skip(f"it is over (its last session was on {max(ends):%d %B %Y}).")
    if not same_clock and start.date() != start_value.date():
        raise _Skip(
            "it was made in another time zone, and in UK time its sessions fall on a different day."
        )
    if end.date() != start.date():
        raise _Skip(
            "it runs past midnight or over several days"
            + ("." if same_clock else " in UK time (it was made in another time zone).")
        )
    notes = []
    if not same_clock:
        notes.append(
            "Its times were in another time zone: we used the UK time of its first session."
        )
    if event.get("RDATE") is not None:
        notes.append("Extra dates added to the series in your calendar (RDATE) are not imported.")
    rules = []
    for first, sessions, last in slots:
        rule = recurrence.Rule(frequency, first, start.time(), end.time(), sessions, last)
        try:
            recurrence.validate_rule(rule)
        except recurrence.RuleError as exc:
            raise _Skip(str(exc)) from None
        rules.append(rule)
    excluded = {_local_date(v) for v in _dates(event, "EXDATE")} | extra_cancelled
    description = _plain(_text(event, "DESCRIPTION")) or f"{summary}."
    if not _plain(_text(event, "DESCRIPTION")):
        notes.append("It has no description in your calendar: add one in the editor.")
    place = _place(event, description)
    kind = (
        ActivityKind.ONE_OFF
        if frequency == Frequency.ONCE
        else ActivityKind.COURSE
        if slots[0][1] is not None
        else ActivityKind.GROUP
    )
    ref = _ref(uid)
    rows = []
    for index, rule in enumerate(rules):
        cancelled = sorted(
            day for day in excluded if recurrence.occurrences(rule, start=day, end=day)
        )
        row = {
            "ref": ref if index == 0 else f"{ref}-{index + 1}",
            "provider": provider.title,
            "start_time": f"{rule.start_time:%H:%M}",
            "end_time": f"{rule.end_time:%H:%M}",
            "frequency": str(rule.frequency),
            "first_date": rule.first_date.isoformat(),
            "sessions": "" if rule.sessions is None else str(rule.sessions),
            "last_date": rule.last_date.isoformat() if rule.last_date else "",
            "cancelled_dates": "; ".join(day.isoformat() for day in cancelled),
        }
        if index == 0:
            row.update(
                {"title": summary[:255], "kind": str(kind), "description": description, **place}
            )
        else:
            row["part_of"] = ref
        rows.append(row)
    where = (
        f"{place['venue_name']}, {place['postcode']}"
        if place.get("postcode")
        else f"Online ({place['meeting_link']})"
    )
    planned = PlannedEvent(
        uid=uid,
        ref=ref,
        summary=summary,
        slots=[recurrence.describe_rule(rule) for rule in rules],
        where=where,
        cancelled=sorted(excluded),
        rows=[],
        notes=notes,
    )
    return rows, planned


# --------------------------------------------------------------------------- the services


def calendar_plan(*, data: bytes, provider: ProviderPage, today: date) -> CalendarPlan:
    """Read an .ics file and turn its events into timetable rows for `provider`.

    Raises CalendarRefused (listing every reason) when the file must be refused as a whole.
    Writes nothing.
    """
    calendars = _read(data)
    by_uid: dict[str, list] = {}
    order: list = []
    problems: list[str] = []
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            uid = _text(event, "UID")
            by_uid.setdefault(uid, []).append(event)
            if event.get("RECURRENCE-ID") is None:
                order.append(event)
    overrides = _overrides({uid: events for uid, events in by_uid.items() if uid})
    rows: list[dict[str, str]] = []
    planned: list[PlannedEvent] = []
    skipped: list[SkippedEvent] = []
    seen: set[str] = set()
    for event in order:
        summary = _text(event, "SUMMARY") or "(no title)"
        uid = _text(event, "UID")
        if uid and uid in seen:
            skipped.append(
                SkippedEvent(summary, _describe_when(event), "it appears twice in the file.")
            )
            continue
        seen.add(uid)
        cancelled, notes = overrides.get(uid, (set(), []))
        try:
            event_rows, plan = _convert(
                event, provider=provider, today=today, extra_cancelled=cancelled
            )
        except _Refuse as exc:
            problems.append(f"“{summary}” ({_describe_when(event) or 'no date'}): {exc}")
            continue
        except _Skip as exc:
            skipped.append(SkippedEvent(summary, _describe_when(event), str(exc)))
            continue
        plan.notes += notes
        first_number = len(rows) + 2  # as the importer numbers rows (header = 1)
        plan.rows = list(range(first_number, first_number + len(event_rows)))
        rows += [{column: row.get(column, "") for column in _COLUMNS} for row in event_rows]
        planned.append(plan)
    if problems:
        raise CalendarRefused(problems)
    name = ""
    for calendar in calendars:
        name = name or _text(calendar, "X-WR-CALNAME") or _text(calendar, "NAME")
    return CalendarPlan(rows=rows, events=planned, skipped=skipped, calendar_name=name)


def calendar_import(
    *, plan: CalendarPlan, provider: ProviderPage, dry_run: bool = False
) -> ImportResult:
    """Check (and unless ``dry_run`` write) the plan's rows with the timetable importer.

    All or nothing, as the spreadsheet import. Raises ImportFailed, its problems naming the
    event (not a spreadsheet row) where they can; or CalendarRefused when nothing in the
    calendar can be imported.
    """
    if not plan.rows:
        raise CalendarRefused(
            ["Nothing in this calendar can become an activity: see the reasons listed."]
        )
    try:
        return timetable_import(rows=plan.rows, only_provider=provider, dry_run=dry_run)
    except ImportFailed as exc:
        raise ImportFailed([_event_problem(plan, problem) for problem in exc.problems]) from None


def _event_problem(plan: CalendarPlan, problem):
    event = plan.event_for_row(problem.row)
    if event is None:
        return problem
    return type(problem)(0, "", f"“{event.summary}”: {problem.message}")


# --------------------------------------------------------------------------- fetching


def _check_host(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CalendarRefused(["Give a calendar address starting with https:// or webcal://."])
    if import_limits()["ICAL_FETCH_ALLOW_PRIVATE"]:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        raise CalendarRefused([f"We could not find the server “{parts.hostname}”."]) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            # The server fetches: never let an address reach our own network.
            raise CalendarRefused(
                [f"“{parts.hostname}” is not a public internet address, so we will not fetch it."]
            )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_host(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def calendar_fetch(*, url: str) -> bytes:
    """Download a calendar feed, when the site allows it (setting ICAL_FETCH_ALLOWED).

    Refuses non-public addresses, redirects to them, and anything over the size limit.
    """
    limits = import_limits()
    if not limits["ICAL_FETCH_ALLOWED"]:
        raise CalendarRefused(
            [
                "This site does not fetch calendars from the internet. Download the .ics file "
                "from your calendar app and upload it instead."
            ]
        )
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    _check_host(url)
    opener = urllib.request.build_opener(_CheckedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "no-wrong-door calendar import"})
    try:
        with opener.open(request, timeout=limits["ICAL_FETCH_TIMEOUT"]) as response:
            data = response.read(limits["ICAL_IMPORT_MAX_BYTES"] + 1)
    except urllib.error.HTTPError as exc:
        raise CalendarRefused(
            [f"The calendar address answered “{exc.code} {exc.reason}”."]
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CalendarRefused([f"We could not fetch the calendar: {reason}."]) from None
    return data
