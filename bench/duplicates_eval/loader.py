"""Read the labelled evaluation set into scorer records and gold labels (see README.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import combinations
from pathlib import Path

from activities.duplicates import ActivityRecord, SlotRecord
from activities.recurrence import Rule, series_end
from venues.geo import locate_postcode

HERE = Path(__file__).resolve().parent
# Monday of the week every slot starts in (plus its own `week=` offset).
FIRST_MONDAY = date(2027, 1, 4)
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_RESTRICTIONS = {"women": "women", "men": "men"}


@dataclass(frozen=True)
class Gold:
    records: list[ActivityRecord]
    labels: dict[frozenset[str], str]  # {a, b} -> "clash" / "duplicate" (positives only)
    notes: dict[frozenset[str], str]  # every labelled pair's "why", negatives included

    def cross_provider_pairs(self) -> list[tuple[ActivityRecord, ActivityRecord]]:
        return [(a, b) for a, b in combinations(self.records, 2) if a.provider != b.provider]


def _rows(name: str, folder: Path = HERE) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _slot(text: str) -> SlotRecord:
    day, times, *options = text.split()
    start, end = (time.fromisoformat(t) for t in times.split("-"))
    frequency = "weekly"
    sessions = None
    week = 0
    for option in options:
        if option.startswith("sessions="):
            sessions = int(option.removeprefix("sessions="))
        elif option.startswith("week="):
            week = int(option.removeprefix("week="))
        else:
            frequency = option
    weekday = _DAYS.index(day)
    first = FIRST_MONDAY + timedelta(days=weekday, weeks=week)
    rule = Rule(
        frequency=frequency, first_date=first, start_time=start, end_time=end, sessions=sessions
    )
    return SlotRecord(weekday, start, end, frequency, first, series_end(rule))


def load(folder: Path = HERE) -> Gold:
    """The labelled set in `folder` (this one by default; the held-out set uses this loader)."""
    venues = {}
    for row in _rows("venues.csv", folder):
        point = locate_postcode(row["postcode"]).point if row["postcode"] else None
        venues[row["key"]] = (row, point)
    records = []
    for row in _rows("activities.csv", folder):
        venue, point = venues[row["venue"]] if row["venue"] else ({}, None)
        audiences = tuple(a.strip() for a in row["audiences"].split(";") if a.strip())
        records.append(
            ActivityRecord(
                key=row["id"],
                provider_key=row["provider"],
                provider=row["provider"],
                ref=row["id"],
                title=row["title"],
                description=row["description"],
                kind=row["kind"],
                categories=tuple(c.strip() for c in row["categories"].split(";") if c.strip()),
                audiences=audiences,
                restrictions=frozenset(_RESTRICTIONS[a] for a in audiences if a in _RESTRICTIONS),
                age_min=int(row["age_min"]) if row["age_min"] else None,
                age_max=int(row["age_max"]) if row["age_max"] else None,
                venue_key=row["venue"] or None,
                venue_name=venue.get("name", ""),
                address=venue.get("address", ""),
                postcode=venue.get("postcode", ""),
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
                online=row["online"] == "yes",
                slots=tuple(_slot(s.strip()) for s in row["slots"].split(";") if s.strip()),
            )
        )
    labels, notes = {}, {}
    keys = {r.key for r in records}
    for row in _rows("pairs.csv", folder):
        pair = frozenset((row["a"], row["b"]))
        assert pair <= keys and len(pair) == 2, f"unknown or repeated id in pairs.csv: {row}"
        notes[pair] = row["why"]
        if row["label"] in ("clash", "duplicate"):
            labels[pair] = row["label"]
    return Gold(records, labels, notes)
