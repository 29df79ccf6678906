"""The browse page: each filter narrows the list in SQL, and the page shows what it promises."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.enums import ActivityKind
from activities.wording import relative_date
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    AudienceFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
from tests.support.browse import browse_titles
from tests.support.dates import (
    FRIDAY,
    MONDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    next_weekday,
    weekday_on_or_after,
)
from tests.support.schedules import weekly

pytestmark = pytest.mark.django_db

CITY_CENTRE = {"latitude": 53.40379, "longitude": -2.97922, "postcode": "L1 4DN"}  # L1 4DN
BELLE_VALE = {"latitude": 53.38981, "longitude": -2.86501, "postcode": "L25 2RA"}  # ~4.8 mi away
WALTON = {"latitude": 53.43921, "longitude": -2.96701, "postcode": "L4 4EL"}  # ~2.5 mi away

# The browse page reads the clock itself: slots here count from the site's today (`weekly`
# does by default), never from a fixed date.


def test_browse_lists_current_activities_with_count_and_next_date(client, today):
    activity = ActivityFactory(title="Knit and Natter", cost="£2")
    weekly(activity, weekday=WEDNESDAY, start=dt.time(13, 30), end=dt.time(15, 0))

    response = client.get("/activities/")

    nxt = weekday_on_or_after(today, WEDNESDAY)
    html = response.content.decode()
    assert "1 activity" in html
    assert "Knit and Natter" in html
    assert f"{relative_date(nxt, today=today)}, 13:30 to 15:00" in html
    assert "£2" in html


def test_browse_drops_activities_whose_last_session_has_passed(client, today):
    finished = ActivityFactory(title="Finished course", kind=ActivityKind.COURSE)
    ScheduleFactory(activity=finished, first_date=today - dt.timedelta(weeks=10), sessions=6)
    running = ActivityFactory(title="Running course", kind=ActivityKind.COURSE)
    ScheduleFactory(activity=running, first_date=today - dt.timedelta(weeks=2), sessions=6)

    assert browse_titles(client) == ["Running course"]


def test_browse_hides_unpublished_activities(client):
    weekly(ActivityFactory(title="Draft group", live=False))
    weekly(ActivityFactory(title="Live group"))

    assert browse_titles(client) == ["Live group"]


def test_filter_text_matches_title_description_and_topic(client):
    weekly(ActivityFactory(title="Ukulele for beginners"))
    weekly(ActivityFactory(title="Tuesday social", description="Bring your ukulele along."))
    weekly(ActivityFactory(title="Strum club", categories=[CategoryFactory(name="Ukulele music")]))
    weekly(ActivityFactory(title="Walking group"))

    # Ranked: a title match first, then a topic match, then the rest.
    assert browse_titles(client, "q=ukulele") == [
        "Ukulele for beginners",
        "Strum club",
        "Tuesday social",
    ]
    assert browse_titles(client, "q=ukulele+beginners") == ["Ukulele for beginners"]


def test_filter_category_uses_stable_slugs_and_any_of(client):
    art = CategoryFactory(name="Art", slug="art")
    walk = CategoryFactory(name="Walking", slug="walking")
    weekly(ActivityFactory(title="Painting", categories=[art]))
    weekly(ActivityFactory(title="Park walk", categories=[walk]))
    weekly(ActivityFactory(title="Sketch walk", categories=[art, walk]))
    weekly(ActivityFactory(title="Cookery"))

    assert browse_titles(client, "category=art") == ["Painting", "Sketch walk"]
    assert browse_titles(client, "category=art&category=walking") == [
        "Painting",
        "Park walk",
        "Sketch walk",
    ]

    art.name = "Art and craft"
    art.save()
    assert browse_titles(client, "category=art") == ["Painting", "Sketch walk"]


def test_filter_kind(client):
    weekly(ActivityFactory(title="Course", kind=ActivityKind.COURSE))
    weekly(ActivityFactory(title="Drop-in", kind=ActivityKind.DROP_IN))

    assert browse_titles(client, "kind=drop-in") == ["Drop-in"]


def test_filter_day_and_time_must_match_the_same_slot(client):
    tue_morning = ActivityFactory(title="Tuesday morning")
    weekly(tue_morning, weekday=TUESDAY, start=dt.time(10, 0), end=dt.time(11, 0))
    split = ActivityFactory(title="Tuesday evening, Thursday morning")
    weekly(split, weekday=TUESDAY, start=dt.time(18, 0), end=dt.time(19, 0))
    weekly(split, weekday=THURSDAY, start=dt.time(9, 30), end=dt.time(11, 0))
    weekly(
        ActivityFactory(title="Friday afternoon"),
        weekday=FRIDAY,
        start=dt.time(14, 0),
        end=dt.time(15, 0),
    )

    assert browse_titles(client, "day=tue") == [
        "Tuesday evening, Thursday morning",
        "Tuesday morning",
    ]
    assert browse_titles(client, "day=tue&time=morning") == ["Tuesday morning"]
    assert browse_titles(client, "day=thu&day=fri") == [
        "Friday afternoon",
        "Tuesday evening, Thursday morning",
    ]
    assert browse_titles(client, "time=afternoon") == ["Friday afternoon"]
    assert browse_titles(client, "time=evening") == ["Tuesday evening, Thursday morning"]


def test_filter_day_ignores_slots_that_have_ended(client, today):
    activity = ActivityFactory(title="Moved from Monday to Wednesday")
    next_monday = next_weekday(MONDAY, after=today)
    ScheduleFactory(
        activity=activity,
        first_date=next_monday - dt.timedelta(weeks=8),
        last_date=next_monday - dt.timedelta(weeks=3),
    )
    weekly(activity, weekday=WEDNESDAY)

    assert browse_titles(client, "day=mon") == []
    assert browse_titles(client, "day=wed") == ["Moved from Monday to Wednesday"]


def test_filter_access_requires_every_need_and_counts_partly_but_not_unknown_or_no(client):
    step_free = VenueFactory(name="Step-free hall")
    VenueFeatureFactory(venue=step_free, code="step_free_entrance")
    VenueFeatureFactory(venue=step_free, code="hearing_loop", status="on_request")
    partly = VenueFactory(name="Ramp hall")
    VenueFeatureFactory(venue=partly, code="step_free_entrance", status="partly")
    refused = VenueFactory(name="Steps hall")
    VenueFeatureFactory(venue=refused, code="step_free_entrance", status="no")
    unknown = VenueFactory(name="Unknown hall")

    weekly(ActivityFactory(title="A at step-free", venue=step_free))
    weekly(ActivityFactory(title="B at ramp", venue=partly))
    weekly(ActivityFactory(title="C at steps", venue=refused))
    weekly(ActivityFactory(title="D at unknown", venue=unknown))

    assert browse_titles(client, "access=step_free_entrance") == ["A at step-free", "B at ramp"]
    assert browse_titles(client, "access=step_free_entrance&access=hearing_loop") == [
        "A at step-free"
    ]


def test_filter_access_uses_activity_features_for_session_codes(client):
    small = ActivityFactory(title="Small group")
    weekly(small)
    ActivityFeatureFactory(activity=small, code="small_group")
    weekly(ActivityFactory(title="Big group"))

    assert browse_titles(client, "access=small_group") == ["Small group"]


def test_filter_online_free_and_referral(client):
    weekly(
        ActivityFactory(
            title="Zoom social", online=True, venue=None, meeting_link="https://example.org/z"
        )
    )
    weekly(ActivityFactory(title="Hall group", cost="£3", self_referral=False, gp_referral=True))
    weekly(ActivityFactory(title="Free hall group", cost="Free"))

    assert browse_titles(client, "online=yes") == ["Zoom social"]
    assert browse_titles(client, "online=no") == ["Free hall group", "Hall group"]
    assert browse_titles(client, "free=on") == ["Free hall group", "Zoom social"]
    assert browse_titles(client, "referral=gp") == ["Hall group"]
    assert browse_titles(client, "referral=self") == ["Free hall group", "Zoom social"]


def test_filter_audience_and_provider(client):
    women = AudienceFactory(name="Women", slug="women", restriction="women")
    msh = ProviderFactory(title="Mary Seacole House")
    weekly(ActivityFactory(title="Women's wellbeing", audiences=[women], parent=msh))
    weekly(ActivityFactory(title="Open group", parent=msh))
    weekly(ActivityFactory(title="Elsewhere"))

    assert browse_titles(client, "audience=women") == ["Women's wellbeing"]
    assert browse_titles(client, "provider=mary-seacole-house") == [
        "Open group",
        "Women's wellbeing",
    ]


def test_filter_postcode_radius_narrows_and_sorts_by_distance(client):
    weekly(ActivityFactory(title="Belle Vale group", venue=VenueFactory(**BELLE_VALE)))
    weekly(ActivityFactory(title="City centre group", venue=VenueFactory(**CITY_CENTRE)))
    weekly(ActivityFactory(title="Walton group", venue=VenueFactory(**WALTON)))
    weekly(
        ActivityFactory(
            title="Online only", online=True, venue=None, meeting_link="https://example.org"
        )
    )

    assert browse_titles(client, "postcode=L1+4DN&radius=1") == ["City centre group"]
    assert browse_titles(client, "postcode=l14dn&radius=3") == ["City centre group", "Walton group"]
    assert browse_titles(client, "postcode=L1 4DN&radius=5") == [
        "City centre group",
        "Walton group",
        "Belle Vale group",
    ]
    # No radius: everything, nearest first, online (no distance) last.
    assert browse_titles(client, "postcode=L25+2RA") == [
        "Belle Vale group",
        "City centre group",
        "Walton group",
        "Online only",
    ]


def test_filter_postcode_shows_distance_in_miles(client):
    weekly(ActivityFactory(title="Walton group", venue=VenueFactory(**WALTON)))

    html = client.get("/activities/?postcode=L1+4DN").content.decode()

    assert re.search(r"\(2\.\d miles away\)", html)


def test_filter_postcode_district_only_is_accepted(client):
    weekly(ActivityFactory(title="City centre group", venue=VenueFactory(**CITY_CENTRE)))
    weekly(ActivityFactory(title="Belle Vale group", venue=VenueFactory(**BELLE_VALE)))

    assert browse_titles(client, "postcode=L1&radius=2") == ["City centre group"]


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("not a postcode", "is not a full UK postcode"),
        ("L99 9ZZ", "We could not find"),
    ],
)
def test_filter_bad_postcode_gives_a_clear_message_not_an_empty_list(client, postcode, message):
    weekly(ActivityFactory(title="Sewing circle"))

    response = client.get("/activities/", {"postcode": postcode, "radius": "2"})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "There is a problem" in html
    assert "Sewing circle" not in html
    assert "0 activities" not in html


def test_filter_unknown_access_code_is_reported(client):
    response = client.get("/activities/?access=jetpack")

    assert response.status_code == 400
    assert "jetpack is not one of the available choices" in response.content.decode()


def test_filters_combine(client):
    art = CategoryFactory(name="Art", slug="art")
    near = VenueFactory(**CITY_CENTRE)
    VenueFeatureFactory(venue=near, code="step_free_entrance")
    far = VenueFactory(**BELLE_VALE)
    VenueFeatureFactory(venue=far, code="step_free_entrance")
    weekly(ActivityFactory(title="Match", categories=[art], venue=near), weekday=TUESDAY)
    weekly(ActivityFactory(title="Wrong day", categories=[art], venue=near), weekday=WEDNESDAY)
    weekly(ActivityFactory(title="Too far", categories=[art], venue=far), weekday=TUESDAY)
    weekly(
        ActivityFactory(title="Not free", categories=[art], venue=near, cost="£5"), weekday=TUESDAY
    )
    weekly(ActivityFactory(title="Other topic", venue=near), weekday=TUESDAY)

    query = "category=art&day=tue&access=step_free_entrance&postcode=L1+4DN&radius=2&free=on"
    assert browse_titles(client, query) == ["Match"]


def test_browse_paginates_and_keeps_the_query_string(client, settings):
    settings.BROWSE_PAGE_SIZE = 2
    for n in range(5):
        weekly(ActivityFactory(title=f"Group {n}"), weekday=TUESDAY)

    first = client.get("/activities/?day=tue")
    third = client.get("/activities/?day=tue&page=3")

    assert [r.activity.title for r in first.context["result"].rows] == ["Group 0", "Group 1"]
    assert "?day=tue&amp;page=2" in first.content.decode()
    assert [r.activity.title for r in third.context["result"].rows] == ["Group 4"]
    assert "5 activities" in third.content.decode()


def test_browse_escapes_user_supplied_text(client):
    weekly(ActivityFactory(title="<script>alert(1)</script> Group"))

    html = client.get("/activities/?q=%3Cscript%3E").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Group" in html


def _browse_queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/activities/?{query}")
    assert response.status_code == 200
    return len(ctx)


def _add_rich_activities(n: int, *, start: int):
    art = CategoryFactory(name="Art", slug="art")
    women = AudienceFactory(name="Women", slug="women")
    for i in range(start, start + n):
        venue = VenueFactory(**CITY_CENTRE)
        VenueFeatureFactory(venue=venue, code="step_free_entrance")
        VenueFeatureFactory(venue=venue, code="quiet_space")
        activity = ActivityFactory(
            title=f"Group {i:03d}", venue=venue, categories=[art], audiences=[women]
        )
        ActivityFeatureFactory(activity=activity, code="small_group")
        weekly(activity, weekday=TUESDAY)
        weekly(activity, weekday=THURSDAY)


@pytest.mark.parametrize(
    "query", ["", "day=tue&access=step_free_entrance&postcode=L1+4DN&radius=3"]
)
def test_browse_query_count_does_not_grow_with_activities(client, settings, query):
    settings.BROWSE_PAGE_SIZE = 50
    _add_rich_activities(3, start=0)
    _browse_queries(client, query)  # warms the site caches page URLs use; not counted
    few = _browse_queries(client, query)

    _add_rich_activities(30, start=3)
    many = _browse_queries(client, query)

    assert many == few
