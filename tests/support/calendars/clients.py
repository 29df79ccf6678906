"""Independent calendar clients for the feed tests, and the directory's own answer to compare.

- Mozilla ical.js (the parser inside Thunderbird), run with the machine's Node through
  tests/support/calendars/expand.mjs;
- the Python recurring-ical-events library (on icalendar);
- activities.recurrence, the directory's own expansion.

Each gives the same shape: a sorted list of ``Session`` tuples.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
import recurring_ical_events
from icalendar import Calendar

from activities import recurrence
from activities.ical import schedule_uid
from activities.recurrence import LONDON

ROOT = Path(__file__).resolve().parents[3]
EXPAND = Path(__file__).resolve().parent / "expand.mjs"


class Session(NamedTuple):
    uid: str
    day: str  # YYYY-MM-DD, local
    start: str  # HH:MM, local wall clock in Europe/London
    end: str
    summary: str
    location: str


def _require_node() -> str:
    """The node executable, or a failed test saying how to get it (never a skip: CI has it)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "The ical.js tests need Node.js 18 or later on PATH (`node`), and it is missing. "
            "Install Node, then run `npm ci` in the project root; `make test` does both."
        )
    if not (ROOT / "node_modules" / "ical.js" / "package.json").exists():
        pytest.fail(
            "node_modules/ical.js is missing: run `npm ci` in the project root "
            "(`make test` does) to install the pinned ical.js from package-lock.json."
        )
    return node


def icaljs_expand(feed: bytes, *, start: date, end: date) -> dict:
    """ical.js's reading of `feed`: {"calendar": {...}, "occurrences": [...]} (see expand.mjs)."""
    node = _require_node()
    with tempfile.NamedTemporaryFile(suffix=".ics") as handle:
        handle.write(feed)
        handle.flush()
        result = subprocess.run(
            [node, str(EXPAND), handle.name, start.isoformat(), end.isoformat()],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(f"ical.js could not read the feed:\n{result.stderr}")
    return json.loads(result.stdout)


def icaljs_sessions(feed: bytes, *, start: date, end: date) -> list[Session]:
    """ical.js's occurrences, with local times re-derived from its UTC instants.

    ical.js computes UTC from the feed's own VTIMEZONE block; converting that back with
    tzdata and comparing with its wall-clock time catches a VTIMEZONE that disagrees with
    the real Europe/London offsets (the RDATE bug in the checklist), and `zone` catches
    events it had to treat as floating.
    """
    sessions = []
    for item in icaljs_expand(feed, start=start, end=end)["occurrences"]:
        assert item["zone"] == "Europe/London", item
        local_start = _from_utc(item["start_utc"])
        local_end = _from_utc(item["end_utc"])
        assert local_start.strftime("%Y-%m-%dT%H:%M") == item["start"], item
        assert local_end.strftime("%Y-%m-%dT%H:%M") == item["end"], item
        sessions.append(
            Session(
                uid=item["uid"],
                day=local_start.date().isoformat(),
                start=f"{local_start:%H:%M}",
                end=f"{local_end:%H:%M}",
                summary=item["summary"],
                location=item["location"] or "",
            )
        )
    return sorted(sessions)


def _from_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(LONDON)


def python_sessions(feed: bytes, *, start: date, end: date) -> list[Session]:
    """recurring-ical-events' occurrences from `start` to `end` inclusive."""
    calendar = Calendar.from_ical(feed)
    sessions = []
    for event in recurring_ical_events.of(calendar).between(start, end + timedelta(days=1)):
        begins = event["DTSTART"].dt.astimezone(LONDON)
        ends = event["DTEND"].dt.astimezone(LONDON)
        sessions.append(
            Session(
                uid=str(event["UID"]),
                day=begins.date().isoformat(),
                start=f"{begins:%H:%M}",
                end=f"{ends:%H:%M}",
                summary=str(event["SUMMARY"]),
                location=str(event.get("LOCATION", "")),
            )
        )
    return sorted(sessions)


def _location(activity) -> str:
    """What a client should show as the place: the venue's address, or "Online"."""
    venue = activity.venue
    if venue is not None:
        return ", ".join(part for part in (venue.name, venue.address, venue.postcode) if part)
    return "Online" if activity.online else ""


def directory_sessions(activities, *, start: date, end: date) -> list[Session]:
    """What the directory's own pages say: activities.recurrence over every slot."""
    sessions = []
    for activity in activities:
        cancelled = {c.date: c.reason for c in activity.cancellations.all()}
        for schedule in activity.schedules.all():
            for occurrence in recurrence.occurrences(
                schedule.rule, start=start, end=end, cancellations=cancelled
            ):
                sessions.append(
                    Session(
                        uid=schedule_uid(schedule),
                        day=occurrence.date.isoformat(),
                        start=f"{occurrence.start:%H:%M}",
                        end=f"{occurrence.end:%H:%M}",
                        summary=activity.title,
                        location=_location(activity),
                    )
                )
    return sorted(sessions)
