"""Choices shared by models, forms, filters and the spreadsheet. Values are public: keep them."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import models


class ActivityKind(models.TextChoices):
    COURSE = "course", "Course"
    GROUP = "group", "Group"
    DROP_IN = "drop-in", "Drop-in"
    ONE_OFF = "one-off", "One-off session"
    SERVICE = "service", "Service"


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly (same weekday of the month)"


class CapacityStatus(models.TextChoices):
    PLACES = "places", "Places available"
    FEW_PLACES = "few_places", "A few places left"
    WAITING_LIST = "waiting_list", "Waiting list"
    FULL = "full", "Full"


class SupportLevel(models.TextChoices):
    """How much support a session gives: helps referrers avoid unsuitable referrals."""

    PEER = "peer", "Peer-led, light touch"
    FACILITATED = "facilitated", "Run by staff or trained volunteers"
    STRUCTURED = "structured", "Structured course with trained facilitators"
    ONE_TO_ONE = "one_to_one", "One-to-one support available"


class ReferralRoute(models.TextChoices):
    SELF = "self", "Just come along or refer yourself"
    PROFESSIONAL = "professional", "Referral from a professional (e.g. social prescriber)"
    GP = "gp", "GP referral"


# --- the finder's questions (activities.finder) --------------------------------------------


class Where(models.TextChoices):
    EITHER = "either", "In person or online"
    IN_PERSON = "in_person", "In person only"
    ONLINE = "online", "Online only"


class SingleSex(models.TextChoices):
    """The finder's one question about women-only and men's groups."""

    ALL = "", "Show all groups, with women-only and men's groups marked"
    WOMEN = "women", "Include women-only groups and show them first (leave out men's groups)"
    MEN = "men", "Include men's groups and show them first (leave out women-only groups)"
    WOMEN_ONLY = "women_only", "Only women-only groups"
    MEN_ONLY = "men_only", "Only men's groups"
    MIXED = "mixed", "Only groups open to everyone"


class Mode(models.TextChoices):
    """How the person would take part in one activity."""

    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    REMOTE = "remote", "No fixed place"  # e.g. a phone or text service with no venue


WEEKDAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class TimeOfDay(models.TextChoices):
    MORNING = "morning", "Morning (before 12:00)"
    AFTERNOON = "afternoon", "Afternoon (12:00 to 17:00)"
    EVENING = "evening", "Evening (from 17:00)"

    @classmethod
    def of(cls, start: time) -> TimeOfDay:
        """The part of the day a session starting at `start` is in."""
        if start < time(12):
            return cls.MORNING
        return cls.AFTERNOON if start < time(17) else cls.EVENING


# Start times [from, until) of each part of the day, for SQL filters (TimeOfDay.of agrees).
TIME_RANGES = {
    TimeOfDay.MORNING: (time(0, 0), time(12, 0)),
    TimeOfDay.AFTERNOON: (time(12, 0), time(17, 0)),
    TimeOfDay.EVENING: (time(17, 0), time(23, 59, 59)),
}


class When(models.TextChoices):
    """The browse "when" filter. Weeks run Monday to Sunday in Europe/London."""

    TODAY = "today", "Today"
    TOMORROW = "tomorrow", "Tomorrow"
    THIS_WEEK = "this_week", "This week"
    NEXT_WEEK = "next_week", "Next week"
    DATE = "date", "On a date"

    def window(self, *, today: date, on: date | None = None) -> tuple[date, date] | None:
        """The dates, first and last inclusive, this choice means on `today` (`on` for DATE;
        None when a date is wanted and none is given). "This week" starts today, never on a
        day already gone; it ends on Sunday."""
        monday = today - timedelta(days=today.weekday())
        if self is When.TODAY:
            return today, today
        if self is When.TOMORROW:
            return today + timedelta(days=1), today + timedelta(days=1)
        if self is When.THIS_WEEK:
            return today, monday + timedelta(days=6)
        if self is When.NEXT_WEEK:
            return monday + timedelta(days=7), monday + timedelta(days=13)
        return (on, on) if on is not None else None


class CancelledSessions(models.TextChoices):
    """What a course does when one of its sessions is cancelled (recurrence.made_up)."""

    FEWER = "fewer", "Run fewer sessions, and say so (“5 of 6 sessions”)"
    ADD = "add", "Add a session at the end for each one cancelled"
