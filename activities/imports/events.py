"""One calendar event (a VEVENT of an .ics file) to timetable rows, or the reason it cannot be.

``event_rows`` turns a master event into spreadsheet row dicts (one per weekday it repeats on;
the extra ones are ``part_of`` rows) and a PlannedEvent describing it; it raises EventSkipped
(the event is listed with the reason) or EventRefused (the whole file is refused). The rules
are in activities.imports.calendar's docstring.

Pure: no models, no database, no settings (the caller passes the limits).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from icalendar.error import BrokenCalendarProperty

from venues.geo import PostcodeError, normalise_postcode

from .. import recurrence
from ..enums import ActivityKind, Frequency
from ..recurrence import LONDON
from ..wording import MONTH_NAMES, clock, long_date
from .repeats import EventRefused, EventSkipped, repeat_slots
from .rows import is_session_date

# Every quantifier bounded, so a search is linear in the text (no backtracking blow-up).
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s{0,3}(\d[A-Z]{2})\b", re.I)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
# Video-call services: a link to one of these hosts (or a subdomain) is a meeting link.
_MEETING_HOSTS = (
    "zoom.us",
    "meet.google.com",
    "teams.microsoft.com",
    "teams.live.com",
    "webex.com",
    "whereby.com",
    "meet.jit.si",
)
_ONLINE_WORDS = re.compile(r"\b(online|zoom|teams|google meet|meet\.google|webex|virtual)\b", re.I)
_COUNTRIES = {"uk", "united kingdom", "england", "great britain", "gb", "wales", "scotland"}


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


# --------------------------------------------------------------------------- properties


def _value(component, name: str):
    """A property's Python value, or None when absent or unreadable (icalendar keeps
    unreadable values as vBroken)."""
    prop = component.get(name)
    if prop is None or isinstance(prop, list):
        return None
    try:
        value = getattr(prop, "dt", None)
    except (BrokenCalendarProperty, ValueError, TypeError):
        return None
    # A property of the wrong kind (RECURRENCE-ID:PT1H, DURATION:20270105) is unreadable too.
    wanted = timedelta if name == "DURATION" else date
    return value if isinstance(value, wanted) else None


def text_of(component, name: str) -> str:
    """A text property, stripped and without NUL characters; "" when absent."""
    value = component.get(name)
    if value is None or isinstance(value, list):
        return ""
    return str(value).replace("\x00", "").strip()


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
    try:
        for prop in props:
            for item in getattr(prop, "dts", []):
                if not isinstance(item.dt, date):  # a duration or a period, not a date
                    raise TypeError(item.dt)
                values.append(item.dt)
    except (BrokenCalendarProperty, ValueError, TypeError):
        # icalendar parses a broken date list only when it is read.
        raise EventSkipped(
            f"its {name} dates cannot be read: correct them in your calendar, or add this "
            "activity by hand."
        ) from None
    return values


# --------------------------------------------------------------------------- one event


def _short_date(day: date) -> str:
    """“05 Jan 2027” (as the skipped-events list has always shown it): our month names, not
    the server locale's (strftime's %b)."""
    return f"{day.day:02d} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def describe_when(event) -> str:
    """When the event starts, for the list of skipped events: “30 Jul 2018 09:25”."""
    start = _value(event, "DTSTART")
    if isinstance(start, datetime):
        local = start.astimezone(LONDON) if start.tzinfo else start
        return f"{_short_date(local)} {clock(local)}"
    if isinstance(start, date):
        return _short_date(start)
    return ""


def _ref(uid: str) -> str:
    # Stable for the same event in every export, short enough for the ref column.
    return "ICS-" + hashlib.sha1(uid.encode()).hexdigest()[:10].upper()


_BREAK_TAGS = frozenset({"br", "br/", "/p", "/div", "/li"})


def _tag(inner: str) -> tuple[str, str]:
    """A tag's name ("a", "/a", "br"...) and its href, from the text between < and >."""
    words = inner[:12].split(None, 1)  # a tag's name is short: look no further
    name = words[0].lower() if words else ""
    href = ""
    if name == "a":
        start = inner.lower().find('href="')
        if start >= 0:
            end = inner.find('"', start + 6)
            href = inner[start + 6 : end] if end >= 0 else ""
    return name, href


def _unescaped(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _plain(description: str) -> str:
    """Google exports DESCRIPTION as HTML: keep the words and links, drop the markup.

    One pass with str.find (linear in the text's length, whatever it holds: a regular
    expression here took 34 s on a 192 KB description). A link becomes "text (address)", or
    just the address when that is its text; <br>, </p>, </div> and </li> end a line.
    """
    if "<" not in description:
        return description.strip()
    parts: list[str] = []
    link: tuple[int, str] | None = None  # (index in parts where the link text starts, href)
    position = 0
    while True:
        opening = description.find("<", position)
        closing = description.find(">", opening + 1) if opening >= 0 else -1
        if closing < 0:  # no more tags: the rest is text (a lone "<" included)
            parts.append(_unescaped(description[position:]))
            break
        if opening > position:
            parts.append(_unescaped(description[position:opening]))
        position = closing + 1
        name, href = _tag(description[opening + 1 : closing])
        if name in _BREAK_TAGS:
            parts.append("\n")
        elif name == "a" and href:
            link = (len(parts), html.unescape(href))
        elif name == "/a" and link is not None:
            start, address = link
            words = "".join(parts[start:]).strip()
            parts[start:] = [address if words in ("", address) else f"{words} ({address})"]
            link = None
    lines = "".join(parts).split("\n")
    text, blank = [], False
    for line in lines:  # at most one blank line in a row
        if line.strip() or not blank:
            text.append(line)
        blank = not line.strip()
    return "\n".join(text).strip()


def _geo(event) -> dict[str, str]:
    """GEO as latitude and longitude cells; none when absent or unreadable."""
    geo = event.get("GEO")
    if geo is None or isinstance(geo, list):
        return {}
    try:
        return {"latitude": f"{geo.latitude}", "longitude": f"{geo.longitude}"}
    except (AttributeError, BrokenCalendarProperty, ValueError, TypeError):
        return {}


def _is_meeting(link: str) -> bool:
    try:
        host = (urlsplit(link).hostname or "").lower()
    except ValueError:  # e.g. an unclosed [ in the host
        return False
    return any(host == name or host.endswith("." + name) for name in _MEETING_HOSTS)


def _place(event, description: str) -> dict[str, str]:
    """Venue cells from LOCATION (a UK postcode is required), or online with its link."""
    location = text_of(event, "LOCATION")
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
                cells.update(_geo(event))
                return cells
    links = (
        _URL.findall(text_of(event, "X-GOOGLE-CONFERENCE"))
        + _URL.findall(location)
        + _URL.findall(text_of(event, "URL"))
        + _URL.findall(description)
    )
    meetings = [link for link in links if _is_meeting(link)]
    says_online = _URL.search(location) or _ONLINE_WORDS.search(location)
    # With no location, only a video-call link makes it an online session: any other link
    # (the organisation's web page, say) says nothing about where it meets.
    chosen = (meetings or links) if says_online else meetings if not location else []
    if chosen:
        return {"online": "yes", "meeting_link": chosen[0][:200]}
    if location:
        raise EventSkipped(
            f"its location (“{location[:80]}”) has no UK postcode: add the postcode to the "
            "event in your calendar, or add this activity by hand."
        )
    raise EventSkipped("it has no location and no meeting link.")


def _moved(event, original, master) -> bool:
    """Whether an override changes the session's time (not just its text)."""
    start, end = _value(event, "DTSTART"), _value(event, "DTEND")
    if master is None or not isinstance(start, datetime) or not isinstance(original, datetime):
        return True
    m_start, m_end = _value(master, "DTSTART"), _value(master, "DTEND")
    if not all(isinstance(v, datetime) for v in (end, m_start, m_end)):
        return True
    return start != original or (end - start) != (m_end - m_start)


def overrides(events_by_uid: dict[str, list]) -> dict[str, tuple[set[date], list[str]]]:
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
            if text_of(event, "STATUS").upper() == "CANCELLED":
                cancelled.add(day)
                continue
            master = next((e for e in events if e.get("RECURRENCE-ID") is None), None)
            moved = _moved(event, original, master)
            if moved:
                cancelled.add(day)
                notes.append(
                    f"The session on {long_date(day)} was moved or changed in your calendar: it is "
                    "recorded as cancelled; add the new time by hand if it still runs."
                )
        result[uid] = (cancelled, notes)
    return result


# --------------------------------------------------------------------------- one event


def _times(event) -> tuple[str, datetime, datetime]:
    """(UID, start, end) as the event gives them, or why it cannot be a session."""
    uid = text_of(event, "UID")
    start = _value(event, "DTSTART")
    if start is None:
        raise EventRefused("it has no start (DTSTART), or its start cannot be read.")
    if not uid:
        raise EventRefused("it has no UID, so it could not be matched when imported again.")
    if text_of(event, "STATUS").upper() == "CANCELLED":
        raise EventSkipped("it is cancelled in your calendar.")
    if not isinstance(start, datetime):
        raise EventSkipped("it is an all-day event; the timetable lists sessions with times.")
    end = _value(event, "DTEND")
    if end is None and event.get("DURATION") is not None:
        duration = _value(event, "DURATION")
        end = start + duration if isinstance(duration, timedelta) else None
    if not isinstance(end, datetime):
        raise EventSkipped("it has no end time.")
    # One of the two may be floating (no zone) and the other zoned: compare both in London.
    if _local(end)[0] <= _local(start)[0]:
        raise EventRefused("it ends before it starts.")
    return uid, start, end


def _check_dates(frequency, slots, *, start, end, start_value, same_clock, today) -> None:
    """Skip a series that is over, or whose sessions do not fall on one UK day."""
    # Whether it is over is the most useful thing to say about an old event, so it comes
    # before the checks on its times (the rule's times do not change where it ends).
    ends = [
        recurrence.series_end(
            recurrence.Rule(frequency, first, start.time(), start.time(), n, last)
        )
        for first, n, last in slots
    ]
    if all(e is not None for e in ends) and max(ends) < today:
        raise EventSkipped(f"it is over (its last session was on {long_date(max(ends))}).")
    if not same_clock and start.date() != start_value.date():
        raise EventSkipped(
            "it was made in another time zone, and in UK time its sessions fall on a different day."
        )
    if end.date() != start.date():
        raise EventSkipped(
            "it runs past midnight or over several days"
            + ("." if same_clock else " in UK time (it was made in another time zone).")
        )


def _kind(frequency, slots) -> ActivityKind:
    if frequency == Frequency.ONCE:
        return ActivityKind.ONE_OFF
    return ActivityKind.COURSE if slots[0][1] is not None else ActivityKind.GROUP


def _slot_row(rule: recurrence.Rule, *, ref: str, provider: str, excluded: set[date]) -> dict:
    cancelled = sorted(day for day in excluded if is_session_date(rule, day))
    return {
        "ref": ref,
        "provider": provider,
        "start_time": clock(rule.start_time),
        "end_time": clock(rule.end_time),
        "frequency": str(rule.frequency),
        "first_date": rule.first_date.isoformat(),
        "sessions": "" if rule.sessions is None else str(rule.sessions),
        "last_date": rule.last_date.isoformat() if rule.last_date else "",
        "cancelled_dates": "; ".join(day.isoformat() for day in cancelled),
    }


def event_rows(
    event, *, provider: str, today: date, extra_cancelled: set[date], max_count: int
) -> tuple[list[dict[str, str]], PlannedEvent]:
    """Rows for one master event (for the organisation named `provider`), and what it is;
    or raise EventSkipped / EventRefused. `extra_cancelled`: dates its overrides cancel."""
    uid, start_value, end_value = _times(event)
    start, same_clock = _local(start_value)
    end, _ = _local(end_value)
    summary = text_of(event, "SUMMARY")
    if not summary:
        raise EventSkipped("it has no title.")
    # Repeat rules count days in the event's own zone (RFC 5545), so read them there.
    frequency, slots = repeat_slots(
        event, start_value if start_value.tzinfo else start, max_count=max_count
    )
    _check_dates(
        frequency,
        slots,
        start=start,
        end=end,
        start_value=start_value,
        same_clock=same_clock,
        today=today,
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
            raise EventSkipped(str(exc)) from None
        rules.append(rule)
    excluded = {_local_date(v) for v in _dates(event, "EXDATE")} | extra_cancelled
    description = _plain(text_of(event, "DESCRIPTION")) or f"{summary}."
    if not _plain(text_of(event, "DESCRIPTION")):
        notes.append("It has no description in your calendar: add one in the editor.")
    place = _place(event, description)
    ref = _ref(uid)
    rows = []
    for index, rule in enumerate(rules):
        row_ref = ref if index == 0 else f"{ref}-{index + 1}"
        row = _slot_row(rule, ref=row_ref, provider=provider, excluded=excluded)
        if index == 0:
            kind = str(_kind(frequency, slots))
            row.update({"title": summary[:255], "kind": kind, "description": description, **place})
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
