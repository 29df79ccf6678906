"""Find a group for someone (/find/): what fits, what is left out, near misses, and privacy."""

import datetime as dt
import logging
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from activities import finder
from activities.enums import ActivityKind, CapacityStatus, SupportLevel
from activities.finder.forms import FinderForm
from activities.models import ActivityPage
from activities.selectors import with_display_data
from tests.activities.finder.support import BELLE_VALE, NEAR, ONLINE, ORIGIN_POSTCODE, WALTON
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    AudienceFactory,
    CategoryFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
from tests.support.dates import THURSDAY, TUESDAY, today
from tests.support.schedules import weekly
from venues.accessibility import FeatureStatus
from venues.geo import distance_miles, locate_postcode

pytestmark = pytest.mark.django_db

ORIGIN = ORIGIN_POSTCODE.replace(" ", "+")  # in a query string


def miles_from_origin(place: dict) -> float:
    return distance_miles(
        locate_postcode(ORIGIN_POSTCODE).point, (place["latitude"], place["longitude"])
    )


def fitting_group(title="Good Group", *, place=NEAR, weekday=TUESDAY, **kwargs) -> ActivityPage:
    """Free, self-referral, on a Tuesday morning at a venue 0.4 miles from L1 4DN."""
    activity = ActivityFactory(title=title, venue=VenueFactory(**place), **kwargs)
    weekly(activity, weekday=weekday)
    return activity


def search(client, query: str, *, status=200):
    response = client.get(f"/find/?postcode={ORIGIN}&{query}")
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def shown(response) -> tuple[list[str], list[str]]:
    result = response.context["result"]
    return [a.activity.title for a in result.good], [a.activity.title for a in result.near]


def situation_for(query: str) -> finder.Situation:
    form = FinderForm(QueryDict(f"postcode={ORIGIN}&{query}"))
    assert form.is_valid(), form.errors
    return form.situation()


def assess(activity, query: str) -> finder.Assessment:
    """Judge one activity in Python alone, without the SQL pre-filter."""
    loaded = with_display_data(ActivityPage.objects.filter(pk=activity.pk)).get()
    return finder.assess(loaded, situation=situation_for(query), today=today())


# --- The form -------------------------------------------------------------------------------


def test_finder_without_answers_shows_the_form_and_privacy_promise(client):
    response = client.get("/find/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"] is None
    assert "We do not store anything you enter here." in html
    for legend in ("Where they are", "When they can go", "Access needs", "Joining and support"):
        assert f"<legend><h2>{legend}</h2></legend>" in html
    assert "<legend>Getting in and around</legend>" in html
    assert '<label for="id_postcode">Their postcode' in html
    assert 'method="get"' in html


def test_finder_submit_lands_on_the_results_below_the_long_form(client):
    fitting_group("Good Group")

    html = search(client, "days=tue").content.decode()

    # A GET submit keeps the action's fragment, so the browser scrolls to the results.
    assert 'action="/find/#results"' in html
    assert (
        '<section aria-labelledby="good-title" class="results finder-results" id="results">' in html
    )
    jump = '<a href="#results">1 good fit and 0 near misses: go to the results</a>'
    assert html.index(jump) < html.index("<form")


def test_finder_without_answers_has_no_results_link(client):
    html = client.get("/find/").content.decode()

    assert 'href="#results"' not in html


def test_finder_bad_postcode_is_a_400_with_an_error_summary_linking_to_the_field(client):
    response = client.get("/find/?postcode=L99+9ZZ&radius=3")

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["result"] is None
    assert (
        '<a href="#id_postcode">Their postcode: We could not find the postcode L99 9ZZ. '
        "Check it and try again.</a>" in html
    )
    assert 'aria-invalid="true"' in html


def test_finder_needs_a_postcode_unless_online_only(client):
    fitting_group()
    online = ActivityFactory(title="Online Group", venue=None, **ONLINE)
    weekly(online)

    missing = client.get("/find/?where=either&radius=3")
    online_only = client.get("/find/?where=online")

    assert missing.status_code == 400
    assert "Enter their postcode (or the first part, like L8), or choose “Online only”." in (
        missing.content.decode()
    )
    assert online_only.status_code == 200
    assert shown(online_only) == (["Online Group"], [])


def test_finder_link_without_where_or_radius_shows_the_defaults_it_uses(client):
    response = client.get(f"/find/?postcode={ORIGIN}")

    html = response.content.decode()
    assert response.context["form"].situation().radius_miles == 3.0
    assert 'value="either" id="id_where_0" checked' in html
    assert '<option value="3" selected>3 miles</option>' in html


def test_finder_bad_radio_choice_links_to_the_first_radio(client):
    response = search(client, "support=lots", status=400)

    assert '<a href="#id_support_0">How much support do they need?: Select a valid choice.' in (
        response.content.decode()
    )


# --- What fits, and why ---------------------------------------------------------------------


def test_finder_lists_a_group_that_fits_with_reasons_that_are_true(client):
    women = AudienceFactory(name="Women", slug="women", restriction="women")
    activity = fitting_group("Women's Walk", audiences=[women], cost="Free")
    VenueFeatureFactory(venue=activity.venue, code="step_free_entrance")

    response = search(
        client,
        "radius=1&days=tue&days=fri&times=morning&access=step_free_entrance"
        "&single_sex=women&free_only=on&referral=self",
    )

    assert shown(response) == (["Women's Walk"], [])
    fit = response.context["result"].good[0]
    assert fit.fits == [
        f"{miles_from_origin(NEAR):.1f} miles away",
        "Meets on Tuesdays, one of the days you chose",
        "Starts at 10:00, in the morning, a time of day you chose",
        "For women",
        "Step-free way in",
        "Free",
        "They can refer themselves or just come along",
    ]
    html = response.content.decode()
    assert "<li>Meets on Tuesdays, one of the days you chose</li>" in html
    assert "<li>0.4 miles away</li>" in html


def test_finder_says_what_to_check_before_referring(client):
    activity = fitting_group(
        "Recovery Course",
        kind=ActivityKind.COURSE,
        who_for="Adults with low mood",
        not_suitable_for="People in crisis",
        age_min=18,
        age_max=65,
        cost="£2",
        self_referral=False,
        professional_referral=True,
        booking_required=True,
        how_to_join="Fill in the referral form.",
        referrer_needs="Their name, phone number and GP.",
        capacity_status=CapacityStatus.FEW_PLACES,
        capacity_updated=dt.date(2026, 3, 3),
        contact_phone="0151 555 0100",
        engagement_limit_weeks=26,
    )

    response = search(client, "radius=3")

    fit = response.context["result"].good[0]
    assert fit.activity == activity
    assert [(c.label, c.text) for c in fit.checks] == [
        ("Who it suits", "Adults with low mood"),
        ("Who it may not suit", "People in crisis"),
        ("Ages", "Ages 18 to 65"),
        ("Length", "Course. You can attend for up to 26 weeks (about 6 months)"),
        ("Places", "A few places left (updated 3 March 2026)"),
        ("Cost", "£2"),
        (
            "How to join",
            "You need to be referred by a professional (such as a social prescriber). "
            "Booking needed. Fill in the referral form.",
        ),
        ("What they need to know", "Their name, phone number and GP."),
        ("Phone", "0151 555 0100"),
    ]
    html = response.content.decode()
    assert '<a href="tel:01515550100">0151 555 0100</a>' in html
    assert "Check before referring" in html


def test_finder_shows_title_link_provider_and_next_session(client):
    activity = fitting_group("Art Club")

    html = search(client, "radius=3").content.decode()

    assert f'<a href="{activity.url}">Art Club</a>' in html
    assert activity.provider.title in html
    assert "10:00 to 12:00" in html
    assert "shortlist-form" in html  # the shortlist button's place in each result


def test_finder_shows_single_sex_groups_marked_by_default_and_first_when_chosen(client):
    women = AudienceFactory(name="Women", slug="women", restriction="women")
    men = AudienceFactory(name="Men", slug="men", restriction="men")
    fitting_group("A Mixed Group")
    fitting_group("B Women's Group", audiences=[women])
    fitting_group("C Men's Group", audiences=[men])

    default = search(client, "radius=3")
    for_women = search(client, "radius=3&single_sex=women")
    women_only = search(client, "radius=3&single_sex=women_only")
    mixed = search(client, "radius=3&single_sex=mixed")

    assert shown(default) == (["A Mixed Group", "B Women's Group", "C Men's Group"], [])
    assert "Women only: check this suits them" in default.content.decode()
    assert "Men only: check this suits them" in default.content.decode()
    assert shown(for_women) == (["B Women's Group", "A Mixed Group"], [])
    assert shown(women_only) == (["B Women's Group"], [])
    assert shown(mixed) == (["A Mixed Group"], [])


@pytest.mark.parametrize(
    ("old_query", "expected"),
    [
        ("groups_for=&single_sex=", ["A Mixed Group", "B Women's Group", "C Men's Group"]),
        ("groups_for=women", ["B Women's Group", "A Mixed Group"]),
        ("groups_for=women&single_sex=prefer", ["B Women's Group", "A Mixed Group"]),
        ("groups_for=men&single_sex=only", ["C Men's Group"]),
        ("groups_for=women&single_sex=avoid", ["A Mixed Group"]),
        ("single_sex=avoid", ["A Mixed Group"]),
        ("single_sex=prefer", ["A Mixed Group", "B Women's Group", "C Men's Group"]),
    ],
)
def test_finder_old_single_sex_links_keep_working(client, old_query, expected):
    women = AudienceFactory(name="Women", slug="women", restriction="women")
    men = AudienceFactory(name="Men", slug="men", restriction="men")
    fitting_group("A Mixed Group")
    fitting_group("B Women's Group", audiences=[women])
    fitting_group("C Men's Group", audiences=[men])

    response = search(client, f"radius=3&{old_query}")

    assert response.status_code == 200
    assert shown(response) == (expected, [])


def test_finder_online_only_person_takes_a_hybrid_group_online(client):
    hybrid = fitting_group("Hybrid Group", **ONLINE)
    VenueFeatureFactory(venue=hybrid.venue, code="step_free_entrance", status=FeatureStatus.NO)

    response = client.get("/find/?where=online&access=step_free_entrance")

    assert shown(response) == (["Hybrid Group"], [])
    fit = response.context["result"].good[0]
    assert fit.mode == finder.Mode.ONLINE
    assert fit.fits == ["Online", "Online, so step-free way in does not apply", "Free"]


def test_finder_ranks_a_chosen_language_first_then_nearest(client):
    fitting_group("Near English Group")
    fitting_group("Far Arabic Group", place=WALTON, languages="Arabic, Somali")
    fitting_group("Far English Group", place=WALTON)
    fitting_group("Near Arabic Group", languages="arabic")

    response = search(client, "radius=3&language=Arabic")

    assert shown(response)[0] == ["Near Arabic Group", "Far Arabic Group"]
    assert response.context["result"].good[0].fits[1] == "Sessions in Arabic"


def test_finder_offers_languages_from_the_listings(client):
    fitting_group("One", languages="Somali, Arabic")
    fitting_group("Two", languages="arabic, Polish")

    form = client.get("/find/").context["form"]

    assert form.fields["language"].choices == [
        ("", "English is fine"),
        ("Arabic", "Arabic"),
        ("Polish", "Polish"),
        ("Somali", "Somali"),
    ]


def test_finder_caps_results_and_says_how_many(client):
    for i in range(4):
        fitting_group(f"Group {i}")
    for i in range(3):
        fitting_group(f"Walton {i}", place=WALTON)

    result = finder.find(
        situation=situation_for("radius=2"), today=today(), good_limit=3, near_limit=2
    )

    assert (result.good_count, len(result.good)) == (4, 3)
    assert (result.near_count, len(result.near)) == (3, 2)


def test_finder_page_says_when_it_shows_only_the_best(client):
    for i in range(finder.GOOD_LIMIT + 1):
        fitting_group(f"Group {i:02d}")

    html = search(client, "radius=3").content.decode()

    assert f"Showing the best {finder.GOOD_LIMIT} of {finder.GOOD_LIMIT + 1}." in html
    assert html.count('class="card finder-card"') == finder.GOOD_LIMIT


# --- Hard mismatches: never shown -----------------------------------------------------------


def _restricted(restriction):
    def setup():
        audience = AudienceFactory(slug=restriction, restriction=restriction)
        return fitting_group("Mismatch", audiences=[audience])

    return setup


def _venue_feature_no():
    activity = fitting_group("Mismatch")
    VenueFeatureFactory(venue=activity.venue, code="step_free_entrance", status=FeatureStatus.NO)
    return activity


def _activity_feature_no():
    activity = fitting_group("Mismatch")
    ActivityFeatureFactory(activity=activity, code="bsl_interpreter", status=FeatureStatus.NO)
    return activity


def _online_only():
    activity = ActivityFactory(title="Mismatch", venue=None, **ONLINE)
    weekly(activity)
    return activity


def _finished_course():
    activity = ActivityFactory(title="Mismatch", venue=VenueFactory(**NEAR), kind="course")
    ScheduleFactory(activity=activity, first_date=today() - dt.timedelta(weeks=10), sessions=6)
    return activity


def _in_topic(slug):
    def setup():
        return fitting_group("Mismatch", categories=[CategoryFactory(slug=slug)])

    return setup


HARD_MISMATCHES = {
    "man_and_women_only_group": (_restricted("women"), "single_sex=men", "For women only"),
    "woman_and_mens_group": (_restricted("men"), "single_sex=women", "For men only"),
    "would_rather_not_single_sex": (
        _restricted("women"),
        "single_sex=mixed",
        "It is a women-only group",
    ),
    "only_single_sex_and_mixed_group": (
        lambda: fitting_group("Mismatch"),
        "single_sex=women_only",
        "Open to everyone, not a women-only group",
        "women",
    ),
    "too_young": (lambda: fitting_group("Mismatch", age_min=18), "age=16", "For ages 18 and over"),
    "too_old": (lambda: fitting_group("Mismatch", age_max=25), "age=40", "For ages up to 25"),
    "venue_access_recorded_no": (
        _venue_feature_no,
        "access=step_free_entrance",
        "Step-free way in: no",
    ),
    "session_access_recorded_no": (
        _activity_feature_no,
        "access=bsl_interpreter",
        "BSL interpreter at sessions (or on request): no",
    ),
    "not_free": (lambda: fitting_group("Mismatch", cost="£3"), "free_only=on", "Costs £3"),
    "online_only_person_in_person_group": (
        lambda: fitting_group("Mismatch"),
        "where=online",
        "Meets in person only",
    ),
    "in_person_only_person_online_group": (_online_only, "where=in_person", "Online only"),
    "no_usable_referral_route": (
        lambda: fitting_group("Mismatch", self_referral=False, gp_referral=True),
        "referral=self&referral=professional",
        "No way to join that they can use",
    ),
    "more_than_twice_the_distance": (
        lambda: fitting_group("Mismatch", place=BELLE_VALE),
        "radius=2",
        "4.8 miles away",
    ),
    "wrong_day_and_wrong_time": (
        lambda: fitting_group("Mismatch", weekday=THURSDAY),
        "days=tue&times=evening",
        "Runs on Thursdays; starts at 10:00, in the morning",
    ),
    "needs_structured_support_group_is_peer_led": (
        lambda: fitting_group("Mismatch", support_level=SupportLevel.PEER),
        "support=structured",
        "Peer-led, light touch: less support than they need",
    ),
    "not_a_chosen_topic": (_in_topic("walking"), "interests=art", "Not one of the topics chosen"),
    "finished": (_finished_course, "", None),
}


@pytest.mark.parametrize("case", HARD_MISMATCHES.keys())
def test_finder_leaves_out_a_hard_mismatch(client, case):
    setup, query, reason, *restriction = HARD_MISMATCHES[case]
    mismatch = setup()
    # In person and online, in the chosen topic: fits every case's answers.
    audiences = [AudienceFactory(slug=r, restriction=r) for r in restriction]
    control = fitting_group(
        "Control", categories=[CategoryFactory(slug="art")], audiences=audiences, **ONLINE
    )

    response = search(client, f"radius=3&{query}")

    good, near = shown(response)
    assert "Mismatch" not in good + near
    assert control.title in good + near  # the same answers still find something
    if reason is not None:  # Python agrees without the SQL pre-filter, and says why
        assert assess(mismatch, f"radius=3&{query}").excluded == reason


def test_finder_leaves_out_two_soft_mismatches(client):
    fitting_group("Two Misses", place=WALTON, weekday=THURSDAY)

    response = search(client, "radius=2&days=tue")

    assert shown(response) == ([], [])


# --- Near misses: one thing does not fit, and it says what ------------------------------------


def _unknown_hearing_loop():
    return fitting_group("Near")


NEAR_MISSES = {
    "different_day": (
        lambda: fitting_group("Near", weekday=THURSDAY),
        "days=tue&days=wed",
        "Runs on Thursdays",
    ),
    "a_bit_beyond_the_radius": (
        lambda: fitting_group("Near", place=WALTON),
        "radius=2",
        f"{miles_from_origin(WALTON):.1f} miles away",
    ),
    "time_of_day": (
        lambda: weekly(
            ActivityFactory(title="Near", venue=VenueFactory(**NEAR)),
            start=dt.time(18, 30),
            end=dt.time(20, 0),
        ),
        "days=tue&times=morning",
        "Starts at 18:30, in the evening",
    ),
    "access_not_known": (_unknown_hearing_loop, "access=hearing_loop", "Hearing loop: not known"),
    "waiting_list": (
        lambda: fitting_group("Near", capacity_status=CapacityStatus.WAITING_LIST),
        "",
        "Waiting list at the moment",
    ),
    "full": (
        lambda: fitting_group("Near", capacity_status=CapacityStatus.FULL),
        "",
        "Full at the moment",
    ),
    "one_step_less_support": (
        lambda: fitting_group("Near", support_level=SupportLevel.PEER),
        "support=facilitated",
        "Peer-led, light touch: may be less support than they need",
    ),
    "language": (lambda: fitting_group("Near"), "language=Arabic", "Not run in Arabic"),
}


@pytest.mark.parametrize("case", NEAR_MISSES.keys())
def test_finder_explains_a_near_miss(client, case):
    setup, query, wording = NEAR_MISSES[case]
    setup()
    fitting_group("Other", languages="Arabic")  # keeps the language choice valid

    response = search(client, f"radius=2&{query}")

    result = response.context["result"]
    near = [a for a in result.near if a.activity.title == "Near"]
    assert [a.misses for a in near] == [[wording]]
    assert "Near" not in [a.activity.title for a in result.good]
    html = response.content.decode()
    assert f"<li>{wording}</li>" in html
    assert "What does not fit" in html


def test_finder_walton_is_two_and_a_half_miles_away():
    # Guards the near-miss wording above against a change in the postcode data.
    assert f"{miles_from_origin(WALTON):.1f}" == "2.5"


def test_finder_near_miss_distance_limit_follows_the_documented_rule():
    def limit(radius):
        return finder.Situation(radius_miles=radius).near_miss_miles

    assert [limit(r) for r in (1, 2, 3, 5, 10)] == [2, 3, 4.5, 7.5, 15]


def test_finder_support_level_not_recorded_is_something_to_check(client):
    fitting_group("Unknown Support")

    fit = search(client, "radius=3&support=structured").context["result"].good[0]

    assert ("Support", "Not recorded: ask how much support it gives") in [
        (c.label, c.text) for c in fit.checks
    ]


# --- Never stores or logs the answers -------------------------------------------------------

ANSWERS = "postcode=L8+1AA&radius=5&days=tue&age=47&access=hearing_loop&single_sex=women"


def test_finder_issues_no_writes_to_the_database(client):
    fitting_group()

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/find/?{ANSWERS}")

    assert response.status_code == 200
    verbs = {_verb(query["sql"]) for query in ctx.captured_queries}
    assert verbs & {"INSERT", "UPDATE", "DELETE", "REPLACE"} == set()
    assert verbs == {"SELECT"}


def _verb(sql: str) -> str:
    """The statement's verb; PostgreSQL's server-side cursors (the form's choice lists are
    read with .iterator()) wrap a SELECT as `DECLARE ... CURSOR FOR SELECT ...`."""
    sql = sql.lstrip()
    if sql.upper().startswith("DECLARE ") and " CURSOR FOR " in sql.upper():
        sql = sql[sql.upper().index(" CURSOR FOR ") + len(" CURSOR FOR ") :]
    return sql.split(None, 1)[0].upper()


@pytest.mark.parametrize(
    "query", [ANSWERS, "postcode=L8+1AB+Flat+2&radius=5", "postcode=L99+9ZZ&age=47"]
)
def test_finder_logs_nothing_of_the_answers(client, caplog, query):
    fitting_group()
    caplog.set_level(logging.DEBUG)  # the root logger: every logger propagates here
    for name in ("django", "django.request", "django.server", "django.db.backends"):
        caplog.set_level(logging.DEBUG, logger=name)

    client.get(f"/find/?{query}")

    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r} {record.__dict__!r}".upper()
        for secret in ("L8 1A", "L81A", "L8+1A", "L99", "FLAT", "47"):
            assert secret not in text, record


def test_finder_sets_no_cookie_and_forbids_caching_and_referrers(client):
    fitting_group()

    with_results = client.get(f"/find/?{ANSWERS}")
    with_error = client.get("/find/?postcode=L99+9ZZ")

    assert with_error.cookies == {}
    # The only cookie ever set is Django's random CSRF token, for the shortlist buttons'
    # POST forms; none of the answers is in it and there is no session.
    assert set(with_results.cookies) <= {"csrftoken"}
    for cookie in with_results.cookies.values():
        # Django's random secret and nothing else (a random token can hold "L8" by chance).
        assert re.fullmatch(r"[A-Za-z0-9]{32}", cookie.value)
        assert not any(answer in cookie.value for answer in ("L81AA", "hearing", "women"))
    for response in (with_results, with_error):
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "strict-origin"  # the origin only, never the answers


# --- Cost -----------------------------------------------------------------------------------


def _finder_queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/find/?{query}")
    assert response.status_code == 200
    return len(ctx)


def _add_rich_activities(n: int, *, start: int):
    art = CategoryFactory(name="Art", slug="art")
    women = AudienceFactory(name="Women", slug="women", restriction="women")
    carers = AudienceFactory(name="Carers", slug="carers")
    for i in range(start, start + n):
        venue = VenueFactory(**NEAR)
        VenueFeatureFactory(venue=venue, code="step_free_entrance")
        VenueFeatureFactory(venue=venue, code="quiet_space")
        activity = ActivityFactory(
            title=f"Group {i:03d}",
            venue=venue,
            categories=[art],
            audiences=[women, carers],
            languages="Arabic",
        )
        ActivityFeatureFactory(activity=activity, code="small_group")
        weekly(activity, weekday=TUESDAY)
        weekly(activity, weekday=THURSDAY)


@pytest.mark.parametrize(
    "query",
    [
        f"postcode={ORIGIN}&radius=3",
        f"postcode={ORIGIN}&radius=3&days=tue&access=step_free_entrance&access=hearing_loop"
        "&interests=art&single_sex=women&language=Arabic&support=facilitated",
    ],
)
def test_finder_query_count_does_not_grow_with_activities(client, query):
    _add_rich_activities(3, start=0)
    _finder_queries(client, query)  # warms the site caches page URLs use; not counted
    few = _finder_queries(client, query)

    _add_rich_activities(30, start=3)
    many = _finder_queries(client, query)

    assert many == few
