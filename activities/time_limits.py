"""Time limits in plain English: course lengths, intakes and engagement limits."""

from __future__ import annotations

from datetime import date

from . import recurrence
from .enums import ActivityKind, Frequency
from .wording import short_date


def course_length(schedule) -> str:
    n = schedule.sessions
    if schedule.frequency == Frequency.WEEKLY:
        return f"{n}-week course"
    if schedule.frequency == Frequency.FORTNIGHTLY:
        return f"{n}-session course, every other week"
    if schedule.frequency == Frequency.MONTHLY:
        return f"{n}-session course, once a month"
    return "One-off session"


def engagement_limit(weeks: int) -> str:
    months = round(weeks / 4.345)
    if weeks >= 8 and months >= 2:
        return f"You can attend for up to {weeks} weeks (about {months} months)"
    return f"You can attend for up to {weeks} weeks"


def has_ended(activity, *, today: date) -> bool:
    """True when every slot has its last session in the past."""
    schedules = list(activity.schedules.all())
    return bool(schedules) and all(s.ends_on is not None and s.ends_on < today for s in schedules)


def schedule_summary(schedule, *, today: date) -> str | None:
    end = recurrence.series_end(schedule.rule)
    if schedule.sessions and schedule.frequency != Frequency.ONCE:
        text = course_length(schedule)
        if schedule.first_date > today:
            return f"{text}, next starts {short_date(schedule.first_date, today=today)}"
        if end is not None and end < today:
            return f"{text}, finished on {short_date(end, today=today)}"
        return (
            f"{text}, started {short_date(schedule.first_date, today=today)}, "
            f"last session {short_date(end, today=today)}"
        )
    if schedule.last_date and schedule.frequency != Frequency.ONCE:
        if end is not None and end < today:
            return f"Finished on {short_date(end, today=today)}"
        if schedule.first_date > today:
            return (
                f"Starts {short_date(schedule.first_date, today=today)}, "
                f"runs until {short_date(schedule.last_date, today=today)}"
            )
        return f"Runs until {short_date(schedule.last_date, today=today)}"
    if schedule.first_date > today and schedule.frequency != Frequency.ONCE:
        return f"Starts {short_date(schedule.first_date, today=today)}"
    return None


def summary(activity, *, today: date) -> str:
    """E.g. “6-week course, next starts Tue 12 January. You can attend for up to 26 weeks”."""
    parts = []
    for schedule in activity.schedules.all():
        text = schedule_summary(schedule, today=today)
        if text and text not in parts:
            parts.append(text)
    if activity.kind == ActivityKind.COURSE and not parts:
        parts.append("Course")
    if activity.engagement_limit_weeks:
        parts.append(engagement_limit(activity.engagement_limit_weeks))
    return ". ".join(parts)
