"""Calendar feeds (RFC 5545 / RFC 7986) built from activities, with the icalendar library.

Pure: no database access and no request. Callers pass ``ActivityData`` (plain values;
activities.feeds.selectors selects them in a few queries).

Two steps, so that the benchmark can time icalendar on its own:

- ``activity_events`` derives plain ``EventData`` from an activity (one per time slot), using
  activities.recurrence for every question about dates, so the feed can never disagree with
  the pages;
- ``calendar_bytes`` turns EventData into the VCALENDAR.

What calendar apps need (shared/design/ical-checklist.md) and how it is met here:

- one VEVENT per Schedule, UID ``<schedule.uid>@nowrongdoor`` (stable across renames and
  re-imports, identical in every feed that contains the slot), SEQUENCE from the schedule;
- local times with ``TZID=Europe/London`` and one VTIMEZONE in RRULE form (``VTIMEZONE``
  below; icalendar's ``add_missing_timezones`` writes comma-separated RDATEs, which ical.js
  reads as +01:00 all year);
- RRULE weekly / fortnightly / monthly on the nth (or last) weekday, COUNT for courses,
  UNTIL (in UTC, end of the last local day) for series with a last date, never both;
- EXDATE written exactly like DTSTART (same TZID and wall clock), only for dates that are
  sessions, at most ``MAX_EXDATES`` per series (Google refuses events with too many);
- DTSTAMP = LAST-MODIFIED = when the activity was last published, so unchanged data gives
  identical bytes (no ``now()``), and no METHOD (it would turn imports into invitations).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from icalendar import (
    Calendar,
    Event,
    Timezone,
    vCategory,
    vDDDLists,
    vDDDTypes,
    vDuration,
    vGeo,
    vInt,
    vRecur,
    vText,
    vUri,
)

from . import recurrence
from .recurrence import LONDON, Frequency
from .wording import joining_text

UID_DOMAIN = "nowrongdoor"
PRODID = "-//No Wrong Door//Timetable feeds//EN"
TZID = "Europe/London"
# Polling hint for subscribers. Google ignores it (it refreshes every 8 to 24 hours);
# Apple reads REFRESH-INTERVAL, Outlook reads X-PUBLISHED-TTL.
REFRESH_INTERVAL = timedelta(hours=6)
# Google reportedly refuses a series with more than about 90 exceptions.
MAX_EXDATES = 90
# A timestamp for activities never published (drafts are not in feeds, but factories and
# bulk imports may leave the field empty): fixed, so output stays deterministic.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# Europe/London in RRULE form, as Google and Thunderbird publish it. The rules are those in
# force since 1996; every session the directory lists is later than that.
VTIMEZONE = Timezone.from_ical(
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/London\r\n"
    "X-LIC-LOCATION:Europe/London\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:BST\r\n"
    "DTSTART:19700329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0000\r\n"
    "TZNAME:GMT\r\n"
    "DTSTART:19701025T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


@dataclass(frozen=True)
class FeedInfo:
    """What the calendar app shows for the subscription itself."""

    name: str
    description: str
    url: str  # the page this feed mirrors


@dataclass
class EventData:
    """One VEVENT as plain values (the benchmark times icalendar on exactly these)."""

    uid: str
    sequence: int
    stamp: datetime  # UTC; both DTSTAMP and LAST-MODIFIED
    start: datetime  # aware, in LONDON
    end: datetime
    summary: str
    description: str
    location: str
    url: str
    rrule: dict[str, object] | None = None
    exdates: list[datetime] = field(default_factory=list)
    geo: tuple[float, float] | None = None
    categories: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- deriving


def schedule_uid(slot) -> str:
    """The calendar UID of a time slot (a Schedule or SlotData): its own UUID, never the title,
    slug or position."""
    return f"{slot.uid}@{UID_DOMAIN}"


def _until(day: date) -> datetime:
    """UNTIL for a series whose last session is on `day`: the end of that local day, in UTC
    (RFC 5545 3.3.10 requires UTC when DTSTART has a TZID)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON).astimezone(UTC)


def rrule_for(rule: recurrence.Rule) -> dict[str, object] | None:
    """The RRULE for a schedule, or None for a one-off session.

    COUNT for a course (a session count and no last date), otherwise UNTIL when the series
    ends; both limits at once become UNTIL on the earlier end, since libical drops a rule
    that has both.
    """
    if rule.frequency == Frequency.ONCE:
        return None
    day = _BYDAY[rule.first_date.weekday()]
    if rule.frequency == Frequency.MONTHLY:
        week = recurrence.monthly_week(rule.first_date)
        parts: dict[str, object] = {"FREQ": "MONTHLY", "BYDAY": f"{week}{day}"}
    elif rule.frequency == Frequency.FORTNIGHTLY:
        parts = {"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": day}
    else:
        parts = {"FREQ": "WEEKLY", "BYDAY": day}
    if rule.last_date is not None:
        parts["UNTIL"] = _until(recurrence.series_end(rule))
    elif rule.sessions is not None:
        parts["COUNT"] = rule.sessions
    return parts


def _exdates(rule: recurrence.Rule, cancelled: Iterable[date]) -> list[datetime]:
    """Cancelled dates that are sessions of this rule, as DTSTART would be written."""
    days = sorted(day for day in cancelled if recurrence.occurrences(rule, start=day, end=day))
    # Keep the latest: past exceptions matter least once the sessions are over.
    return [datetime.combine(day, rule.start_time, tzinfo=LONDON) for day in days[-MAX_EXDATES:]]


@dataclass
class SlotData:
    """One time slot, as the feed needs it."""

    uid: str  # the UUID of the Schedule row
    sequence: int
    rule: recurrence.Rule


@dataclass
class ActivityData:
    """What the feed says about an activity, as plain values.

    activities.feeds.selectors selects exactly these columns (building model instances for a
    citywide feed cost more than icalendar itself).
    """

    title: str
    kind: str  # the ActivityKind label, e.g. "Group"
    description: str
    who_for: str
    provider: str  # the organisation's name ("" if none)
    cost: str
    self_referral: bool
    professional_referral: bool
    gp_referral: bool
    booking_required: bool
    how_to_join: str
    online: bool
    meeting_link: str
    contact_phone: str
    contact_email: str
    booking_url: str
    venue_name: str | None  # None: no venue
    venue_address: str
    venue_postcode: str
    latitude: float | None
    longitude: float | None
    stamp: datetime  # UTC, when last published
    url: str  # absolute URL of the activity page
    slots: list[SlotData] = field(default_factory=list)
    cancelled: list[date] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def stamp_of(*candidates: datetime | None) -> datetime:
    """The first timestamp given (publish times, newest kind first), in whole UTC seconds."""
    for value in candidates:
        if value is not None:
            return value.astimezone(UTC).replace(microsecond=0)
    return EPOCH


def event_location(activity: ActivityData) -> str:
    """The LOCATION text: the venue's full address (what map links use), else "Online"."""
    if activity.venue_name is not None:
        parts = (activity.venue_name, activity.venue_address, activity.venue_postcode)
        return ", ".join(part for part in parts if part)
    if activity.online:
        return "Online"
    return ""


def _description(activity: ActivityData) -> str:
    """Plain text: what it is, who it suits, how to join, and where to check for changes."""
    parts = [activity.description.strip()]
    if activity.who_for.strip():
        parts.append(f"Who it suits: {activity.who_for.strip()}")
    facts = []
    if activity.provider:
        facts.append(f"Run by {activity.provider}.")
    if activity.cost.strip():
        facts.append(f"Cost: {activity.cost.strip()}.")
    joining = joining_text(activity)
    if joining:
        facts.append(f"How to join: {joining}")
    if facts:
        parts.append("\n".join(facts))
    if activity.how_to_join.strip():
        parts.append(activity.how_to_join.strip())
    if activity.online and activity.meeting_link:
        parts.append(f"Join online: {activity.meeting_link}")
    contact = [value for value in (activity.contact_phone, activity.contact_email) if value.strip()]
    if activity.booking_url:
        contact.append(activity.booking_url)
    if contact:
        parts.append("Contact: " + ", ".join(contact))
    parts.append(f"Check for last-minute changes: {activity.url}")
    return "\n\n".join(part for part in parts if part)


def activity_events(activity: ActivityData) -> list[EventData]:
    """One EventData per time slot of `activity` (none for a slot-less service)."""
    if not activity.slots:
        return []
    has_place = activity.latitude is not None and activity.longitude is not None
    common = {
        "stamp": activity.stamp,
        "summary": activity.title,
        "description": _description(activity),
        "location": event_location(activity),
        "url": activity.meeting_link if activity.online and activity.meeting_link else activity.url,
        "geo": (activity.latitude, activity.longitude) if has_place else None,
        "categories": [activity.kind, *sorted(activity.categories)],
    }
    events = []
    for slot in activity.slots:
        rule = slot.rule
        last = recurrence.series_end(rule)
        if last is not None and last < rule.first_date:
            continue  # a rule without a single session (the admin refuses these)
        repeats = rule.frequency != Frequency.ONCE
        events.append(
            EventData(
                uid=schedule_uid(slot),
                sequence=slot.sequence,
                start=datetime.combine(rule.first_date, rule.start_time, tzinfo=LONDON),
                end=datetime.combine(rule.first_date, rule.end_time, tzinfo=LONDON),
                rrule=rrule_for(rule),
                exdates=_exdates(rule, activity.cancelled) if repeats else [],
                **common,
            )
        )
    return events


def next_session(
    activity: ActivityData, *, today: date
) -> tuple[SlotData, recurrence.Occurrence] | None:
    """The activity's next session that is not cancelled (across its slots), with its slot."""
    cancelled = dict.fromkeys(activity.cancelled, "")
    found = []
    for slot in activity.slots:
        occurrence = recurrence.next_occurrence(slot.rule, after=today, cancellations=cancelled)
        if occurrence is not None:
            found.append((occurrence.start, slot.uid, slot, occurrence))
    if not found:
        return None
    _, _, slot, occurrence = min(found, key=lambda item: (item[0], item[1]))
    return slot, occurrence


def session_event(
    activity: ActivityData, slot: SlotData, occurrence: recurrence.Occurrence
) -> EventData:
    """One session as a calendar event of its own ("add this session"): no RRULE, and a UID
    of the slot and date, so it never replaces the subscribed series (or another session)."""
    has_place = activity.latitude is not None and activity.longitude is not None
    return EventData(
        uid=f"{slot.uid}-{occurrence.date:%Y%m%d}@{UID_DOMAIN}",
        sequence=slot.sequence,
        stamp=activity.stamp,
        start=occurrence.start,
        end=occurrence.end,
        summary=activity.title,
        description=_description(activity),
        location=event_location(activity),
        url=activity.meeting_link if activity.online and activity.meeting_link else activity.url,
        geo=(activity.latitude, activity.longitude) if has_place else None,
        categories=[activity.kind, *sorted(activity.categories)],
    )


def event_details(activity: ActivityData) -> str:
    """The description text an event carries (for links that create one, such as Google's)."""
    return _description(activity)


# --------------------------------------------------------------------------- serialising


def _vevent(data: EventData) -> Event:
    # Typed values set directly: the same output as Event.add(), without its type guessing
    # (a third of the time for a large feed).
    event = Event()
    event["UID"] = vText(data.uid)
    event["SEQUENCE"] = vInt(data.sequence)
    event["DTSTAMP"] = vDDDTypes(data.stamp)
    event["LAST-MODIFIED"] = vDDDTypes(data.stamp)
    event["DTSTART"] = vDDDTypes(data.start)
    event["DTEND"] = vDDDTypes(data.end)
    if data.rrule is not None:
        event["RRULE"] = vRecur(data.rrule)
        if data.exdates:
            event["EXDATE"] = vDDDLists(data.exdates)
    event["SUMMARY"] = vText(data.summary)
    event["DESCRIPTION"] = vText(data.description)
    if data.location:
        event["LOCATION"] = vText(data.location)
    if data.geo is not None:
        event["GEO"] = vGeo(data.geo)
    event["URL"] = vUri(data.url)
    if data.categories:
        event["CATEGORIES"] = vCategory(data.categories)
    event["STATUS"] = vText("CONFIRMED")
    # A public timetable must not mark subscribers as busy.
    event["TRANSP"] = vText("TRANSPARENT")
    return event


def event_bytes(data: EventData) -> bytes:
    """One VEVENT exactly as it appears inside a calendar (CRLF lines, folded at 75 octets)."""
    return _vevent(data).to_ical()


_CALENDAR_END = b"END:VCALENDAR\r\n"


def calendar_bytes(info: FeedInfo, events: Iterable[EventData]) -> bytes:
    """The VCALENDAR as bytes (CRLF, folded at 75 octets, UTF-8), events ordered by UID."""
    return calendar_bytes_of(info, ((data.uid, event_bytes(data)) for data in events))


def calendar_bytes_of(info: FeedInfo, events: Iterable[tuple[str, bytes]]) -> bytes:
    """The same bytes as calendar_bytes, from VEVENTs already serialised as (uid, bytes), so a
    feed can reuse each activity's events from a cache."""
    calendar = Calendar()
    calendar["VERSION"] = vText("2.0")
    calendar["PRODID"] = vText(PRODID)
    calendar["CALSCALE"] = vText("GREGORIAN")
    calendar.calendar_name = info.name  # NAME and X-WR-CALNAME
    if info.description:
        calendar.description = info.description  # DESCRIPTION and X-WR-CALDESC
    calendar["URL"] = vUri(info.url)
    calendar["X-WR-TIMEZONE"] = vText(TZID)
    calendar["REFRESH-INTERVAL"] = vDuration(REFRESH_INTERVAL, params={"VALUE": "DURATION"})
    calendar["X-PUBLISHED-TTL"] = vDuration(REFRESH_INTERVAL)
    calendar.add_component(VTIMEZONE)
    head = calendar.to_ical()
    body = b"".join(chunk for _, chunk in sorted(events, key=lambda event: event[0]))
    return head[: -len(_CALENDAR_END)] + body + _CALENDAR_END


def session_calendar_bytes(data: EventData) -> bytes:
    """One event to add to a calendar (not a subscription): no calendar name or refresh
    interval, so calendar apps put it in the visitor's own calendar rather than a new one."""
    calendar = Calendar()
    calendar["VERSION"] = vText("2.0")
    calendar["PRODID"] = vText(PRODID)
    calendar["CALSCALE"] = vText("GREGORIAN")
    calendar["METHOD"] = vText("PUBLISH")
    calendar.add_component(VTIMEZONE)
    calendar.add_component(_vevent(data))
    return calendar.to_ical()
