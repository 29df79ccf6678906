import datetime as dt

import pytest
from django.core.management import call_command

from referrals import services
from referrals.enums import Outcome, State
from referrals.models import Destination, Event, Referral
from referrals.retention import referral_erase, referral_export, referrals_erase_due
from referrals.selectors import referral_counts, referrals_ended_open
from referrals.services import Actor
from tests.factories.referrals import PERSON_NAME, referral_send

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def closed_referral(activity, actor, *, at):
    referral = referral_send(activities=[activity], now=at)
    destination = referral.destinations.get()
    services.destination_accept(destination=destination, actor=actor, now=at)
    services.destination_outcome(
        destination=destination, actor=actor, outcome=Outcome.FINISHED, now=at
    )
    return Referral.objects.get(pk=referral.pk)


def test_retention_erases_what_is_due_and_nothing_else(activity_a, as_provider_a, settings):
    settings.REFERRAL_RETENTION_DAYS = 180
    due = closed_referral(activity_a, as_provider_a, at=NOW - dt.timedelta(days=181))
    not_yet = closed_referral(activity_a, as_provider_a, at=NOW - dt.timedelta(days=179))
    still_open = referral_send(activities=[activity_a], now=NOW - dt.timedelta(days=400))
    counts_before = referral_counts()
    events_before = Event.objects.filter(referral=due).count()

    assert referrals_erase_due(now=NOW) == 1
    assert referrals_erase_due(now=NOW) == 0  # idempotent

    due.refresh_from_db()
    assert due.details is None and due.erased_at == NOW
    for kept in (not_yet, still_open):
        assert Referral.objects.get(pk=kept.pk).details["name"] == PERSON_NAME
        assert Referral.objects.get(pk=kept.pk).erased_at is None
    # Anonymous counts and the history survive.
    assert referral_counts() == counts_before
    assert Destination.objects.get(referral=due).state == State.CLOSED
    assert Event.objects.filter(referral=due).count() == events_before + 1


def test_daily_command_erases_and_says_so(activity_a, as_provider_a, settings, capsys):
    settings.REFERRAL_RETENTION_DAYS = 0
    referral = closed_referral(activity_a, as_provider_a, at=NOW)

    call_command("referrals_daily")
    call_command("referrals_daily")

    assert Referral.objects.get(pk=referral.pk).details is None
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("erased 1.") and out[1].endswith("erased 0.")


def test_export_gives_the_details_and_is_audited(activity_a, city_admin):
    referral = referral_send(activities=[activity_a])

    exported = referral_export(referral=referral, user=city_admin)

    assert exported["details"]["name"] == PERSON_NAME
    assert exported["destinations"][0]["organisation"] == activity_a.provider.title
    assert referral.events.filter(action="exported", actor=city_admin).count() == 1


def test_erased_referral_still_counts_for_the_city(activity_a, as_provider_a):
    referral = closed_referral(activity_a, as_provider_a, at=NOW)

    referral_erase(referral=referral, actor=Actor.system())

    counts = referral_counts()
    assert counts["referrals"] == 1
    assert counts["by_route"] == {"self": 1}
    assert counts["by_state"] == {"closed": 1}


def test_counts_give_acceptance_rate_reasons_and_time_to_answer(
    activity_a, activity_b, as_provider_a
):
    accepted = referral_send(activities=[activity_a], now=NOW).destinations.get()
    services.destination_accept(
        destination=accepted, actor=as_provider_a, now=NOW + dt.timedelta(hours=2)
    )
    declined = referral_send(activities=[activity_a], now=NOW).destinations.get()
    services.destination_decline(
        destination=declined,
        actor=as_provider_a,
        reason="not_suitable",
        to_navigators=True,
        now=NOW + dt.timedelta(hours=4),
    )

    counts = referral_counts()

    assert counts["acceptance_rate"] == 0.5
    assert counts["decline_reasons"] == {"not_suitable": 1}
    assert counts["median_hours_to_answer"] == 3.0
    assert counts["by_state"] == {"accepted": 1, "with_navigators": 1, "new": 1}


# --- closing: retention only counts from closed_at, so every ended referral must close -------


def accepted(activity, actor, *, at):
    referral = referral_send(activities=[activity], now=at)
    destination = referral.destinations.get()
    services.destination_accept(destination=destination, actor=actor, now=at)
    return referral, destination


@pytest.mark.parametrize("outcome", Outcome.values)
def test_every_outcome_closes_the_referral_and_retention_erases_it(
    outcome, activity_a, as_provider_a, settings
):
    settings.REFERRAL_RETENTION_DAYS = 180
    at = NOW - dt.timedelta(days=181)
    referral, destination = accepted(activity_a, as_provider_a, at=at)

    services.destination_outcome(
        destination=destination, actor=as_provider_a, outcome=outcome, now=at
    )

    referral.refresh_from_db()
    assert referral.closed_at == at
    assert referral.events.filter(action="closed").count() == 1
    assert referrals_erase_due(now=NOW) == 1
    assert Referral.objects.get(pk=referral.pk).details is None


def test_attended_then_finished_keeps_the_first_closing(activity_a, as_provider_a):
    referral, destination = accepted(activity_a, as_provider_a, at=NOW)
    later = NOW + dt.timedelta(days=30)

    services.destination_outcome(
        destination=destination, actor=as_provider_a, outcome=Outcome.ATTENDED, now=NOW
    )
    services.destination_outcome(
        destination=destination, actor=as_provider_a, outcome=Outcome.FINISHED, now=later
    )

    referral.refresh_from_db()
    assert referral.closed_at == NOW
    assert Destination.objects.get(pk=destination.pk).state == State.CLOSED
    assert referral.events.filter(action="closed").count() == 1


def test_accepted_without_outcome_stays_open(activity_a, as_provider_a, settings):
    settings.REFERRAL_RETENTION_DAYS = 0
    referral, _ = accepted(activity_a, as_provider_a, at=NOW - dt.timedelta(days=400))

    assert referrals_erase_due() == 0
    assert Referral.objects.get(pk=referral.pk).closed_at is None


def test_one_destination_ended_and_one_still_open_keeps_the_referral_open(
    activity_a, activity_b, as_provider_a
):
    referral = referral_send(activities=[activity_a, activity_b], now=NOW)
    mine = referral.destinations.get(activity=activity_a)
    services.destination_accept(destination=mine, actor=as_provider_a, now=NOW)

    services.destination_outcome(
        destination=mine, actor=as_provider_a, outcome=Outcome.ATTENDED, now=NOW
    )

    assert Referral.objects.get(pk=referral.pk).closed_at is None
    assert not referrals_ended_open().exists()


def test_withdrawn_referral_closes(activity_a, activity_b, as_provider_a):
    other = referral_send(activities=[activity_a, activity_b], now=NOW)
    services.destination_accept(
        destination=other.destinations.get(activity=activity_a), actor=as_provider_a, now=NOW
    )

    services.referral_withdraw(referral=other, actor=Actor.person(), now=NOW)

    other.refresh_from_db()
    assert other.closed_at == NOW
    assert set(other.destinations.values_list("state", flat=True)) == {State.WITHDRAWN}


def test_daily_command_closes_ended_referrals_left_open_from_when_they_ended(
    activity_a, activity_b, as_provider_a, settings, capsys
):
    """Rows from before the rule: an accepted one with an outcome, one whose destinations all
    finished, and one still waiting, all with closed_at empty."""
    settings.REFERRAL_RETENTION_DAYS = 180
    ended_at = NOW - dt.timedelta(days=200)
    attended, destination = accepted(activity_a, as_provider_a, at=ended_at)
    Destination.objects.filter(pk=destination.pk).update(outcome=Outcome.ATTENDED)
    Event.objects.create(
        referral=attended,
        destination=destination,
        actor_kind="provider",
        action="outcome",
        at=ended_at,
    )
    finished = referral_send(activities=[activity_a, activity_b], now=ended_at)
    finished.destinations.update(state=State.WITHDRAWN)
    waiting = referral_send(activities=[activity_b], now=ended_at)
    Referral.objects.update(closed_at=None)

    call_command("referrals_daily")
    call_command("referrals_daily")

    out = capsys.readouterr().out.splitlines()
    assert "closed 2, erased 2." in out[0] and "closed 0, erased 0." in out[1]
    for ended in (attended, finished):
        ended.refresh_from_db()
        assert ended.closed_at == ended_at and ended.details is None
    waiting.refresh_from_db()
    assert waiting.closed_at is None and waiting.details["name"] == PERSON_NAME
