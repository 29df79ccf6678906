"""Every change to a referral: each one locks the referral row (select_for_update), changes
state, writes a history event and an entry in Wagtail's audit log, in one transaction.

Callers rely on these rules:
- a destination is never left Declined: declining either forwards to another provider's
  activity or hands the referral to the navigators, in the same transaction (and a check
  constraint refuses a stored "declined");
- an unanswered destination is reminded, then escalated to the navigators, never dropped;
- a referral closes (`closed_at`) when every destination has ended (finished, or accepted
  with any outcome, "attended" included); retention counts from then;
- events and audit entries hold codes and ids only, never the person's details.
Emails are sent after the transaction commits (`referrals.notify`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from activities.models import ActivityPage

from . import notify
from .enums import (
    CLOSING_OUTCOMES,
    FINISHED,
    UNANSWERED,
    Action,
    ActorKind,
    ConsentBy,
    DeclineReason,
    Outcome,
    Route,
    State,
)
from .models import Destination, Event, Referral
from .workdays import add_working_days


class TransitionError(ValueError):
    """The change is not possible from the destination's state; str() says why, plainly."""


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: object | None = None

    @classmethod
    def person(cls) -> Actor:
        return cls(ActorKind.PERSON)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)


# --- the history and the audit log -----------------------------------------------------------


def _record(
    *,
    referral: Referral,
    action: Action,
    actor: Actor,
    at: dt.datetime,
    destination: Destination | None = None,
    **detail,
) -> Event:
    detail = {key: value for key, value in detail.items() if value not in (None, "")}
    event = Event.objects.create(
        referral=referral,
        destination=destination,
        actor=actor.user,
        actor_kind=actor.kind,
        action=action,
        at=at,
        detail=detail,
    )
    audit_log(referral=referral, action=action, user=actor.user, destination=destination, **detail)
    return event


def audit_log(*, referral: Referral, action: str, user=None, destination=None, **detail) -> None:
    """An entry in Wagtail's audit log (site history): the reference and codes only."""
    data = {"actor": "user" if user else "anonymous", **detail}
    if destination is not None:
        data["destination"] = destination.pk
        data["provider"] = destination.provider_id
    log(instance=referral, action=f"referrals.{action}", user=user, data=data)


def referral_viewed(*, referral: Referral, user, where: str) -> None:
    """Every view of a referral's details is in the audit log (not the history)."""
    audit_log(referral=referral, action="view", user=user, where=where)


# --- helpers ---------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock(referral_id: int) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral_id)


def _locked_destination(destination: Destination) -> tuple[Referral, Destination]:
    referral = _lock(destination.referral_id)
    return referral, Destination.objects.select_for_update().get(pk=destination.pk)


def _reminder_due(at: dt.datetime) -> dt.datetime:
    return add_working_days(timezone.localtime(at), settings.REFERRAL_REMIND_AFTER_WORKING_DAYS)


def _escalation_due(created: dt.datetime) -> dt.datetime:
    return add_working_days(
        timezone.localtime(created), settings.REFERRAL_ESCALATE_AFTER_WORKING_DAYS
    )


def _add_destination(
    *,
    referral: Referral,
    activity: ActivityPage | None,
    actor: Actor,
    now: dt.datetime,
    came_from: Destination | None = None,
) -> Destination:
    if activity is not None and activity.provider_id is None:
        raise TransitionError(f"“{activity.title}” has no organisation to send a referral to.")
    destination = Destination.objects.create(
        referral=referral,
        provider_id=activity.provider_id if activity else None,
        activity=activity,
        state=State.NEW,
        consent_for_provider_at=now,
        created_at=now,
        due_at=_reminder_due(now),
    )
    if came_from is not None:
        came_from.next = destination
        came_from.save(update_fields=["next"])
    _record(
        referral=referral,
        destination=destination,
        action=Action.SENT_TO,
        actor=actor,
        at=now,
        activity=activity.pk if activity else None,
        to="provider" if activity else "navigators",
    )
    transaction.on_commit(lambda: notify.destination_new(destination_id=destination.pk))
    return destination


def _send_on(
    *,
    referral: Referral,
    destination: Destination,
    to: Sequence[ActivityPage | None],
    actor: Actor,
    now: dt.datetime,
    action: Action = Action.FORWARDED,
) -> None:
    """Finish `destination` by sending the referral on: to each activity, or (None) to the
    navigators; the old destination points at the (last) new one."""
    destination.state = State.FORWARDED if action == Action.FORWARDED else State.WITH_NAVIGATORS
    destination.save()
    for activity in to:
        new = _add_destination(
            referral=referral, activity=activity, actor=actor, now=now, came_from=destination
        )
        _record(
            referral=referral,
            destination=destination,
            action=action,
            actor=actor,
            at=now,
            to_destination=new.pk,
            to_provider=new.provider_id,
        )


def referral_ended(destinations: Iterable[tuple[str, str]]) -> bool:
    """True when every (state, outcome) has reached an end: finished (forwarded, with the
    navigators' next destination, withdrawn, closed) or accepted with any outcome recorded."""
    pairs = list(destinations)
    return bool(pairs) and all(
        state in FINISHED or (state == State.ACCEPTED and outcome) for state, outcome in pairs
    )


def _close_if_finished(*, referral: Referral, actor: Actor, now: dt.datetime) -> bool:
    """Close the referral (retention counts from `closed_at`) once every destination ended."""
    if referral.closed_at is not None:
        return False
    if not referral_ended(referral.destinations.values_list("state", "outcome")):
        return False
    referral.closed_at = now
    referral.save(update_fields=["closed_at"])
    _record(referral=referral, action=Action.CLOSED, actor=actor, at=now)
    return True


@transaction.atomic
def referral_close_if_ended(*, referral: Referral, now=None) -> bool:
    """Close a referral left open although every destination ended (rows from before the
    rule above, or changed outside the services); the daily command sweeps these."""
    return _close_if_finished(referral=_lock(referral.pk), actor=Actor.system(), now=_now(now))


def _changed(referral: Referral) -> None:
    transaction.on_commit(lambda: notify.referral_changed(referral_id=referral.pk))


def _require(destination: Destination, states: Iterable[State], doing: str) -> None:
    if destination.state not in set(states):
        raise TransitionError(
            f"This referral is {destination.get_state_display().lower()}, so it cannot be "
            f"{doing} now."
        )


# --- sending ---------------------------------------------------------------------------------


def referral_submit(
    *,
    route: Route,
    details: dict,
    activities: Sequence[ActivityPage] = (),
    to_navigators: bool = False,
    consent_given_by: ConsentBy,
    actor: Actor,
    referred_by=None,
    previous: Referral | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Create a referral to each activity's provider, or to the navigators (or both)."""
    now = _now(now)
    if not activities and not to_navigators:
        raise TransitionError("Choose at least one activity, or ask the navigators.")
    if route == Route.REFERRER and consent_given_by != ConsentBy.REFERRER:
        raise TransitionError("A referrer must confirm they have the person's consent.")
    for _attempt in range(5):  # a reference collision is rare (31^6 codes); try another
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    route=route,
                    details=details,
                    referred_by=referred_by,
                    created_at=now,
                    consent_given_by=consent_given_by,
                    consent_at=now,
                    privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
                    previous=previous,
                )
                break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("Could not find a free referral reference.")
    with transaction.atomic():
        referral = _lock(referral.pk)
        _record(
            referral=referral,
            action=Action.SUBMITTED,
            actor=actor,
            at=now,
            route=route,
            consent_by=consent_given_by,
            previous=previous.pk if previous else None,
        )
        for activity in activities:
            _add_destination(referral=referral, activity=activity, actor=actor, now=now)
        if to_navigators:
            _add_destination(referral=referral, activity=None, actor=actor, now=now)
    transaction.on_commit(lambda: notify.referral_sent(referral_id=referral.pk))
    return referral


# --- the provider's answers ------------------------------------------------------------------


@transaction.atomic
def destination_seen(*, destination: Destination, actor: Actor, now=None) -> Destination:
    """New → Seen the first time someone who handles it opens it; afterwards nothing."""
    referral, destination = _locked_destination(destination)
    if destination.state == State.NEW:
        now = _now(now)
        destination.state = State.SEEN
        destination.save(update_fields=["state"])
        _record(referral=referral, destination=destination, action=Action.SEEN, actor=actor, at=now)
        _changed(referral)
    return destination


@transaction.atomic
def destination_accept(*, destination: Destination, actor: Actor, now=None) -> Destination:
    now = _now(now)
    referral, destination = _locked_destination(destination)
    _require(destination, UNANSWERED, "accepted")
    destination.state = State.ACCEPTED
    destination.answered_at = now
    destination.due_at = None
    destination.save(update_fields=["state", "answered_at", "due_at"])
    _record(referral=referral, destination=destination, action=Action.ACCEPTED, actor=actor, at=now)
    _changed(referral)
    return destination


@transaction.atomic
def destination_decline(
    *,
    destination: Destination,
    actor: Actor,
    reason: DeclineReason,
    note: str = "",
    forward_to: Sequence[ActivityPage] = (),
    to_navigators: bool = False,
    consent_confirmed: bool = False,
    now=None,
) -> Destination:
    """Decline, and in the same breath send it on: to other activities (the person agreed to
    their details going to the new organisations: `consent_confirmed`) or to the navigators.
    A navigators' destination may only forward."""
    now = _now(now)
    referral, destination = _locked_destination(destination)
    _require(destination, (*UNANSWERED, State.ACCEPTED), "declined")
    if reason not in DeclineReason.values:
        raise TransitionError("Choose a reason from the list.")
    if reason == DeclineReason.OTHER and not note.strip():
        raise TransitionError("Say why in the note when the reason is “Other”.")
    if bool(forward_to) == bool(to_navigators):
        raise TransitionError("Forward it to another group or hand it to the navigators.")
    if to_navigators and destination.for_navigators:
        raise TransitionError("The navigators forward a referral or close it.")
    if forward_to and not consent_confirmed:
        raise TransitionError(
            "Confirm the person agreed to their details going to the new organisation."
        )
    if any(activity.pk == destination.activity_id for activity in forward_to):
        raise TransitionError("Forward it to a different activity.")
    destination.state = State.DECLINED  # a moment only: recorded, then sent on below
    _record(
        referral=referral,
        destination=destination,
        action=Action.DECLINED,
        actor=actor,
        at=now,
        reason=reason,
    )
    destination.decline_reason = reason
    destination.decline_note = note.strip()
    destination.answered_at = destination.answered_at or now
    destination.due_at = None
    if forward_to:
        _send_on(referral=referral, destination=destination, to=forward_to, actor=actor, now=now)
    else:
        _send_on(
            referral=referral,
            destination=destination,
            to=[None],
            actor=actor,
            now=now,
            action=Action.HANDED_TO_NAVIGATORS,
        )
    _changed(referral)
    return destination


@transaction.atomic
def navigators_forward(
    *,
    destination: Destination,
    actor: Actor,
    activities: Sequence[ActivityPage],
    consent_confirmed: bool,
    now=None,
) -> Destination:
    """The navigators send a referral in their queue on to one or more providers."""
    now = _now(now)
    referral, destination = _locked_destination(destination)
    if not destination.for_navigators:
        raise TransitionError("Only a referral with the navigators is forwarded this way.")
    _require(destination, (*UNANSWERED, State.ACCEPTED), "forwarded")
    if not activities:
        raise TransitionError("Choose at least one activity to forward it to.")
    if not consent_confirmed:
        raise TransitionError(
            "Confirm the person agreed to their details going to the new organisations."
        )
    destination.answered_at = destination.answered_at or now
    destination.due_at = None
    _send_on(referral=referral, destination=destination, to=activities, actor=actor, now=now)
    _close_if_finished(referral=referral, actor=actor, now=now)
    _changed(referral)
    return destination


@transaction.atomic
def navigators_close(
    *, destination: Destination, actor: Actor, reason: DeclineReason, note: str = "", now=None
) -> Destination:
    """The navigators' last word after assessing (could not contact, changed their mind...)."""
    now = _now(now)
    referral, destination = _locked_destination(destination)
    if not destination.for_navigators:
        raise TransitionError("A provider declines and forwards; only the navigators close.")
    _require(destination, (*UNANSWERED, State.ACCEPTED), "closed")
    if reason == DeclineReason.OTHER and not note.strip():
        raise TransitionError("Say why in the note when the reason is “Other”.")
    destination.state = State.CLOSED
    destination.decline_reason = reason
    destination.decline_note = note.strip()
    destination.due_at = None
    destination.save()
    _record(
        referral=referral,
        destination=destination,
        action=Action.CLOSED,
        actor=actor,
        at=now,
        reason=reason,
    )
    _close_if_finished(referral=referral, actor=actor, now=now)
    _changed(referral)
    return destination


@transaction.atomic
def destination_outcome(
    *, destination: Destination, actor: Actor, outcome: Outcome, now=None
) -> Destination:
    now = _now(now)
    referral, destination = _locked_destination(destination)
    _require(destination, (State.ACCEPTED,), "given an outcome")
    if outcome not in Outcome.values:
        raise TransitionError("Choose an outcome from the list.")
    destination.outcome = outcome
    if outcome in CLOSING_OUTCOMES:
        destination.state = State.CLOSED
    destination.save(update_fields=["outcome", "state"])
    _record(
        referral=referral,
        destination=destination,
        action=Action.OUTCOME,
        actor=actor,
        at=now,
        outcome=outcome,
    )
    _close_if_finished(referral=referral, actor=actor, now=now)
    _changed(referral)
    return destination


@transaction.atomic
def referral_withdraw(*, referral: Referral, actor: Actor, now=None) -> Referral:
    """The person (or their referrer) withdraws: every open destination is withdrawn."""
    now = _now(now)
    referral = _lock(referral.pk)
    if referral.closed_at is not None:
        raise TransitionError("This referral is already closed.")
    for destination in referral.destinations.select_for_update().exclude(state__in=FINISHED):
        destination.state = State.WITHDRAWN
        destination.due_at = None
        destination.save(update_fields=["state", "due_at"])
        _record(
            referral=referral,
            destination=destination,
            action=Action.WITHDRAWN,
            actor=actor,
            at=now,
        )
    _close_if_finished(referral=referral, actor=actor, now=now)
    _changed(referral)
    return referral


def referral_re_refer(
    *,
    referral: Referral,
    actor: Actor,
    activities: Sequence[ActivityPage],
    details: dict | None = None,
    now=None,
) -> Referral:
    """A navigator re-refers a person whose needs changed: a new referral linked to the old,
    with the old details (or updated ones), under the consent the old one recorded."""
    now = _now(now)
    with transaction.atomic():
        old = _lock(referral.pk)
        if old.erased_at is not None:
            raise TransitionError("This referral's details have been erased.")
        new = referral_submit(
            route=Route.NAVIGATOR,
            details=details if details is not None else old.details,
            activities=activities,
            consent_given_by=old.consent_given_by,
            actor=actor,
            referred_by=old.referred_by,
            previous=old,
            now=now,
        )
        _record(referral=old, action=Action.RE_REFERRED, actor=actor, at=now, to_referral=new.pk)
    return new


# --- the person's status link ------------------------------------------------------------------


@transaction.atomic
def status_link_renew(*, referral: Referral, actor: Actor, now=None) -> Referral:
    """Revoke the person's status link (every link made before stops opening anything) and
    issue a fresh one (`links.referral_status_url`): a navigator or city admin does this when
    a link went astray. In the history and the audit log; the person is emailed the fresh
    link if they gave an email."""
    now = _now(now)
    referral = _lock(referral.pk)
    referral.status_link_version += 1
    referral.save(update_fields=["status_link_version"])
    _record(referral=referral, action=Action.LINK_RENEWED, actor=actor, at=now)
    transaction.on_commit(lambda: notify.status_link_renewed(referral_id=referral.pk))
    return referral


# --- reminders and escalation (the daily command) --------------------------------------------


@transaction.atomic
def destination_remind(*, destination: Destination, now=None) -> bool:
    """Remind the handlers of an unanswered destination once; then its deadline becomes the
    escalation's. False when there was nothing to do (idempotent)."""
    now = _now(now)
    referral, destination = _locked_destination(destination)
    if destination.state not in UNANSWERED or destination.reminded_at is not None:
        return False
    destination.reminded_at = now
    destination.due_at = max(_escalation_due(destination.created_at), now)
    if destination.for_navigators:
        destination.due_at = None  # the navigators are where escalation leads
    destination.save(update_fields=["reminded_at", "due_at"])
    _record(
        referral=referral,
        destination=destination,
        action=Action.REMINDED,
        actor=Actor.system(),
        at=now,
    )
    transaction.on_commit(lambda: notify.destination_reminder(destination_id=destination.pk))
    return True


@transaction.atomic
def destination_escalate(*, destination: Destination, now=None) -> bool:
    """A provider that has not answered by the escalation deadline: the referral goes to the
    navigators (never silently declined). False when there was nothing to do."""
    now = _now(now)
    referral, destination = _locked_destination(destination)
    if (
        destination.state not in UNANSWERED
        or destination.for_navigators
        or destination.reminded_at is None
        or destination.escalated_at is not None
    ):
        return False
    destination.escalated_at = now
    destination.due_at = None
    _send_on(
        referral=referral,
        destination=destination,
        to=[None],
        actor=Actor.system(),
        now=now,
        action=Action.ESCALATED,
    )
    _changed(referral)
    return True
