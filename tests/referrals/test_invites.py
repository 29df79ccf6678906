"""City admins invite referrers (issue 11), through real HTTP requests and Django's outbox."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from referrals.models import Referral, ReferrerProfile
from referrals.permissions import REFERRERS, is_referrer
from tests.factories.referrals import referral_send

NEW_PASSWORD = "Mersey-ferry-1965-lantern"
INVITE = {
    "name": "Priya Shah",
    "email": "priya.shah@nhs.example",
    "organisation": "Princes Park Health Centre",
    "role": "Social prescribing link worker",
}


def refused(response) -> bool:
    """Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message;
    someone without admin access (a referrer) is sent to its sign-in page."""
    return response.status_code == 403 or (
        response.status_code == 302
        and (response["Location"] == "/admin/" or response["Location"].startswith("/admin/login/"))
    )


def url(name, *args):
    return reverse(f"referrals_admin:{name}", args=args)


def _invite(client, city_admin, data=INVITE):
    client.force_login(city_admin)
    return client.post(url("referrer_invite"), data)


def _link(message) -> str:
    found = re.search(r"http://testserver(/referrals/join/[^/\s]+/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


# The db mark: the users come from request.getfixturevalue, which pytest-django cannot see when
# it orders tests, and after the transactional tests the migrations' data is gone.
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor_a", "navigator", "referrer"])
def test_only_city_admins_open_the_screens(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("referrers", "referrer_invite"):
        assert refused(client.get(url(name)))
    assert refused(client.post(url("referrer_invite"), INVITE))
    assert not get_user_model().objects.filter(email=INVITE["email"]).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    assert client.get(url("referrers"))["Location"].startswith("/admin/login/")


def test_invite_join_sign_in_and_see_referrals(
    client, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, city_admin)
    assert response["Location"] == url("referrers")

    user = get_user_model().objects.get(email=INVITE["email"])
    assert not user.has_usable_password()
    assert user.groups.filter(name=REFERRERS).exists()
    profile = user.referrer_profile
    assert (profile.organisation, profile.role, profile.invited_by) == (
        INVITE["organisation"],
        INVITE["role"],
        city_admin,
    )
    assert ModelLogEntry.objects.filter(
        action="referrals.referrer_invited", user=city_admin, object_id=str(profile.pk)
    ).exists()

    listing = client.get(url("referrers")).content.decode()
    assert "Priya Shah" in listing and INVITE["organisation"] in listing
    assert "Re-send invitation" in listing

    (message,) = mail.outbox
    assert message.to == [INVITE["email"]]
    assert message.body.startswith("Hello Priya,")
    # Nothing personal beyond the greeting: no surname, organisation, role or email.
    for detail in ("Shah", INVITE["organisation"], INVITE["role"], INVITE["email"]):
        assert detail not in message.body and detail not in message.subject
    link = _link(message)

    client.logout()
    form = client.get(link)
    assert form.status_code == 200
    assert 'for="id_new_password1"' in form.content.decode()
    mismatch = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 400
    assert "There is a problem" in mismatch.content.decode()

    done = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("referrals_mine")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert is_referrer(user)

    # Their own referrals, now and after signing in again through the admin's login.
    made = referral_send(to_navigators=True)
    Referral.objects.filter(pk=made.pk).update(referred_by=user)
    assert made.reference in client.get(reverse("referrals_mine")).content.decode()
    client.logout()
    signed_in = client.post(
        reverse("wagtailadmin_login") + "?next=" + reverse("referrals_mine"),
        {"username": user.username, "password": NEW_PASSWORD, "next": reverse("referrals_mine")},
    )
    assert signed_in["Location"] == reverse("referrals_mine")
    assert made.reference in client.get(reverse("referrals_mine")).content.decode()

    # The link worked once.
    client.logout()
    again = client.get(link)
    assert again.status_code == 400
    assert "no longer works" in again.content.decode()
    client.force_login(city_admin)
    assert "Re-send invitation" not in client.get(url("referrers")).content.decode()


def test_tampered_and_malformed_links_are_refused(
    client, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, city_admin)
    link = _link(mail.outbox[0])
    client.logout()
    uid, token = link.strip("/").split("/")[-2:]
    for bad in (
        f"/referrals/join/{uid}/{token[:-1]}x/",
        f"/referrals/join/{uid}x/{token}/",
        f"/referrals/join/%C3%28/{token}/",
        f"/referrals/join/MTAwMDAwMDAwMDAwMDAwMDAwMDAwMDA/{token}/",
    ):
        response = client.get(bad)
        assert response.status_code == 400, bad
        assert "no longer works" in response.content.decode()
        posted = client.post(bad, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert posted.status_code == 400
    user = get_user_model().objects.get(email=INVITE["email"])
    assert not user.has_usable_password()


def test_a_deactivated_or_removed_persons_link_is_refused(
    client, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, city_admin)
    link = _link(mail.outbox[0])
    user = get_user_model().objects.get(email=INVITE["email"])
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    client.logout()
    assert client.get(link).status_code == 400
    get_user_model().objects.filter(pk=user.pk).update(is_active=True)
    assert client.get(link).status_code == 200
    client.force_login(city_admin)
    client.post(url("referrer_remove", user.pk))
    client.logout()
    assert client.get(link).status_code == 400


def test_an_email_already_used_is_a_clear_error(client, city_admin, referrer):
    response = _invite(client, city_admin, {**INVITE, "email": referrer.email.upper()})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "already has an account with this email address" in page
    assert INVITE["organisation"] in page  # nothing typed is lost
    assert not ReferrerProfile.objects.exists()
    assert mail.outbox == []


def test_resend_gives_a_new_link_and_the_old_one_stops(
    client, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, city_admin)
    user = get_user_model().objects.get(email=INVITE["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("referrer_resend", user.pk))
    assert response["Location"] == url("referrers")
    first, second = (_link(m) for m in mail.outbox)
    assert first != second
    assert ModelLogEntry.objects.filter(action="referrals.referrer_reinvited").count() == 1
    client.logout()
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_remove_takes_them_out_of_referrers(client, city_admin, referrer):
    client.force_login(city_admin)
    assert referrer.email in client.get(url("referrers")).content.decode()
    response = client.post(url("referrer_remove", referrer.pk))
    assert response["Location"] == url("referrers")
    assert not is_referrer(referrer)
    assert "is no longer a referrer" in client.get(url("referrers")).content.decode()
    after = client.get(url("referrers")).content.decode()
    assert referrer.email not in after and "No referrers yet." in after
    assert client.post(url("referrer_remove", referrer.pk)).status_code == 404
    assert client.post(url("referrer_resend", 2**70)).status_code == 404
    client.force_login(referrer)
    assert client.get(reverse("referrals_mine")).status_code == 403


def test_the_list_is_paginated(client, city_admin):
    group = Group.objects.get(name=REFERRERS)
    for n in range(51):
        get_user_model().objects.create_user(f"r{n}", f"r{n}@example.org").groups.add(group)
    client.force_login(city_admin)
    first = client.get(url("referrers")).content.decode()
    assert "Page 1 of 2" in first and "Next page" in first
    assert "Page 2 of 2" in client.get(url("referrers") + "?p=2").content.decode()
    assert client.get(url("referrers") + "?p=zzz").status_code == 200


def test_an_expired_link_is_refused(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, city_admin)
    link = _link(mail.outbox[0])
    assert "works once, for 3 days" in mail.outbox[0].body
    client.logout()
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is already past its time
    response = client.get(link)
    assert response.status_code == 400
    assert "no longer works" in response.content.decode()


def test_a_removed_referrer_can_be_invited_again(
    client, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, city_admin)
    user = get_user_model().objects.get(email=INVITE["email"])
    first_link = _link(mail.outbox[-1])
    client.post(url("referrer_remove", user.pk))
    assert not get_user_model().objects.filter(pk=user.pk, groups__name=REFERRERS).exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = _invite(client, city_admin, {**INVITE, "organisation": "Picton Practice"})

    assert again["Location"] == url("referrers")
    assert get_user_model().objects.filter(email__iexact=INVITE["email"]).count() == 1
    user.refresh_from_db()
    assert user.groups.filter(name=REFERRERS).exists()
    assert user.referrer_profile.organisation == "Picton Practice"
    assert user.referrer_profile.invited_by == city_admin
    assert ModelLogEntry.objects.filter(action="referrals.referrer_invited").count() == 2
    second_link = _link(mail.outbox[-1])
    client.logout()
    assert client.get(first_link).status_code == 400  # the link from before stops working
    joined = client.post(
        second_link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert joined["Location"] == reverse("referrals_mine")
    assert client.get(reverse("referrals_mine")).status_code == 200


def test_a_removed_referrer_who_had_joined_is_invited_again_with_a_fresh_link(
    client, city_admin, referrer
):
    client.force_login(city_admin)
    client.post(url("referrer_remove", referrer.pk))
    referrer.email = "rita@example.org"
    ReferrerProfile.objects.create(
        user=referrer, organisation="Old Practice", invited_at=referrer.date_joined
    )

    again = _invite(client, city_admin, {**INVITE, "email": "RITA@example.org"})

    assert again["Location"] == url("referrers")
    referrer.refresh_from_db()
    assert referrer.groups.filter(name=REFERRERS).exists()
    assert not referrer.has_usable_password()  # they choose a new one from the link
    assert referrer.referrer_profile.organisation == INVITE["organisation"]


def test_a_deactivated_former_referrer_is_not_brought_back(client, city_admin):
    _invite(client, city_admin)
    user = get_user_model().objects.get(email=INVITE["email"])
    client.post(url("referrer_remove", user.pk))
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    refused_again = _invite(client, city_admin)

    assert refused_again.status_code == 400
    assert "already has an account" in refused_again.content.decode()
    assert not get_user_model().objects.filter(pk=user.pk, groups__name=REFERRERS).exists()
