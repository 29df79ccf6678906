"""Choices shared by models, forms, filters and the spreadsheet. Values are public: keep them."""

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


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


WEEKDAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class TimeOfDay(models.TextChoices):
    MORNING = "morning", "Morning (before 12:00)"
    AFTERNOON = "afternoon", "Afternoon (12:00 to 17:00)"
    EVENING = "evening", "Evening (from 17:00)"
