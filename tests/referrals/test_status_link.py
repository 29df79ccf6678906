"""The person's status link through real HTTP: it stops showing anything once the referral
is withdrawn, closed or erased, and a navigator or city admin can revoke it and issue a
fresh one (in the history and the audit log)."""

import re

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from wagtail.models import ModelLogEntry

from referrals import retention, services
from referrals.enums import Action
from referrals.links import STATUS_SALT, referral_status_url, status_token_make
from referrals.models import Event, Referral
from tests.factories.referrals import PERSON_EMAIL, PERSON_NAME, referral_send


def renew_url(referral) -> str:
    return reverse("referrals_admin:status_link_renew", args=[referral.reference])


@pytest.fixture
def sent(activity_a):
    return referral_send(activities=[activity_a])


def ended(referral, how: str, actor) -> None:
    if how == "withdrawn":
        services.referral_withdraw(referral=referral, actor=services.Actor.person())
    elif how == "closed":
        destination = referral.destinations.get()
        services.destination_accept(destination=destination, actor=actor)
        services.destination_outcome(destination=destination, actor=actor, outcome="finished")
    else:
        retention.referral_erase(referral=referral, actor=services.Actor.system())


@pytest.mark.parametrize("how", ["withdrawn", "closed", "erased"])
def test_an_ended_referrals_link_shows_nothing_about_it(
    client, sent, activity_a, as_provider_a, how
):
    link = referral_status_url(sent)
    assert activity_a.title in client.get(link).content.decode()

    ended(sent, how, as_provider_a)

    for path in (link, link + "withdraw/"):
        page = client.get(path)
        text = page.content.decode()
        assert page.status_code == 200
        assert "This referral has ended" in text
        for personal in (activity_a.title, activity_a.provider.title, PERSON_NAME, sent.reference):
            assert personal not in text
    assert client.post(link + "withdraw/").status_code == 200  # nothing to do, no error


def test_navigator_revokes_the_link_and_the_fresh_one_works(
    client, navigator, sent, mailoutbox, django_capture_on_commit_callbacks
):
    old = referral_status_url(sent)
    client.force_login(navigator)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(renew_url(sent))

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    shown = re.search(r'id="new-link" value="([^"]+)"', page.content.decode()).group(1)
    fresh = shown.removeprefix(settings.SITE_URL)
    assert fresh.startswith("/referrals/status/") and fresh != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.post(old + "withdraw/").status_code == 404
    assert Referral.objects.get(pk=sent.pk).closed_at is None  # the old link withdrew nothing
    assert client.get(fresh).status_code == 200
    event = Event.objects.get(referral=sent, action=Action.LINK_RENEWED)
    assert event.actor == navigator
    assert ModelLogEntry.objects.filter(
        action="referrals.link_renewed", object_id=str(sent.pk), user=navigator
    ).exists()
    # The person chose email: they get the fresh link, with the reference and nothing personal.
    (email,) = [m for m in mailoutbox if "new link" in m.subject.lower()]
    assert email.to == [PERSON_EMAIL]
    emailed = re.search(r"(/referrals/status/\S+)", email.body).group(1)
    assert sent.reference in email.body and client.get(emailed).status_code == 200
    assert PERSON_NAME not in email.body + email.subject


def test_the_renewal_is_in_the_history_on_the_referral(client, navigator, sent):
    client.force_login(navigator)
    client.post(renew_url(sent))

    detail = client.get(reverse("referrals_admin:detail", args=[sent.destinations.get().pk]))

    assert "Status link revoked and a fresh one issued" in detail.content.decode()


def test_city_admin_renews_from_personal_data_requests(client, city_admin, sent):
    client.force_login(city_admin)
    found = client.get(reverse("referrals_admin:data_request") + f"?reference={sent.reference}")
    assert renew_url(sent) in found.content.decode()

    assert client.post(renew_url(sent)).status_code == 200

    sent.refresh_from_db()
    assert sent.status_link_version == 1
    assert Event.objects.filter(referral=sent, action=Action.LINK_RENEWED).exists()


def test_editors_referrers_and_the_public_cannot_renew(client, editor_a, referrer, sent):
    for user in (editor_a, referrer, None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.post(renew_url(sent))
        assert response.status_code in (302, 403), user
        assert client.get(renew_url(sent)).status_code in (302, 403, 405)
    sent.refresh_from_db()
    assert sent.status_link_version == 0
    assert not Event.objects.filter(referral=sent, action=Action.LINK_RENEWED).exists()


def test_unknown_reference_is_not_found(client, navigator, db):
    client.force_login(navigator)
    assert (
        client.post(reverse("referrals_admin:status_link_renew", args=["NWD-R-ZZZZZZ"])).status_code
        == 404
    )


def test_a_link_from_before_versions_still_works_until_revoked(client, navigator, sent):
    """Links already emailed (made before links named a version) name version 0."""
    legacy = signing.dumps({"r": sent.reference}, salt=STATUS_SALT)
    path = reverse("referral_status", args=[legacy])
    assert client.get(path).status_code == 200
    assert status_token_make(reference=sent.reference) != legacy

    client.force_login(navigator)
    client.post(renew_url(sent))

    assert client.get(path).status_code == 404
