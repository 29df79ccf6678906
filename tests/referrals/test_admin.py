"""The inbox, queue and data requests in the admin, through real HTTP requests."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from referrals.enums import State
from referrals.models import Destination, Referral
from tests.factories.referrals import PERSON_NAME, referral_send


def refused(response) -> bool:
    """Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def url(name, *args):
    return reverse(f"referrals_admin:{name}", args=args)


@pytest.fixture
def sent_to_a(activity_a):
    return referral_send(activities=[activity_a]).destinations.get()


def test_provider_sees_opens_and_accepts_its_own(client, editor_a, sent_to_a):
    client.force_login(editor_a)

    listing = client.get(url("inbox"))
    assert sent_to_a.referral.reference in listing.content.decode()
    assert PERSON_NAME not in listing.content.decode()  # the list shows no personal details

    detail = client.get(url("detail", sent_to_a.pk))
    assert PERSON_NAME in detail.content.decode()
    sent_to_a.refresh_from_db()
    assert sent_to_a.state == State.SEEN
    assert ModelLogEntry.objects.filter(
        action="referrals.view", object_id=str(sent_to_a.referral_id), user=editor_a
    ).exists()

    accepted = client.post(url("accept", sent_to_a.pk))
    assert accepted["Location"] == url("detail", sent_to_a.pk)
    sent_to_a.refresh_from_db()
    assert sent_to_a.state == State.ACCEPTED
    assert "Record the outcome" in client.get(url("detail", sent_to_a.pk)).content.decode()
    client.post(url("outcome", sent_to_a.pk), {"outcome": "finished"})
    sent_to_a.refresh_from_db()
    assert (sent_to_a.state, sent_to_a.outcome) == (State.CLOSED, "finished")


def test_another_providers_editor_can_neither_see_nor_act(client, editor_b, sent_to_a, activity_b):
    client.force_login(editor_b)
    reference = sent_to_a.referral.reference

    link = f'href="{url("detail", sent_to_a.pk)}"'
    for query in ("", f"?q={reference}", "?state=new", "?open=0"):
        listing = client.get(url("inbox") + query).content.decode()
        assert link not in listing and "No referrals here." in listing, query
    assert reference not in client.get(url("inbox_csv")).content.decode()
    assert client.get(url("detail", sent_to_a.pk)).status_code == 404
    for action, data in [
        ("accept", {}),
        ("decline", {"reason": "full", "onward": "navigators"}),
        ("outcome", {"outcome": "attended"}),
        ("forward", {"activities": [activity_b.pk], "consent_confirmed": "on"}),
        ("close", {"reason": "no_contact"}),
        ("re_refer", {"activities": [activity_b.pk], "consent_confirmed": "on"}),
    ]:
        assert client.post(url(action, sent_to_a.pk), data).status_code == 404, action
    assert refused(client.get(url("queue")))
    assert refused(client.get(url("data_request")))
    assert refused(client.get(url("export", reference)))
    sent_to_a.refresh_from_db()
    assert sent_to_a.state == State.NEW
    assert not ModelLogEntry.objects.filter(action="referrals.view").exists()


@pytest.mark.parametrize("who", ["anonymous", "referrer"])
def test_people_without_referral_rights_get_nothing(client, who, referrer, sent_to_a):
    if who == "referrer":
        client.force_login(referrer)
    for path in (url("inbox"), url("detail", sent_to_a.pk), url("inbox_csv")):
        response = client.get(path)
        assert refused(response) or response["Location"].startswith("/admin/login/"), path


def test_decline_and_forward_moves_it_to_the_other_provider(
    client, editor_a, editor_b, sent_to_a, activity_b
):
    client.force_login(editor_a)
    response = client.post(
        url("decline", sent_to_a.pk),
        {
            "reason": "full",
            "onward": "forward",
            "activity": activity_b.pk,
            "consent_confirmed": "on",
        },
    )
    assert response.status_code == 302
    sent_to_a.refresh_from_db()
    assert sent_to_a.state == State.FORWARDED

    client.force_login(editor_b)
    new = Destination.objects.get(provider=activity_b.provider)
    assert sent_to_a.referral.reference in client.get(url("inbox")).content.decode()
    assert client.get(url("detail", new.pk)).status_code == 200
    assert client.get(url("detail", sent_to_a.pk)).status_code == 404  # A's part stays A's


def test_decline_without_onward_or_consent_explains_and_changes_nothing(
    client, editor_a, sent_to_a, activity_b
):
    client.force_login(editor_a)
    for data in (
        {"reason": "full"},
        {"reason": "full", "onward": "forward", "activity": activity_b.pk},
        {"reason": "other", "onward": "navigators"},
        {"reason": "full", "onward": "forward", "activity": "999999"},
    ):
        response = client.post(url("decline", sent_to_a.pk), data, follow=True)
        assert response.status_code == 200
        assert "messages" in response.context
        assert [m.level_tag for m in response.context["messages"]] == ["error"], data
    sent_to_a.refresh_from_db()
    assert sent_to_a.state == State.SEEN  # opened by the redirects, never declined


def test_navigators_queue_forward_and_re_refer(client, navigator, activity_a, activity_b):
    queue_item = referral_send(to_navigators=True).destinations.get()
    client.force_login(navigator)

    assert queue_item.referral.reference in client.get(url("queue")).content.decode()
    page = client.get(url("detail", queue_item.pk)).content.decode()
    assert "Forward to one or more groups" in page and PERSON_NAME in page
    response = client.post(
        url("forward", queue_item.pk),
        {"activities": [activity_a.pk, activity_b.pk], "consent_confirmed": "on"},
    )
    assert response.status_code == 302
    queue_item.refresh_from_db()
    assert queue_item.state == State.FORWARDED
    assert queue_item.referral.reference not in client.get(url("queue")).content.decode()

    re_referred = client.post(
        url("re_refer", queue_item.pk),
        {"activities": [activity_b.pk], "consent_confirmed": "on"},
    )
    new = Referral.objects.exclude(pk=queue_item.referral_id).get()
    assert new.previous_id == queue_item.referral_id
    assert re_referred["Location"] == url("detail", new.destinations.get().pk)


def test_navigator_sees_a_providers_referral_but_cannot_answer_it(client, navigator, sent_to_a):
    client.force_login(navigator)
    assert client.get(url("detail", sent_to_a.pk)).status_code == 200
    assert refused(client.post(url("accept", sent_to_a.pk)))
    sent_to_a.refresh_from_db()
    assert sent_to_a.state == State.NEW  # a navigator's look does not count as Seen


def test_city_admin_exports_and_erases_on_request(client, city_admin, sent_to_a, editor_a):
    reference = sent_to_a.referral.reference
    client.force_login(city_admin)

    found = client.get(url("data_request") + f"?reference={reference.lower()}")
    assert url("export", reference) in found.content.decode()
    exported = client.get(url("export", reference))
    assert json.loads(exported.content)["details"]["name"] == PERSON_NAME
    assert "no-store" in exported["Cache-Control"]

    client.post(url("erase", reference))
    assert Referral.objects.get(pk=sent_to_a.referral_id).details is None
    client.force_login(editor_a)
    page = client.get(url("detail", sent_to_a.pk)).content.decode()
    assert "details were erased" in page and PERSON_NAME not in page

    assert refused(client.post(url("erase", reference)))
    assert refused(client.get(url("data_request") + "?reference=x"))
    assert Referral.objects.get(pk=sent_to_a.referral_id).erased_at is not None


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["inbox", "queue", "inbox_csv"])
def test_lists_cost_the_same_queries_at_any_size(client, navigator, activity_a, view):
    client.force_login(navigator)
    for _ in range(3):
        referral_send(activities=[activity_a], to_navigators=True)
    client.get(url(view))  # warm per-process caches (site root, content types)
    few = queries_for(client, url(view))
    for _ in range(20):
        referral_send(activities=[activity_a], to_navigators=True)

    assert queries_for(client, url(view)) == few
