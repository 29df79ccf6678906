"""Bring a provider's own calendar into the directory (.ics exported from Google, Outlook or
Apple Calendar, uploaded or fetched from a feed address).

Each recurring event becomes an activity with a time slot, through the spreadsheet import's
writing service (activities.imports.services.timetable_import): events are turned into the same row
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

Limits are settings (directory/settings.py, documented in the README). One event becomes rows
in activities.imports.events; fetching a feed address is activities.imports.fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from icalendar import Calendar

from directory.models import ProviderPage

from .columns import ImportFailed, Problem
from .events import PlannedEvent, describe_when, event_rows, overrides, text_of
from .plan import ImportResult
from .repeats import EventRefused, EventSkipped
from .services import timetable_import

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
class CalendarPlan:
    rows: list[dict[str, str]]
    events: list[PlannedEvent]
    skipped: list[SkippedEvent]
    calendar_name: str = ""

    @property
    def summaries(self) -> dict[int, str]:
        """Row number -> the summary of the event it came from (for calendar_import)."""
        return {number: event.summary for event in self.events for number in event.rows}


# --------------------------------------------------------------------------- reading


def _read(data: bytes) -> list[Calendar]:
    if len(data) > settings.ICAL_IMPORT_MAX_BYTES:
        raise CalendarRefused(
            [
                f"This file is {filesizeformat(len(data))}; the largest calendar we accept is "
                f"{filesizeformat(settings.ICAL_IMPORT_MAX_BYTES)}. Export only the calendar "
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
    if count > settings.ICAL_IMPORT_MAX_EVENTS:
        raise CalendarRefused(
            [
                f"This calendar has {count} events; we import at most "
                f"{settings.ICAL_IMPORT_MAX_EVENTS} at a time. Export only the calendar with "
                "your groups in it, or split it."
            ]
        )
    if count == 0:
        raise CalendarRefused(["There are no events in this calendar."])
    return calendars


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
            uid = text_of(event, "UID")
            by_uid.setdefault(uid, []).append(event)
            if event.get("RECURRENCE-ID") is None:
                order.append(event)
    changed = overrides({uid: events for uid, events in by_uid.items() if uid})
    rows: list[dict[str, str]] = []
    planned: list[PlannedEvent] = []
    skipped: list[SkippedEvent] = []
    seen: set[str] = set()
    for event in order:
        summary = text_of(event, "SUMMARY") or "(no title)"
        uid = text_of(event, "UID")
        if uid and uid in seen:
            skipped.append(
                SkippedEvent(summary, describe_when(event), "it appears twice in the file.")
            )
            continue
        seen.add(uid)
        cancelled, notes = changed.get(uid, (set(), []))
        try:
            new_rows, plan = event_rows(
                event,
                provider=provider.title,
                today=today,
                extra_cancelled=cancelled,
                max_count=settings.ICAL_IMPORT_MAX_COUNT,
            )
        except EventRefused as exc:
            problems.append(f"“{summary}” ({describe_when(event) or 'no date'}): {exc}")
            continue
        except EventSkipped as exc:
            skipped.append(SkippedEvent(summary, describe_when(event), str(exc)))
            continue
        plan.notes += notes
        first_number = len(rows) + 2  # as the importer numbers rows (header = 1)
        plan.rows = list(range(first_number, first_number + len(new_rows)))
        rows += [{column: row.get(column, "") for column in _COLUMNS} for row in new_rows]
        planned.append(plan)
    if problems:
        raise CalendarRefused(problems)
    name = ""
    for calendar in calendars:
        name = name or text_of(calendar, "X-WR-CALNAME") or text_of(calendar, "NAME")
    return CalendarPlan(rows=rows, events=planned, skipped=skipped, calendar_name=name)


def calendar_import(
    *,
    rows: list[dict[str, str]],
    summaries: Mapping[int, str],
    provider: ProviderPage,
    dry_run: bool = False,
    user=None,
    any_venue: bool = False,
) -> ImportResult:
    """Check (and unless ``dry_run`` write) a calendar plan's rows with the timetable importer
    (``user`` authors the revisions).

    ``summaries`` maps a row number to the summary of the event it came from
    (CalendarPlan.summaries), so that a problem names the event (not a spreadsheet row).
    All or nothing, as the spreadsheet import. Raises ImportFailed; or CalendarRefused when
    nothing in the calendar can be imported.
    """
    if not rows:
        raise CalendarRefused(
            ["Nothing in this calendar can become an activity: see the reasons listed."]
        )
    try:
        return timetable_import(
            rows=rows, only_provider=provider, dry_run=dry_run, user=user, any_venue=any_venue
        )
    except ImportFailed as exc:
        raise ImportFailed(
            [_event_problem(summaries, problem) for problem in exc.problems]
        ) from None


def _event_problem(summaries: Mapping[int, str], problem: Problem) -> Problem:
    summary = summaries.get(problem.row)
    if summary is None:
        return problem
    return Problem(0, "", f"“{summary}”: {problem.message}")
