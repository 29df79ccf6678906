import contextlib
import datetime as dt
import random
from collections import Counter

import pytest
from django.db import IntegrityError, transaction
from wagtail.models import ModelLogEntry

from referrals import services
from referrals.enums import FINISHED, Action, ActorKind, DeclineReason, Outcome, State
from referrals.models import Destination, Event, Referral
from referrals.services import Actor, TransitionError
from tests.factories import ActivityFactory
from tests.factories.referrals import referral_send

# A Thursday, clear of bank holidays.
NOW = dt.datetime(2026, 11, 12, 10, 0, tzinfo=dt.UTC)


def actions_of(referral):
    return list(referral.events.values_list("action", flat=True))


def test_submit_sends_one_destination_per_activity_with_history_and_audit(activity_a, activity_b):
    referral = referral_send(activities=[activity_a, activity_b], now=NOW)

    destinations = referral.destinations.order_by("pk")
    assert [(d.provider_id, d.activity_id, d.state) for d in destinations] == [
        (activity_a.provider_id, activity_a.pk, State.NEW),
        (activity_b.provider_id, activity_b.pk, State.NEW),
    ]
    assert actions_of(referral) == [Action.SUBMITTED, Action.SENT_TO, Action.SENT_TO]
    # Reminder after 5 working days: Thursday + 5 = the next Thursday.
    assert {d.due_at for d in destinations} == {NOW + dt.timedelta(days=7)}
    assert referral.reference.startswith("NWD-R-") and len(referral.reference) == 12
    logged = ModelLogEntry.objects.filter(object_id=str(referral.pk)).order_by("pk")
    assert [e.action for e in logged] == [
        "referrals.submitted",
        "referrals.sent_to",
        "referrals.sent_to",
    ]
    assert {e.label for e in logged} == {referral.reference}


def test_submit_needs_somewhere_to_go(db):
    with pytest.raises(TransitionError):
        referral_send(activities=[])
    assert Referral.objects.count() == 0


def test_seen_happens_once(activity_a, as_provider_a):
    destination = referral_send(activities=[activity_a]).destinations.get()

    services.destination_seen(destination=destination, actor=as_provider_a)
    services.destination_seen(destination=destination, actor=as_provider_a)

    destination.refresh_from_db()
    assert destination.state == State.SEEN
    assert actions_of(destination.referral).count(Action.SEEN) == 1


def test_accept_then_any_outcome_closes_the_referral(activity_a, as_provider_a):
    """“Attended” ends the provider's part: the referral closes (so retention starts) while
    the destination stays Accepted, and a later outcome is still recorded."""
    destination = referral_send(activities=[activity_a], now=NOW).destinations.get()

    services.destination_accept(destination=destination, actor=as_provider_a, now=NOW)
    services.destination_outcome(
        destination=destination, actor=as_provider_a, outcome=Outcome.ATTENDED, now=NOW
    )
    destination.refresh_from_db()
    assert (destination.state, destination.outcome) == (State.ACCEPTED, Outcome.ATTENDED)
    assert destination.referral.closed_at == NOW

    later = NOW + dt.timedelta(days=60)
    services.destination_outcome(
        destination=destination, actor=as_provider_a, outcome=Outcome.FINISHED, now=later
    )
    destination.refresh_from_db()
    assert destination.state == State.CLOSED
    referral = Referral.objects.get(pk=destination.referral_id)
    assert referral.closed_at == NOW
    assert actions_of(referral)[-3:] == [Action.OUTCOME, Action.CLOSED, Action.OUTCOME]


def test_outcome_needs_an_accepted_referral(activity_a, as_provider_a):
    destination = referral_send(activities=[activity_a]).destinations.get()
    with pytest.raises(TransitionError, match="new"):
        services.destination_outcome(
            destination=destination, actor=as_provider_a, outcome=Outcome.ATTENDED
        )


def test_decline_and_forward_sends_it_to_the_other_provider(activity_a, activity_b, as_provider_a):
    destination = referral_send(activities=[activity_a]).destinations.get()

    services.destination_decline(
        destination=destination,
        actor=as_provider_a,
        reason=DeclineReason.FULL,
        forward_to=[activity_b],
        consent_confirmed=True,
    )

    destination.refresh_from_db()
    assert destination.state == State.FORWARDED
    assert destination.decline_reason == DeclineReason.FULL
    assert destination.next.provider_id == activity_b.provider_id
    assert destination.next.state == State.NEW
    assert actions_of(destination.referral)[-3:] == [
        Action.DECLINED,
        Action.SENT_TO,
        Action.FORWARDED,
    ]


def test_decline_and_hand_to_navigators(activity_a, as_provider_a):
    destination = referral_send(activities=[activity_a]).destinations.get()

    services.destination_decline(
        destination=destination,
        actor=as_provider_a,
        reason=DeclineReason.OTHER,
        note="Needs more support than a peer group gives",
        to_navigators=True,
    )

    destination.refresh_from_db()
    assert destination.state == State.WITH_NAVIGATORS
    assert destination.decline_note == "Needs more support than a peer group gives"
    assert destination.next.provider_id is None
    assert destination.next.state == State.NEW


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": DeclineReason.FULL}, "Forward it"),
        ({"reason": DeclineReason.OTHER, "to_navigators": True}, "note"),
        ({"reason": DeclineReason.FULL, "forward": True}, "Confirm the person agreed"),
        ({"reason": DeclineReason.FULL, "forward": True, "to_navigators": True}, "Forward it"),
        ({"reason": "bored", "to_navigators": True}, "reason"),
    ],
)
def test_decline_without_somewhere_to_go_is_refused_and_changes_nothing(
    activity_a, activity_b, as_provider_a, kwargs, message
):
    destination = referral_send(activities=[activity_a]).destinations.get()
    forward = [activity_b] if kwargs.pop("forward", False) else []
    events_before = Event.objects.count()

    with pytest.raises(TransitionError, match=message):
        services.destination_decline(
            destination=destination, actor=as_provider_a, forward_to=forward, **kwargs
        )

    destination.refresh_from_db()
    assert destination.state == State.NEW
    assert Event.objects.count() == events_before


def test_the_database_refuses_a_stored_decline(activity_a):
    destination = referral_send(activities=[activity_a]).destinations.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Destination.objects.filter(pk=destination.pk).update(state=State.DECLINED)


def test_navigators_forward_to_several_providers(activity_a, activity_b, as_navigator):
    queue_item = referral_send(to_navigators=True).destinations.get()

    services.navigators_forward(
        destination=queue_item,
        actor=as_navigator,
        activities=[activity_a, activity_b],
        consent_confirmed=True,
    )

    queue_item.refresh_from_db()
    assert queue_item.state == State.FORWARDED
    open_ones = Destination.objects.filter(referral=queue_item.referral, state=State.NEW)
    assert {d.provider_id for d in open_ones} == {activity_a.provider_id, activity_b.provider_id}


def test_re_referral_links_the_new_referral_to_the_old(activity_a, activity_b, as_navigator):
    old = referral_send(activities=[activity_a])

    new = services.referral_re_refer(referral=old, actor=as_navigator, activities=[activity_b])

    assert new.previous == old
    assert new.route == "navigator"
    assert Referral.objects.get(pk=new.pk).details == Referral.objects.get(pk=old.pk).details
    assert actions_of(old)[-1] == Action.RE_REFERRED
    assert new.destinations.get().provider_id == activity_b.provider_id


def test_withdraw_closes_every_open_destination(activity_a, activity_b, as_provider_a):
    referral = referral_send(activities=[activity_a, activity_b])
    first = referral.destinations.get(provider=activity_a.provider)
    services.destination_accept(destination=first, actor=as_provider_a)

    services.referral_withdraw(referral=referral, actor=Actor.person())

    assert set(referral.destinations.values_list("state", flat=True)) == {State.WITHDRAWN}
    assert Referral.objects.get(pk=referral.pk).closed_at is not None
    with pytest.raises(TransitionError):
        services.referral_withdraw(referral=referral, actor=Actor.person())


def test_unanswered_is_reminded_then_escalated_to_the_navigators(activity_a):
    destination = referral_send(activities=[activity_a], now=NOW).destinations.get()
    reminder_due = NOW + dt.timedelta(days=7)

    assert services.destination_remind(destination=destination, now=reminder_due)
    assert not services.destination_remind(destination=destination, now=reminder_due)
    destination.refresh_from_db()
    # Escalation after 10 working days from sending: two weeks on.
    assert destination.due_at == NOW + dt.timedelta(days=14)

    assert services.destination_escalate(destination=destination, now=destination.due_at)
    assert not services.destination_escalate(destination=destination, now=destination.due_at)
    destination.refresh_from_db()
    assert destination.state == State.WITH_NAVIGATORS
    assert destination.next.provider_id is None
    assert destination.decline_reason == ""  # escalated, never silently declined


def test_escalation_waits_for_a_reminder(activity_a):
    destination = referral_send(activities=[activity_a], now=NOW).destinations.get()
    assert not services.destination_escalate(destination=destination, now=NOW)


# --- the whole life of a referral, at random ----------------------------------------------


def _random_step(rng, destination, activities, actors, now):
    """One random change at `now`; returns the clock after it (reminders move it on)."""
    provider_actor, navigator_actor = actors
    others = [a for a in activities if a.pk != destination.activity_id]
    step = rng.choice(["seen", "accept", "decline", "outcome", "remind", "escalate", "close"])
    actor = navigator_actor if destination.for_navigators else provider_actor
    if step in ("remind", "escalate") and destination.due_at:
        now = max(now, destination.due_at)
    if step == "seen":
        services.destination_seen(destination=destination, actor=actor, now=now)
    elif step == "accept":
        services.destination_accept(destination=destination, actor=actor, now=now)
    elif step == "decline" and destination.for_navigators:
        services.navigators_forward(
            destination=destination,
            actor=actor,
            activities=rng.sample(others, rng.randint(1, 2)),
            consent_confirmed=True,
            now=now,
        )
    elif step == "decline":
        onward = (
            {"forward_to": [rng.choice(others)], "consent_confirmed": True}
            if rng.random() < 0.5
            else {"to_navigators": True}
        )
        services.destination_decline(
            destination=destination,
            actor=actor,
            reason=rng.choice(DeclineReason.values[:-1]),
            now=now,
            **onward,
        )
    elif step == "outcome":
        services.destination_outcome(
            destination=destination, actor=actor, outcome=rng.choice(Outcome.values), now=now
        )
    elif step == "remind":
        services.destination_remind(destination=destination, now=now)
    elif step == "escalate":
        services.destination_escalate(destination=destination, now=now)
    elif step == "close" and destination.for_navigators:
        services.navigators_close(
            destination=destination, actor=actor, reason=DeclineReason.NO_CONTACT, now=now
        )
    return now + dt.timedelta(minutes=1)


# Each action's effect on its destination's state (None: no change).
STATE_AFTER = {
    Action.SENT_TO: State.NEW,
    Action.SEEN: State.SEEN,
    Action.ACCEPTED: State.ACCEPTED,
    Action.FORWARDED: State.FORWARDED,
    Action.HANDED_TO_NAVIGATORS: State.WITH_NAVIGATORS,
    Action.ESCALATED: State.WITH_NAVIGATORS,
    Action.WITHDRAWN: State.WITHDRAWN,
}


@pytest.mark.parametrize("seed", range(8))
def test_random_lives_never_end_declined_and_every_change_is_in_the_history(
    seed, activity_a, activity_b, provider_a, as_provider_a, as_navigator
):
    rng = random.Random(seed)
    activities = [activity_a, activity_b, ActivityFactory(parent=provider_a, title="Choir")]
    now = NOW
    referral = referral_send(
        activities=rng.sample(activities, 2), to_navigators=rng.random() < 0.3, now=now
    )

    for _ in range(40):
        open_ones = list(referral.destinations.exclude(state__in=FINISHED).order_by("pk"))
        if not open_ones:
            break
        destination = rng.choice(open_ones)
        # A refused step must change nothing; the replay below checks it.
        with contextlib.suppress(TransitionError):
            now = _random_step(rng, destination, activities, (as_provider_a, as_navigator), now)
    if rng.random() < 0.5 and Referral.objects.get(pk=referral.pk).closed_at is None:
        services.referral_withdraw(referral=referral, actor=Actor.person(), now=now)

    for destination in referral.destinations.all():
        assert destination.state != State.DECLINED
        if destination.state in (State.FORWARDED, State.WITH_NAVIGATORS):
            assert destination.next is not None  # somewhere to go
            assert destination.next.referral_id == referral.pk
        # Replaying the destination's history gives its state.
        state = None
        for event in destination.events.order_by("at", "pk"):
            closing = event.action == Action.OUTCOME and event.detail["outcome"] != "attended"
            if closing or event.action == Action.CLOSED:
                state = State.CLOSED
            elif event.action in STATE_AFTER:
                state = STATE_AFTER[event.action]
        assert state == destination.state, list(destination.events.values_list("action"))
        assert {e.actor_kind for e in destination.events.all()} <= set(ActorKind.values)
    # Every change in the history is in Wagtail's audit log too, one entry each.
    events = Counter(referral.events.values_list("action", flat=True))
    logged = Counter(
        action.removeprefix("referrals.")
        for action in ModelLogEntry.objects.filter(object_id=str(referral.pk))
        .exclude(action="referrals.view")
        .values_list("action", flat=True)
    )
    assert logged == events
