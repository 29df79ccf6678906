"""Time slots that tests need often, built with the factories."""

from __future__ import annotations

from datetime import date, time, timedelta

from activities.models import ActivityPage, Schedule
from tests.factories import ScheduleFactory
from tests.support.dates import TUESDAY, next_weekday
from tests.support.dates import today as site_today


def weekly(
    activity: ActivityPage,
    *,
    weekday: int = TUESDAY,
    start: time = time(10, 0),
    end: time = time(12, 0),
    today: date | None = None,
    **fields,
) -> Schedule:
    """A weekly, open-ended slot on `weekday` (0 = Monday) that is running on `today`.

    Its first session was two weeks before the next one after `today`, so the slot has started,
    has sessions in the past and one within the coming week. `today` defaults to the site's
    today (for tests that go through HTTP); tests of code taking ``today=`` pass their fixed
    date. Other Schedule fields (``sessions``, ``last_date``, ``frequency`` ...) go in `fields`.
    """
    next_session = next_weekday(weekday, after=today or site_today())
    return ScheduleFactory(
        activity=activity,
        first_date=next_session - timedelta(weeks=2),
        start_time=start,
        end_time=end,
        **fields,
    )
