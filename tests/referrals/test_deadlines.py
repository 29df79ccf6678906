"""Unanswered referrals are reminded, then escalated to the navigators, after the number of
working days the settings give (weekends skipped); never silently declined."""

import datetime as dt

import pytest

from referrals import services
from referrals.enums import Action, State
from referrals.selectors import destinations_due
from tests.factories.referrals import referral_send

# Monday 2 November 2026, 10:00 UTC (no bank holiday that week or the next).
MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def day(n: int, hour: int = 10) -> dt.datetime:
    return MONDAY.replace(hour=hour) + dt.timedelta(days=n)


def daily(now):
    """What the daily command does, at `now`."""
    for destination in destinations_due(now=now):
        if destination.reminded_at is None:
            services.destination_remind(destination=destination, now=now)
        else:
            services.destination_escalate(destination=destination, now=now)


@pytest.mark.parametrize(
    ("remind_after", "escalate_after", "reminded_on", "escalated_on"),
    [
        # Two working days: Wednesday; four: Friday.
        (2, 4, day(2), day(4)),
        # Three working days: Thursday; six: over the weekend, the next Tuesday.
        (3, 6, day(3), day(8)),
    ],
)
def test_reminded_then_escalated_after_the_working_days_set(
    settings, activity_a, remind_after, escalate_after, reminded_on, escalated_on
):
    settings.REFERRAL_REMIND_AFTER_WORKING_DAYS = remind_after
    settings.REFERRAL_ESCALATE_AFTER_WORKING_DAYS = escalate_after
    referral = referral_send(activities=[activity_a], now=MONDAY)
    destination = referral.destinations.get()

    for n in range(14):
        daily(day(n, hour=11))  # the timer runs at 11:00 each day, weekends included
        destination.refresh_from_db()
        if destination.reminded_at is None:
            assert day(n, 11) < reminded_on + dt.timedelta(days=1), n
        if destination.state == State.WITH_NAVIGATORS:
            break

    assert destination.reminded_at.date() == reminded_on.date()
    assert destination.escalated_at.date() == escalated_on.date()
    assert destination.state == State.WITH_NAVIGATORS
    assert destination.decline_reason == ""  # escalated, never declined
    assert destination.next.provider_id is None and destination.next.state == State.NEW
    actions = list(referral.events.values_list("action", flat=True))
    assert actions.count(Action.REMINDED) == 1 and actions.count(Action.ESCALATED) == 1
    assert Action.DECLINED not in actions


def test_an_answered_referral_is_neither_reminded_nor_escalated(settings, activity_a, editor_a):
    settings.REFERRAL_REMIND_AFTER_WORKING_DAYS = 1
    destination = referral_send(activities=[activity_a], now=MONDAY).destinations.get()
    services.destination_accept(
        destination=destination,
        actor=services.Actor("provider", editor_a),
        now=MONDAY + dt.timedelta(hours=1),
    )

    for n in range(20):
        daily(day(n))

    destination.refresh_from_db()
    assert (destination.state, destination.reminded_at, destination.escalated_at) == (
        State.ACCEPTED,
        None,
        None,
    )
