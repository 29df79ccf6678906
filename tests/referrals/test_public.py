"""The public journey through real HTTP (Django's test client), without JavaScript."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from activities.enums import CapacityStatus
from referrals.enums import ConsentBy, Route, State
from referrals.links import status_token_make
from referrals.models import Referral
from tests.factories import ActivityFactory, CategoryFactory
from tests.factories.referrals import PERSON_EMAIL, PERSON_NAME

ANSWERS = {
    "name": {"name": PERSON_NAME},
    "contact": {"contact_method": "email", "email": PERSON_EMAIL, "phone": "", "address": ""},
    "times": {"best_times": "Mornings", "may_leave_message": "yes"},
    "language": {"language": "", "interpreter": "no"},
    "access": {"access_needs": ["step_free_entrance", "quiet_space"]},
    "first-visit": {"first_visit": ["meet_at_door"]},
    "hopes": {"hopes": "Meet people", "answers": ""},
    "referrer": {
        "referrer_organisation": "Picton Practice",
        "referrer_role": "Social prescriber",
        "referrer_contact": "0151 000 0000",
    },
    "consent": {"consent": "on"},
    "referrer-consent": {"consent": "on"},
}
SELF_STEPS = ["name", "contact", "times", "language", "access", "first-visit", "hopes", "consent"]
REFERRER_STEPS = [*SELF_STEPS[:-1], "referrer", "referrer-consent"]


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.REPORT_MIN_SECONDS = 0


def crisis_notice_on(response) -> bool:
    text = response.content.decode()
    return "NHS 111" in text and "option 2" in text and "116 123" in text


def answer_all(client, steps):
    responses = []
    for slug in steps:
        response = client.post(reverse("referral_question", args=[slug]), ANSWERS[slug])
        assert response.status_code == 302, (slug, response.content.decode()[-2000:])
        responses.append(response)
    return responses


def start(client, *activities):
    query = "&".join(f"activity={a.pk}" for a in activities)
    page = client.get(f"{reverse('referral_start')}?{query}")
    response = client.post(reverse("referral_start"), {"activity": [a.pk for a in activities]})
    return page, response


def test_activity_and_home_pages_link_to_the_referral_route(client, activity_a, home):
    page = client.get(activity_a.url)
    assert f'href="/referrals/start/?activity={activity_a.pk}"' in page.content.decode()
    assert "Ask to join" in page.content.decode()
    home_page = client.get("/")
    assert 'href="/referrals/navigators/"' in home_page.content.decode()


def test_fit_check_shows_what_to_check_first(client, activity_a):
    activity_a.age_min, activity_a.referrer_needs = 18, "Tell us about any mobility needs."
    activity_a.save()

    page, _ = start(client, activity_a)

    text = page.content.decode()
    assert page.status_code == 200
    assert "18 and over" in text
    assert "Tell us about any mobility needs." in text
    assert "How people join" in text
    assert crisis_notice_on(page)


def test_a_full_group_says_why_and_offers_alternatives_instead_of_a_form(client, provider_a):
    topic = CategoryFactory(name="Walking")
    full = ActivityFactory(
        parent=provider_a,
        title="Full Walk",
        capacity_status=CapacityStatus.FULL,
        categories=[topic],
    )
    other = ActivityFactory(parent=provider_a, title="Park Walk", categories=[topic])

    page = client.get(f"{reverse('referral_start')}?activity={full.pk}")
    text = page.content.decode()

    assert "Full Walk is full just now" in text
    assert "Park Walk" in text and f"?activity={other.pk}" in text
    assert 'action="/referrals/start/"' not in text  # no form
    # Posting anyway starts nothing.
    client.post(reverse("referral_start"), {"activity": [full.pk]})
    assert client.get(reverse("referral_question", args=["name"])).status_code == 400


def test_self_referral_end_to_end_saves_nothing_until_sent(client, activity_a, activity_b):
    _, started = start(client, activity_a, activity_b)
    assert started["Location"] == reverse("referral_question", args=["name"])

    posted = answer_all(client, SELF_STEPS)

    assert posted[-1]["Location"] == reverse("referral_check")
    assert Referral.objects.count() == 0
    # The session holds the answers only encrypted (decoding the session shows no name).
    sessions = [json.dumps(s.get_decoded()) for s in Session.objects.all()]
    assert sessions and all(PERSON_NAME not in decoded for decoded in sessions)
    check = client.get(reverse("referral_check"))
    text = check.content.decode()
    assert PERSON_NAME in text and PERSON_EMAIL in text
    assert "Step-free way in" in text  # the vocabulary's label, not the code
    assert text.count("?change=1") == 13
    assert crisis_notice_on(check)

    sent = client.post(reverse("referral_check"), {"token": check.context["form"]["token"].value()})

    assert sent["Location"] == reverse("referral_sent")
    referral = Referral.objects.get()
    assert referral.route == Route.SELF
    assert referral.consent_given_by == ConsentBy.PERSON
    assert referral.privacy_notice_version == "2026-12"
    assert referral.details["name"] == PERSON_NAME
    assert referral.details["access_needs"] == ["step_free_entrance", "quiet_space"]
    assert referral.details["may_leave_message"] is True
    assert set(referral.destinations.values_list("provider", flat=True)) == {
        activity_a.provider_id,
        activity_b.provider_id,
    }
    confirmation = client.get(reverse("referral_sent"))
    assert referral.reference in confirmation.content.decode()
    assert "What happens next" in confirmation.content.decode()
    for response in [started, *posted, sent]:
        assert PERSON_NAME not in response["Location"]
        assert "zebedee" not in response["Location"].lower()


def test_change_link_returns_to_check_your_answers(client, activity_a):
    start(client, activity_a)
    answer_all(client, SELF_STEPS)

    changed = client.post(
        reverse("referral_question", args=["name"]) + "?change=1", {"name": "Ada Lovelace"}
    )

    assert changed["Location"] == reverse("referral_check")
    assert "Ada Lovelace" in client.get(reverse("referral_check")).content.decode()


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("name", {"name": ""}, "Enter full name"),
        ("contact", {"contact_method": "email", "email": ""}, "Enter a email address"),
        ("contact", {"contact_method": "email", "email": "not an email"}, "like name@example"),
        ("contact", {"contact_method": "pigeon"}, "Select a valid choice"),
        ("times", {"may_leave_message": "perhaps"}, "Choose yes or no"),
        ("access", {"access_needs": ["jetpack"]}, "Select a valid choice"),
        ("hopes", {"hopes": "x" * 1001}, "1,000 characters"),
        ("consent", {}, "Tick the box"),
    ],
)
def test_bad_answers_get_a_clear_message_and_keep_earlier_ones(
    client, activity_a, slug, data, message
):
    start(client, activity_a)
    client.post(reverse("referral_question", args=["name"]), ANSWERS["name"])

    response = client.post(reverse("referral_question", args=[slug]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    again = client.get(reverse("referral_question", args=["name"]))
    assert PERSON_NAME in again.content.decode()


def test_check_sends_you_back_to_an_unanswered_question(client, activity_a):
    start(client, activity_a)
    client.post(reverse("referral_question", args=["name"]), ANSWERS["name"])

    response = client.get(reverse("referral_check"))

    assert response["Location"] == reverse("referral_question", args=["contact"])


@pytest.mark.parametrize(
    "url",
    ["/referrals/questions/name/", "/referrals/check/", "/referrals/sent/"],
)
def test_without_a_journey_pages_say_start_again(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Please start again" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["activity=999999", "activity=abc", "", "ids=1,,x", "activity=" + "9" * 40]
)
def test_unknown_activities_are_a_clear_404(client, db, query):
    assert client.get(f"/referrals/start/?{query}").status_code == 404


def test_unknown_question_is_404(client, activity_a):
    start(client, activity_a)
    assert client.get("/referrals/questions/referrer/").status_code == 404  # not for self
    assert client.get("/referrals/questions/nope/").status_code == 404


def test_honeypot_and_too_fast_are_refused_and_nothing_is_saved(client, activity_a, settings):
    start(client, activity_a)
    answer_all(client, SELF_STEPS)
    token = client.get(reverse("referral_check")).context["form"]["token"].value()

    trapped = client.post(reverse("referral_check"), {"token": token, "website": "spam"})
    settings.REPORT_MIN_SECONDS = 3600
    too_fast = client.post(reverse("referral_check"), {"token": token})
    forged = client.post(reverse("referral_check"), {"token": "forged"})

    assert [r.status_code for r in (trapped, too_fast, forged)] == [400, 400, 400]
    assert "Leave the" in trapped.content.decode()
    assert "too quickly" in too_fast.content.decode()
    assert Referral.objects.count() == 0
    assert PERSON_NAME in forged.content.decode()  # the answers are kept


def test_rate_limit_refuses_politely_and_keeps_the_answers(client, activity_a, settings):
    settings.REFERRAL_RATE_LIMIT_PER_HOUR = 1
    for expected in (302, 429):
        start(client, activity_a)
        answer_all(client, SELF_STEPS)
        token = client.get(reverse("referral_check")).context["form"]["token"].value()
        response = client.post(reverse("referral_check"), {"token": token})
        assert response.status_code == expected
    assert Referral.objects.count() == 1
    assert "try again in an hour" in response.content.decode()
    assert client.get(reverse("referral_check")).status_code == 200


def sent_referral(client, *activities) -> Referral:
    start(client, *activities)
    answer_all(client, SELF_STEPS)
    token = client.get(reverse("referral_check")).context["form"]["token"].value()
    client.post(reverse("referral_check"), {"token": token})
    return Referral.objects.latest("pk")


def test_status_link_shows_each_destination_and_withdraws(client, activity_a):
    referral = sent_referral(client, activity_a)
    link = client.get(reverse("referral_sent")).context["status_link"]

    status = client.get(link)
    assert activity_a.provider.title in status.content.decode()
    assert PERSON_NAME not in status.content.decode()
    assert crisis_notice_on(status)

    confirm = client.get(link + "withdraw/")
    assert "Withdraw referral" in confirm.content.decode()
    withdrawn = client.post(link + "withdraw/")

    assert withdrawn["Location"] == link
    assert referral.destinations.get().state == State.WITHDRAWN
    assert "has been withdrawn" in client.get(link).content.decode()


def test_status_link_forged_or_expired_opens_nothing(client, activity_a, settings):
    referral = sent_referral(client, activity_a)
    good = status_token_make(reference=referral.reference)

    assert client.get(f"/referrals/status/{good}x/").status_code == 404
    assert client.get("/referrals/status/NWD-R-AAAAAA/").status_code == 404
    settings.REFERRAL_STATUS_LINK_DAYS = -1
    assert client.get(f"/referrals/status/{good}/").status_code == 404


def test_referrer_journey_records_their_consent_and_lists_it(client, activity_a, referrer):
    client.force_login(referrer)
    start(client, activity_a)
    answer_all(client, REFERRER_STEPS)
    token = client.get(reverse("referral_check")).context["form"]["token"].value()
    client.post(reverse("referral_check"), {"token": token})

    referral = Referral.objects.get()
    assert (referral.route, referral.consent_given_by) == (Route.REFERRER, ConsentBy.REFERRER)
    assert referral.referred_by == referrer
    assert referral.details["referrer_organisation"] == "Picton Practice"
    mine = client.get(reverse("referrals_mine"))
    assert referral.reference in mine.content.decode()
    assert PERSON_NAME not in mine.content.decode()


def test_mine_is_only_for_referrers(client, editor_a):
    assert client.get(reverse("referrals_mine"))["Location"].startswith("/admin/login/")
    client.force_login(editor_a)
    assert client.get(reverse("referrals_mine")).status_code == 403


def test_navigators_route_from_the_home_page(client, db):
    page = client.get(reverse("referral_navigators"))
    assert crisis_notice_on(page)
    client.post(reverse("referral_navigators"))
    answer_all(client, SELF_STEPS)
    token = client.get(reverse("referral_check")).context["form"]["token"].value()
    client.post(reverse("referral_check"), {"token": token})

    destination = Referral.objects.get().destinations.get()
    assert destination.provider_id is None and destination.state == State.NEW
