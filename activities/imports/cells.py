"""One cell of a timetable row: its text to a plain value, or a CellError whose message says
what to write instead (the row parser turns it into a Problem naming the row and column).

Pure: no models, no database.
"""

from __future__ import annotations

import re
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from ..enums import ActivityKind, CapacityStatus, Frequency, ReferralRoute, SupportLevel
from .columns import LIST_SEPARATOR

_TIME_RE = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_INT_RE = re.compile(r"[+-]?\d+(?:\.0+)?")
_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])
# TextChoices.values builds a new list on every access; these are looked up for every row.
VALUES = {
    choices: frozenset(choices.values)
    for choices in (ActivityKind, CapacityStatus, Frequency, SupportLevel, ReferralRoute)
}


# A spreadsheet program runs a cell that starts with one of these as a formula (CSV injection):
# every CSV we write quotes such cells with a leading apostrophe, and the import takes it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> str:
    """The cell as text that a spreadsheet shows rather than runs."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def formula_unquoted(text: str) -> str:
    """Undo formula_safe, so an exported file imports back unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class CellError(ValueError):
    """The cell cannot be read; the message is one sentence for the provider."""


def split(text: str) -> list[str]:
    """The items of a ``;``-separated cell, stripped, blanks dropped."""
    return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]


def parse_date(text: str) -> date:
    match = _ISO_DATE_RE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK_DATE_RE.fullmatch(text):
        # Excel in the UK re-saves ISO dates as 31/12/2026.
        day, month, year = (int(part) for part in match.groups())
    else:
        raise CellError(f"“{text}” is not a date: use YYYY-MM-DD, like 2027-01-12.")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"{text} is not a real date.") from None


def parse_time(text: str) -> time:
    match = _TIME_RE.fullmatch(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise CellError(f"“{text}” is not a time: use the 24-hour clock, HH:MM, like 09:30 or 14:00.")


def parse_int(text: str, *, what: str, low: int | None = None, high: int | None = None) -> int:
    if not _INT_RE.fullmatch(text):
        raise CellError(f"“{text}” is not a whole number: give {what}.")
    value = int(float(text))
    if (low is not None and value < low) or (high is not None and value > high):
        raise CellError(f"{value} is out of range: give {what}.")
    return value


def parse_coordinate(text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"“{text}” is not a number in decimal degrees, like 53.4084.") from None
    if not low <= value <= high:
        raise CellError(f"{text} is out of range ({low} to {high}).")
    return value


def yes_no(text: str) -> bool:
    word = text.lower()
    if word in {"yes", "y", "true", "1"}:
        return True
    if word in {"no", "n", "false", "0", ""}:
        return False
    raise CellError(f"“{text}” is not yes or no.")


def reads_as_yes(text: str) -> bool:
    """True only for a readable yes (an unreadable cell is reported by its row's own check)."""
    try:
        return yes_no(str(text).strip())
    except CellError:
        return False


def choice(text: str, choices: type, *, blank: str | None = None) -> str:
    word = text.strip().lower().replace(" ", "-" if choices is ActivityKind else "_")
    if not word and blank is not None:
        return blank
    if word in VALUES[choices]:
        return word
    allowed = ", ".join(choices.values)
    raise CellError(f"“{text}” is not one of: {allowed}.")


def names(text: str, *, limit: int) -> list[str]:
    """The distinct names of a list cell (first spelling wins), each at most `limit` long."""
    result: list[str] = []
    seen: set[str] = set()
    for name in split(text):
        if len(name) > limit:
            raise CellError(f"“{name[:40]}…” is too long (at most {limit} characters).")
        if name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


def check_email(text: str) -> str:
    try:
        _email(text)
    except ValidationError:
        raise CellError(f"“{text}” is not an email address.") from None
    return text


def check_url(text: str) -> str:
    try:
        _url(text)
    except ValidationError:
        raise CellError(f"“{text}” is not a web address (start it with https://).") from None
    return text
