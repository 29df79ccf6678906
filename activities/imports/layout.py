"""The timetable spreadsheet layout in words, for the admin's layout page, and the template a
provider downloads to fill in (shared/design/timetable-spreadsheet.md is the contract; the
column names come from columns.py). Pure: no models, no database."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from .columns import COLUMNS, EXTRA_COLUMNS, REQUIRED_COLUMNS, VENUE_COLUMNS


@dataclass(frozen=True)
class ColumnHelp:
    name: str
    required: str  # "Yes", "No" or "Yes, unless online"
    meaning: str
    extra: bool  # an optional extra of ours, beyond the contract's columns


# The contract's meanings, in plain words, then our optional extras.
_MEANINGS = {
    "ref": "Your own identifier for the activity, unique within your organisation. "
    "Importing a row with the same ref again updates that activity; it never duplicates it.",
    "provider": "Your organisation's name, as it is in the directory.",
    "title": "The activity's title, as the public sees it.",
    "kind": "course (a fixed number of sessions), group (ongoing), drop-in, one-off, "
    "or service (for example a text-support line).",
    "category": "One or more topics, separated by ; (for example: Walking; Physical activity).",
    "description": "Plain text: what happens and who it is for.",
    "audience": "Who it is specifically for, separated by ; (for example: women; 18-25).",
    "age_min": "Youngest age, in whole years.",
    "age_max": "Oldest age, in whole years.",
    "cost": "Free, or a price such as £2.",
    "referral": "How people join, separated by ;: self (just come along or refer yourself), "
    "professional (any professional, such as a social prescriber), gp.",
    "venue_name": "Where it meets. Rows naming the same venue share one venue.",
    "address": "The venue's street address, without the postcode.",
    "postcode": "The venue's postcode.",
    "latitude": "Decimal degrees; leave empty and we find it from the postcode.",
    "longitude": "Decimal degrees; leave empty and we find it from the postcode.",
    "online": "yes or no (no if empty). An online activity may have no venue.",
    "start_time": "Local time, HH:MM (for example 10:30).",
    "end_time": "Local time, HH:MM.",
    "frequency": "once, weekly, fortnightly or monthly (the same weekday of the month as "
    "first_date, for example the first Wednesday).",
    "first_date": "YYYY-MM-DD: the date of the first session. Its weekday is the meeting day.",
    "sessions": "For a course: the number of sessions (for example 6).",
    "last_date": "YYYY-MM-DD: no sessions after this date.",
    "cancelled_dates": "Dates when a session does not run, YYYY-MM-DD, separated by ;.",
    "accessibility": "Feature codes from the accessibility vocabulary, separated by ;. A bare "
    "code means yes; code:partly, code:on_request and code:no give other answers.",
    "engagement_limit_weeks": "The longest someone may attend, in weeks, if you set a limit.",
    "contact_email": "An email address for questions.",
    "contact_phone": "A phone number for questions.",
    "booking_url": "The web address where people book.",
    "who_for": "Who it suits, in a sentence.",
    "not_suitable_for": "Who it may not suit (for example: not a crisis service).",
    "support_level": "peer, facilitated, structured or one_to_one.",
    "how_to_join": "What someone does to start.",
    "referrer_needs": "What a referrer should tell you.",
    "capacity_status": "places, few_places, waiting_list or full.",
    "capacity_updated": "YYYY-MM-DD: when you last updated the places.",
    "last_checked": "YYYY-MM-DD: when someone last checked the listing. Leave empty: "
    "importing the file counts as checking it today.",
    "meeting_link": "The link to join an online session.",
    "booking_required": "yes if people must book.",
    "cancelled_reasons": "Why a cancelled date is off, as YYYY-MM-DD=reason, separated by ;.",
    "next_steps": "Refs of what people can go on to, separated by ; (another "
    "organisation's as organisation-slug:ref).",
    "part_of": "For a second time slot of the same activity: the ref of its first row.",
    "languages": "Languages other than English, separated by commas.",
}


def column_help() -> list[ColumnHelp]:
    """Every column of the layout, in its order, with whether it is required and its meaning."""
    result = []
    for name in COLUMNS:
        if name in REQUIRED_COLUMNS:
            required = "Yes"
        elif name in VENUE_COLUMNS:
            required = "Yes, unless online"
        else:
            required = "No"
        result.append(ColumnHelp(name, required, _MEANINGS[name], name in EXTRA_COLUMNS))
    return result


def template_rows(*, provider: str, today: date) -> list[dict[str, str]]:
    """One example row, for the provider, of a 6-week course starting next week: the template
    imports as it is, and shows how each column is written."""
    start = today + timedelta(days=7)
    example = {
        "ref": "EXAMPLE-1",
        "provider": provider,
        "title": "Example: Coping with worry (replace with your activity)",
        "kind": "course",
        "description": "Six weekly sessions on what worry is and practical ways to manage it.",
        "age_min": "18",
        "cost": "Free",
        "referral": "self;professional",
        "venue_name": "Example Community Hall",
        "address": "1 Hope Street, Liverpool",
        "postcode": "L1 9BQ",
        "online": "no",
        "start_time": "10:00",
        "end_time": "12:00",
        "frequency": "weekly",
        "first_date": start.isoformat(),
        "sessions": "6",
        "accessibility": "step_free_entrance;accessible_toilet",
    }
    return [{column: example.get(column, "") for column in COLUMNS}]


def template_csv(*, provider: str, today: date) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(template_rows(provider=provider, today=today))
    return stream.getvalue()


def template_xlsx(*, provider: str, today: date) -> bytes:
    """The same template as an Excel workbook: the header row bold and frozen, every cell
    text (so Excel keeps 10:00 and 2027-01-12 as written)."""
    from openpyxl import Workbook  # noqa: PLC0415 -- only this download needs it
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    sheet.title = "Timetable"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in template_rows(provider=provider, today=today):
        sheet.append([row[column] for column in COLUMNS])
    for row in sheet.iter_rows():
        for cell in row:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
