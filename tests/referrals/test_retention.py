import datetime as dt

from django.core.management import call_command

from referrals import services
from referrals.enums import Outcome, State
from referrals.models import Destination, Event, Referral
from referrals.retention import referral_erase, referral_export, referrals_erase_due
from referrals.selectors import referral_counts
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
