"""How the site words things, once: days, months, dates, times, distances, lists, referral
routes, who a group is for, and time slots in short.

Pure Python (no Django, so ``recurrence`` can use it): plain values, or objects with the
attributes named, in; English out. Choices are keyed by their values ("morning", "gp"), which
the ``activities.enums`` members equal. Our own day and
month names rather than ``strftime("%A")``/``("%B")``, which follow the server's locale; dates
never carry a leading zero ("3 March", not "03 March").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_PLURALS = tuple(f"{name}s" for name in DAY_NAMES)
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# --------------------------------------------------------------------------- dates and times


def day_name(day: date) -> str:
    """“Tuesday”."""
    return DAY_NAMES[day.weekday()]


def day_month(day: date) -> str:
    """“3 March”."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


def long_date(day: date) -> str:
    """“3 March 2026”."""
    return f"{day_month(day)} {day.year}"


def weekday_date(day: date) -> str:
    """“Tuesday 3 March 2026”."""
    return f"{day_name(day)} {long_date(day)}"


def short_date(day: date, *, today: date) -> str:
    """“Tue 3 March”, with the year only when it is not this year."""
    text = f"{day_name(day)[:3]} {day_month(day)}"
    return text if day.year == today.year else f"{text} {day.year}"


def clock(value: time) -> str:
    """“10:30” (24-hour, as UK timetables print times)."""
    return f"{value:%H:%M}"


def clock_range(start: time, end: time, *, separator: str = "–") -> str:
    """“10:00–12:00”, or “10:00 to 12:00” with ``separator=" to "``."""
    return f"{clock(start)}{separator}{clock(end)}"


TIME_OF_DAY_WORDS = {
    "morning": "in the morning",
    "afternoon": "in the afternoon",
    "evening": "in the evening",
}


# --------------------------------------------------------------------------- lists and distances


def join_words(items: Iterable[str]) -> str:
    """“a”, “a and b”, “a, b and c”."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def miles_away(miles: float) -> str:
    """“2.4 miles away” (one decimal, as people read a map), “1.0 mile away”."""
    figure = f"{miles:.1f}"
    return f"{figure} mile away" if figure == "1.0" else f"{figure} miles away"


# --------------------------------------------------------------------------- how to join

# The finder's question about how someone can join, and the reason it gives when one fits.
ROUTE_QUESTIONS = {
    "self": "They can refer themselves or just turn up",
    "professional": "A professional (such as a social prescriber) can refer",
    "gp": "Their GP can refer them",
}
ROUTE_FITS = {
    "self": "They can refer themselves or just come along",
    "professional": "Takes referrals from professionals",
    "gp": "Takes GP referrals",
}


def how_to_join(activity) -> str:
    """Who can refer, in one line, e.g. "Just come along or refer yourself; your GP can also
    refer you". Reads ``self_referral``, ``professional_referral`` and ``gp_referral``."""
    routes = []
    if activity.professional_referral:
        routes.append("a professional (such as a social prescriber)")
    if activity.gp_referral:
        routes.append("your GP")
    referrers = " or ".join(routes)
    if activity.self_referral:
        text = "Just come along or refer yourself"
        return f"{text}; {referrers} can also refer you" if referrers else text
    if referrers:
        return f"You need to be referred by {referrers}"
    return "Contact the organisation to ask how to join"


def joining_text(activity) -> str:
    """How to join, as a calendar event's description says it (the same routes as
    `how_to_join`, worded for someone reading their calendar), with booking."""
    routes = []
    if activity.self_referral:
        routes.append("you can just come along or refer yourself")
    if activity.professional_referral:
        routes.append("a professional can refer you")
    if activity.gp_referral:
        routes.append("your GP can refer you")
    text = "; ".join(routes)
    text = (text[:1].upper() + text[1:] + ".") if text else ""
    if activity.booking_required:
        text = f"{text} You need to book a place first.".strip()
    return text


# --------------------------------------------------------------------------- who it is for

# Words that make an audience's name (or a title) single-sex, after lowercasing.
WOMEN_WORDS = frozenset(
    {"women", "woman", "womens", "ladies", "lady", "female", "females", "girls"}
)
MEN_WORDS = frozenset({"men", "man", "mens", "male", "males", "gents", "boys"})
_WORD = re.compile(r"[a-z]+")


def restriction_of(name: str) -> str:
    """ "women", "men" or "" for an audience name ("Women only" is women; "Men and women" is
    neither)."""
    words = set(_WORD.findall(name.lower().replace("'", "")))
    women, men = bool(words & WOMEN_WORDS), bool(words & MEN_WORDS)
    if women == men:
        return ""
    return "women" if women else "men"


# --------------------------------------------------------------------------- time slots


def slot_summary(slot) -> str:
    """A time slot in short, e.g. "Tuesdays 10:00–12:00, 10 November to 15 December 2026"
    (dates only for a series that ends). Reads ``weekday``, ``start``, ``end``, ``frequency``,
    ``first_date`` and ``ends_on``."""
    day = DAY_NAMES[slot.weekday]
    times = clock_range(slot.start, slot.end)
    if slot.frequency == "once" and slot.first_date:
        return f"{day} {long_date(slot.first_date)}, {times}"
    if slot.frequency == "fortnightly":
        text = f"every other {day}, {times}"
    elif slot.frequency == "monthly":
        text = f"one {day} a month, {times}"
    else:
        text = f"{day}s {times}"
    if slot.first_date and slot.ends_on:
        text += f", {day_month(slot.first_date)} to {long_date(slot.ends_on)}"
    return text


# ------------------------------------------------------------------ dates relative to today


def week_start(day: date) -> date:
    """The Monday of `day`'s week (weeks run Monday to Sunday, as UK calendars print them)."""
    return day - timedelta(days=day.weekday())


def relative_date(day: date, *, today: date) -> str:
    """A date in words from today's point of view, capitalised to start a line:
    “Today, Thursday 3 December”, “Tomorrow, Friday 4 December”, “This Sunday, 6 December”,
    “Next Tuesday, 8 December”, later “Thursday 17 December” (the year only when it is not
    this year). “This” and “next” follow Monday-to-Sunday weeks, so a Monday seen on a
    Saturday is “next Monday”, never “this Monday”."""
    text = f"{day_name(day)} {day_month(day)}"
    if day.year != today.year:
        return f"{text} {day.year}"
    if day == today:
        return f"Today, {text}"
    if day == today + timedelta(days=1):
        return f"Tomorrow, {text}"
    weeks = (week_start(day) - week_start(today)).days // 7
    if weeks == 0 and day > today:
        return f"This {day_name(day)}, {day_month(day)}"
    if weeks == 1:
        return f"Next {day_name(day)}, {day_month(day)}"
    return text


def session_when(start: datetime, end: datetime, *, today: date) -> str:
    """One session in words: “Today, Thursday 3 December, 10:00 to 12:00”."""
    times = clock_range(start.time(), end.time(), separator=" to ")
    return f"{relative_date(start.date(), today=today)}, {times}"


# --------------------------------------------------------------------------- display labels

# Audience names as imported are often a bare word ("women", "lgbtq+", "arabic"); the public
# site shows them as a person would write them. Keys are folded names; stored names and slugs
# (the URL values) stay as they are.
_AUDIENCE_LABELS = {
    "women": "Women",
    "woman": "Women",
    "men": "Men",
    "man": "Men",
    "lgbtq": "LGBTQ+ people",
    "lgbtq+": "LGBTQ+ people",
    "lgbt": "LGBTQ+ people",
    "18-25": "Young adults (18 to 25)",
    "arabic": "Arabic speakers",
    "somali": "Somali speakers",
    "chinese": "Chinese speakers",
}


def audience_label(name: str) -> str:
    """How the public site names an audience: “Women”, “LGBTQ+ people”, “Arabic speakers”.
    A name already written properly (“People learning English”) is kept as it is."""
    folded = " ".join(name.lower().split())
    if folded in _AUDIENCE_LABELS:
        return _AUDIENCE_LABELS[folded]
    return name[:1].upper() + name[1:]


# --------------------------------------------------------------------------- access statuses

# What a status other than a plain yes means for someone deciding whether to go.
STATUS_MEANINGS = {
    "partly": "Partly: some of it is in place but not all (for example one entrance, or some "
    "rooms), so call to check it works for you",
    "on_request": "On request: ask the organisation before you go and they will arrange it",
}


def status_meaning(status: str, details: str = "") -> str:
    """“Partly: …, so call to check it works for you”, or the provider's own details when
    there are any (“Partly – ramp at the side door”); "" for any other status."""
    label = {"partly": "Partly", "on_request": "On request"}.get(status)
    if label is None:
        return ""
    return f"{label} – {details}" if details else STATUS_MEANINGS[status]
