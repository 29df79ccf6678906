"""The city's counts screen in the admin, through real HTTP: the numbers, an accessible table
without JavaScript, nothing personal, and only city admins may open it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.enums import DeclineReason, Outcome
from referrals.retention import referral_erase
from referrals.services import Actor
from tests.factories.referrals import PERSON_NAME, referral_send

URL = reverse("referrals_admin:counts")
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def row_of(html: str, heading: str) -> list[str]:
    """The cells after a row heading `<th scope="row">heading</th>`, as text."""
    found = re.search(rf'<th scope="row">{re.escape(heading)}</th>(.*?)</tr>', html, re.S)
    assert found, f"no row for {heading}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td>(.*?)</td>", found[1], re.S)
    ]


@pytest.fixture
def history(activity_a, activity_b, as_provider_a, editor_b, as_navigator):
    """Three referrals: A accepts one in 2 hours and declines one as not suitable (forwarding
    it to B) in 4; B accepts that one in 6. One went to the navigators and was re-referred."""
    as_b = Actor(as_provider_a.kind, editor_b)
    first = referral_send(activities=[activity_a], now=NOW)
    services.destination_accept(
        destination=first.destinations.get(), actor=as_provider_a, now=NOW + dt.timedelta(hours=2)
    )
    second = referral_send(activities=[activity_a], now=NOW)
    services.destination_decline(
        destination=second.destinations.get(),
        actor=as_provider_a,
        reason=DeclineReason.NOT_SUITABLE,
        forward_to=[activity_b],
        consent_confirmed=True,
        now=NOW + dt.timedelta(hours=4),
    )
    at_b = second.destinations.get(provider=activity_b.provider)
    services.destination_accept(destination=at_b, actor=as_b, now=NOW + dt.timedelta(hours=10))
    services.destination_outcome(destination=at_b, actor=as_b, outcome=Outcome.ATTENDED, now=NOW)
    third = referral_send(to_navigators=True, now=NOW)
    services.referral_re_refer(referral=third, actor=as_navigator, activities=[activity_b])
    return first, second, third


def test_city_admin_sees_the_counts_by_organisation_and_route(client, city_admin, history):
    client.force_login(city_admin)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption" in html and '<th scope="col">Acceptance rate</th>' in html
    # Received, self, referrer, navigator, answered, accepted, rate, unsuitable, forwarded, hours
    assert row_of(html, "Mersey Minds") == ["2", "2", "0", "0", "2", "1", "50%", "1", "1", "3.0"]
    assert row_of(html, "Bold Street Wellbeing") == [
        "2",
        "1",
        "0",
        "1",
        "1",
        "1",
        "100%",
        "0",
        "0",
        "6.0",
    ]
    assert row_of(html, "All organisations") == [
        "4",
        "3",
        "0",
        "1",
        "3",
        "2",
        "67%",
        "1",
        "1",
        "4.0",
    ]
    assert row_of(html, "Not suitable for their needs") == ["1", "100%"]
    assert row_of(html, "Full") == ["0", "0%"]
    assert re.search(r"Re-referred[^<]*</dt><dd>1</dd>", html)
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert PERSON_NAME not in html


def test_counts_survive_erasure(client, city_admin, history):
    client.force_login(city_admin)
    before = client.get(URL).content.decode()

    for referral in history:
        referral_erase(referral=referral, actor=Actor.system())

    after = client.get(URL).content.decode()
    assert row_of(after, "All organisations") == row_of(before, "All organisations")


def test_empty_city_says_so(client, city_admin):
    client.force_login(city_admin)

    html = client.get(URL).content.decode()

    assert "No referral has been sent to an organisation yet." in html
    assert row_of(html, "Other (say why in the note)") == ["0", "–"]


@pytest.mark.parametrize("who", ["editor", "navigator", "anonymous"])
def test_only_city_admins_may_open_it(client, who, editor_a, navigator, history):
    if who == "editor":
        client.force_login(editor_a)
    elif who == "navigator":
        client.force_login(navigator)

    response = client.get(URL)

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == "/admin/" or response["Location"].startswith("/admin/login/")
    assert "Mersey Minds" not in response.content.decode()
    if who != "anonymous":
        menu = client.get("/admin/").content.decode()
        assert "Referral counts" not in menu


def test_period_counts_only_referrals_sent_in_it(client, city_admin, activity_a):
    referral_send(activities=[activity_a], now=timezone.now() - dt.timedelta(days=400))
    referral_send(activities=[activity_a], now=timezone.now() - dt.timedelta(days=40))
    referral_send(activities=[activity_a])
    client.force_login(city_admin)

    def received(query: str) -> str:
        html = client.get(URL, {"period": query} if query else {}).content.decode()
        return row_of(html, "All organisations")[0]

    assert [received(q) for q in ("", "all", "365", "90", "30")] == ["3", "3", "2", "2", "1"]
    html = client.get(URL, {"period": "365"}).content.decode()
    assert '<option value="365" selected>' in html and "Referrals sent since" in html


@pytest.mark.parametrize("bad", ["forever", "9" * 400, "<script>", ""])
def test_a_period_not_on_the_list_is_a_clear_message_not_an_error(client, city_admin, bad, history):
    client.force_login(city_admin)

    response = client.get(URL, {"period": bad})

    assert response.status_code == 200
    html = response.content.decode()
    assert row_of(html, "All organisations")[0] == "4"  # all time
    if bad:
        assert "Choose a period from the list. Showing all time." in html
        assert "<script>" not in html.split("<main", 1)[-1]
