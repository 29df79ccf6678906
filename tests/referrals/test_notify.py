"""Emails carry a reference and a link, never personal details; the daily command reminds,
escalates and erases, and running it again does nothing more."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from referrals import services
from referrals.enums import ConsentBy, Route, State
from referrals.models import Destination
from referrals.services import Actor
from tests.factories.referrals import (
    PERSON_EMAIL,
    PERSON_HOPES,
    PERSON_NAME,
    PERSON_PHONE,
    person_details,
    referral_send,
)

PERSONAL = (PERSON_NAME, PERSON_PHONE, PERSON_EMAIL, PERSON_HOPES, "Zebedee", "bereavement")


def assert_nothing_personal(messages):
    for message in messages:
        text = f"{message.subject}\n{message.body}\n{message.extra_headers}"
        for secret in PERSONAL:
            assert secret.lower() not in text.lower(), (secret, message.subject)


@pytest.fixture(autouse=True)
def _log_everything(caplog):
    caplog.set_level(logging.DEBUG)
    yield
    for secret in PERSONAL:
        assert secret.lower() not in caplog.text.lower()


def test_a_new_referral_emails_the_providers_editors_and_the_person(
    activity_a, editor_a, editor_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_send(activities=[activity_a])

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {editor_a.email, PERSON_EMAIL}
    assert referral.reference in by_recipient[editor_a.email].subject
    destination = referral.destinations.get()
    assert f"http://testserver/admin/referrals/{destination.pk}/" in (
        by_recipient[editor_a.email].body
    )
    assert "http://testserver/referrals/status/" in by_recipient[PERSON_EMAIL].body
    assert_nothing_personal(mail.outbox)


def test_no_email_to_the_person_who_asked_for_a_phone_call(
    activity_a, editor_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral_send(activities=[activity_a], contact_method="phone")
    assert [m.to for m in mail.outbox] == [[editor_a.email]]


def test_navigators_are_emailed_for_theirs(navigator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral_send(to_navigators=True, contact_method="phone")
    assert [m.to for m in mail.outbox] == [[navigator.email]]
    assert "navigators" in mail.outbox[0].subject


def test_each_change_tells_the_referrer_and_the_person(
    activity_a, referrer, as_provider_a, django_capture_on_commit_callbacks
):
    referral = services.referral_submit(
        route=Route.REFERRER,
        details=person_details(),
        activities=[activity_a],
        consent_given_by=ConsentBy.REFERRER,
        actor=Actor("referrer", referrer),
        referred_by=referrer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.destination_accept(destination=referral.destinations.get(), actor=as_provider_a)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([referrer.email, PERSON_EMAIL])
    referrer_mail = next(m for m in mail.outbox if m.to == [referrer.email])
    assert "http://testserver/referrals/mine/" in referrer_mail.body
    assert_nothing_personal(mail.outbox)


def test_daily_command_reminds_then_escalates_then_does_nothing(
    activity_a, editor_a, navigator, capsys, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - dt.timedelta(days=40)
    referral = referral_send(activities=[activity_a], now=long_ago, contact_method="phone")
    destination = referral.destinations.get()

    outputs = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("referrals_daily")
        outputs.append(capsys.readouterr().out.strip())

    assert outputs == [
        "Reminded 1, escalated 0, closed 0, erased 0.",
        "Reminded 0, escalated 1, closed 0, erased 0.",
        "Reminded 0, escalated 0, closed 0, erased 0.",
    ]
    destination.refresh_from_db()
    assert destination.state == State.WITH_NAVIGATORS
    assert destination.next.provider_id is None
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert (
        editor_a.email,
        f"Reminder: referral {referral.reference} is waiting for an answer",
    ) in (subjects)
    assert (navigator.email, f"New referral {referral.reference} for the navigators") in subjects
    assert_nothing_personal(mail.outbox)
    # The navigators' new destination is reminded in its turn, but never escalated further.
    assert Destination.objects.filter(referral=referral, provider=None).get().state == State.NEW


def test_a_mail_failure_is_logged_without_details_and_changes_stand(
    activity_a, editor_a, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.referrals.broken_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_send(activities=[activity_a])
    assert referral.destinations.get().state == State.NEW
    assert f"Could not send referral email new for {referral.reference}" in caplog.text
