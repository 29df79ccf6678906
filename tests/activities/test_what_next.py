"""“What you can go on to” after a course or an engagement limit, and finished courses."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.enums import ActivityKind, Frequency
from activities.models import ActivityPage
from activities.selectors import activity_list_current, with_display_data
from activities.what_next import is_time_limited, what_next
from tests.factories import (
    ActivityFactory,
    AudienceFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
)
from tests.support.dates import long_date, weekday_long_date
from venues.geo import distance_miles

# what_next takes `today`; the activity page reads the clock itself, so the page tests at the
# end count from the site's today (the `today` fixture) instead.
TODAY = dt.date(2026, 11, 25)
HERE = (53.4017, -2.9800)
# About 0.69 miles per 0.01 degree of latitude here.
MILES_PER_LAT = 69.0


def venue_north(miles: float, **kwargs):
    return VenueFactory(latitude=HERE[0] + miles / MILES_PER_LAT, longitude=HERE[1], **kwargs)


def ongoing(title, *, parent, categories, venue=None, **kwargs):
    activity = ActivityFactory(
        title=title,
        parent=parent,
        categories=categories,
        venue=venue or venue_north(0.5),
        **kwargs,
    )
    ScheduleFactory(activity=activity, first_date=TODAY - dt.timedelta(weeks=10))
    return activity


def loaded(activity) -> ActivityPage:
    return (
        with_display_data(ActivityPage.objects.filter(pk=activity.pk))
        .select_related("provider", "venue")
        .get()
    )


def suggest(activity, **kwargs):
    return what_next(
        activity=loaded(activity),
        candidates=activity_list_current(today=TODAY),
        today=TODAY,
        **kwargs,
    )


@pytest.fixture
def art(db):
    return CategoryFactory(name="Art and creativity", slug="art")


@pytest.fixture
def music(db):
    return CategoryFactory(name="Music", slug="music")


@pytest.fixture
def provider(provider_a):
    return provider_a  # Mersey Minds


@pytest.fixture
def course(provider, art):
    course = ActivityFactory(
        title="Drawing for wellbeing",
        kind=ActivityKind.COURSE,
        parent=provider,
        categories=[art],
        venue=VenueFactory(latitude=HERE[0], longitude=HERE[1]),
    )
    ScheduleFactory(activity=course, first_date=TODAY - dt.timedelta(weeks=2), sessions=6)
    return course


def titles(result):
    return [s.activity.title for s in result.suggestions]


def test_what_next_puts_providers_own_links_first_then_nearest(course, provider, art, music):
    other = ProviderFactory(title="Bold Street Wellbeing")
    far_step = ongoing("Peer support", parent=provider, categories=[music], venue=venue_north(9))
    course.next_steps.add(far_step)
    course.save()
    ongoing("Sketch club", parent=other, categories=[art], venue=venue_north(2.0))
    ongoing("Open studio", parent=other, categories=[art], venue=venue_north(0.8))

    result = suggest(course)

    assert titles(result) == ["Peer support", "Open studio", "Sketch club"]
    assert [s.from_provider for s in result.suggestions] == [True, False, False]
    assert result.suggestions[0].reason == "Suggested by Mersey Minds as a next step"


def test_what_next_reason_names_topic_distance_and_no_time_limit(course, art):
    venue = venue_north(0.8)
    ongoing("Open studio", parent=ProviderFactory(), categories=[art], venue=venue)
    miles = distance_miles(HERE, venue.coordinates)

    (suggestion,) = suggest(course).suggestions

    assert suggestion.reason == (
        f"Same topic: Art and creativity; {miles:.1f} miles from this course's venue; "
        "ongoing, no time limit"
    )
    assert f"{miles:.1f}" == "0.8"


@pytest.fixture
def women(db):
    return AudienceFactory(name="Women", slug="women", restriction="women")


@pytest.fixture
def men(db):
    return AudienceFactory(name="Men", slug="men", restriction="men")


def test_what_next_after_a_mixed_arabic_course_offers_no_somali_womens_group(course, art, women):
    course.languages = "Arabic"
    course.save()
    somali = AudienceFactory(name="Somali speakers", slug="somali")
    other = ProviderFactory()
    ongoing("Somali Women's Group", parent=other, categories=[art], audiences=[women, somali],
            languages="Somali")  # fmt: skip
    ongoing("Somali Art Group", parent=other, categories=[art], languages="Somali")
    ongoing("Open studio", parent=other, categories=[art], venue=venue_north(0.2))
    ongoing("Arabic Art Group", parent=other, categories=[art], languages="French, arabic",
            venue=venue_north(2.0))  # fmt: skip

    result = suggest(course)

    # Same language first (even further away), then English, the default; never Somali.
    assert titles(result) == ["Arabic Art Group", "Open studio"]
    assert "in arabic, like this course" in result.suggestions[0].reason


def test_what_next_after_a_mixed_course_offers_no_single_sex_group(course, art, women, men):
    other = ProviderFactory()
    ongoing("Women's Art", parent=other, categories=[art], audiences=[women])
    ongoing("Men's Art", parent=other, categories=[art], audiences=[men])
    ongoing("Open studio", parent=other, categories=[art])

    assert titles(suggest(course)) == ["Open studio"]


def test_what_next_after_a_womens_course_offers_womens_and_mixed_groups(course, art, women, men):
    course.audiences.add(women)
    course.save()
    other = ProviderFactory()
    ongoing("A Women's Art", parent=other, categories=[art], audiences=[women])
    ongoing("B Men's Art", parent=other, categories=[art], audiences=[men])
    ongoing("C Open studio", parent=other, categories=[art])

    result = suggest(course)

    assert titles(result) == ["A Women's Art", "C Open studio"]
    assert "for women, like this course" in result.suggestions[0].reason


def test_what_next_offers_only_groups_taking_every_age_the_course_takes(course, art):
    course.age_min = 18
    course.save()
    other = ProviderFactory()
    ongoing("Young Adults Art", parent=other, categories=[art], age_min=18, age_max=25)
    ongoing("Over 50s Art", parent=other, categories=[art], age_min=50)
    ongoing("Adults Art", parent=other, categories=[art], age_min=18)
    ongoing("Open studio", parent=other, categories=[art])

    assert titles(suggest(course)) == ["Adults Art", "Open studio"]


def test_what_next_providers_own_single_sex_step_after_a_mixed_course_says_so(
    course, provider, art, women
):
    step = ongoing("Women's Circle", parent=provider, categories=[art], audiences=[women])
    course.next_steps.add(step)
    course.save()

    (suggestion,) = suggest(course).suggestions

    assert suggestion.reason == "Suggested by Mersey Minds as a next step; for women only"


def test_what_next_excludes_time_limited_far_other_topic_itself_unpublished_and_ended(
    course, provider, art, music
):
    other = ProviderFactory()
    ongoing("Kept", parent=other, categories=[art])
    ongoing("Another course", parent=other, categories=[art], kind=ActivityKind.COURSE)
    ongoing("Limited", parent=other, categories=[art], engagement_limit_weeks=26)
    with_count = ongoing("Counted", parent=other, categories=[art])
    ScheduleFactory(activity=with_count, first_date=TODAY, sessions=4)
    with_end = ongoing("Ends in spring", parent=other, categories=[art])
    ScheduleFactory(activity=with_end, first_date=TODAY, last_date=TODAY + dt.timedelta(days=90))
    ongoing("One-off", parent=other, categories=[art], kind=ActivityKind.ONE_OFF)
    ongoing("Far away", parent=other, categories=[art], venue=venue_north(3.5))
    ongoing("Music only", parent=other, categories=[music])
    ongoing("Draft", parent=other, categories=[art], live=False)
    unpublished_step = ongoing("Unpublished step", parent=provider, categories=[art], live=False)
    finished_step = ActivityFactory(title="Finished step", parent=provider, categories=[art])
    ScheduleFactory(activity=finished_step, first_date=TODAY - dt.timedelta(weeks=8), sessions=4)
    course.next_steps.add(unpublished_step, finished_step)
    course.save()

    assert titles(suggest(course)) == ["Kept"]


def test_what_next_online_course_suggests_online_groups(provider, art):
    course = ActivityFactory(
        title="Mindfulness online",
        kind=ActivityKind.COURSE,
        parent=provider,
        categories=[art],
        venue=None,
        online=True,
        meeting_link="https://example.org/meet",
    )
    ScheduleFactory(activity=course, first_date=TODAY, sessions=6)
    ongoing(
        "Online art club",
        parent=provider,
        categories=[art],
        venue=None,
        online=True,
        meeting_link="https://example.org/art",
    )
    ongoing("Art in town", parent=provider, categories=[art])

    (suggestion,) = suggest(course).suggestions

    assert suggestion.activity.title == "Online art club"
    assert suggestion.reason == (
        "Same topic: Art and creativity; online, like this course; ongoing, no time limit"
    )


def test_what_next_stops_at_the_limit(course, art):
    other = ProviderFactory()
    for n in range(7):
        ongoing(f"Group {n}", parent=other, categories=[art], venue=venue_north(0.1 * (n + 1)))

    assert titles(suggest(course, limit=5)) == [f"Group {n}" for n in range(5)]


def test_what_next_not_shown_for_activity_without_time_limit(provider, art):
    group = ongoing("Weekly art group", parent=provider, categories=[art])
    ongoing("Another art group", parent=ProviderFactory(), categories=[art])

    result = suggest(group)

    assert (result.time_limited, result.suggestions) == (False, [])


@pytest.mark.parametrize(
    ("changes", "slot", "expected"),
    [
        ({}, {}, False),
        ({"kind": ActivityKind.COURSE}, {}, True),
        ({"engagement_limit_weeks": 26}, {}, True),
        ({}, {"sessions": 6}, True),
        ({}, {"last_date": TODAY + dt.timedelta(days=60)}, True),
    ],
)
def test_is_time_limited(provider, changes, slot, expected):
    activity = ActivityFactory(parent=provider, **changes)
    ScheduleFactory(activity=activity, first_date=TODAY, **slot)

    assert is_time_limited(loaded(activity)) is expected


def test_what_next_query_count_does_not_grow_with_candidates(course, provider, art):
    def count_queries():
        target = loaded(course)
        with CaptureQueriesContext(connection) as queries:
            what_next(activity=target, candidates=activity_list_current(today=TODAY), today=TODAY)
        return len(queries)

    course.next_steps.add(ongoing("Step", parent=provider, categories=[art]))
    course.save()
    ongoing("Group A", parent=provider, categories=[art])
    few = count_queries()
    for n in range(6):
        ongoing(f"Group {n}", parent=ProviderFactory(), categories=[art])

    assert count_queries() == few <= 4


# --- finished courses ----------------------------------------------------------------------


def finished_course(provider, art, *, today, title="Food and Mood"):
    course = ActivityFactory(
        title=title, kind=ActivityKind.COURSE, parent=provider, categories=[art]
    )
    # Weekly, 6 sessions, the last one the day before `today`.
    yesterday = today - dt.timedelta(days=1)
    ScheduleFactory(activity=course, first_date=yesterday - dt.timedelta(weeks=5), sessions=6)
    return course, yesterday


def test_finished_course_leaves_browse_but_its_page_says_it_finished(client, provider, art, today):
    course, yesterday = finished_course(provider, art, today=today)
    ScheduleFactory(activity=ActivityFactory(title="Still running", parent=provider))

    browse = client.get("/activities/").content.decode()
    response = client.get(course.url)

    assert "Still running" in browse
    assert "Food and Mood" not in browse
    assert response.status_code == 200
    assert f"This course finished on {long_date(yesterday)}." in response.content.decode()


def test_finished_course_points_to_next_intake(client, provider, art, today):
    course, _ = finished_course(provider, art, today=today)
    starts = today + dt.timedelta(days=40)
    intake = ActivityFactory(
        title="Food and Mood (spring)", kind=ActivityKind.COURSE, parent=provider
    )
    ScheduleFactory(activity=intake, first_date=starts, sessions=6)
    # Same title at another provider, or already started: not a next intake.
    ScheduleFactory(
        activity=ActivityFactory(title="Food and Mood", parent=ProviderFactory()),
        first_date=starts - dt.timedelta(days=20),
        sessions=6,
    )

    html = client.get(course.url).content.decode()

    assert (
        f'The next intake, <a href="{intake.url}">Food and Mood (spring)</a>, '
        f"starts on {weekday_long_date(starts)}."
    ) in html


def test_finished_course_without_intake_points_to_alternatives(client, provider, art, today):
    course, _ = finished_course(provider, art, today=today)
    course.venue = VenueFactory(latitude=HERE[0], longitude=HERE[1])
    course.save()
    group = ongoing("Open studio", parent=ProviderFactory(), categories=[art])
    group.schedules.update(first_date=today - dt.timedelta(weeks=3))

    html = client.get(course.url).content.decode()

    assert 'See <a href="#next-steps">what you can go on to</a> instead.' in html
    assert '<h2 id="next-steps">What you can go on to</h2>' in html
    assert "Open studio" in html
    assert "ongoing, no time limit" in html
    assert "The next intake" not in html


def test_weekly_group_page_has_no_what_next_section(client, provider, art, today):
    group = ongoing("Weekly art group", parent=provider, categories=[art])
    group.schedules.update(first_date=today - dt.timedelta(weeks=3))
    ongoing("Another art group", parent=ProviderFactory(), categories=[art])

    html = client.get(group.url).content.decode()

    assert "What you can go on to" not in html


def test_next_intake_ignores_monthly_slot_of_unrelated_title(provider, art):
    course, _ = finished_course(provider, art, today=TODAY)
    ScheduleFactory(
        activity=ActivityFactory(title="Food and Moodle", parent=provider),
        frequency=Frequency.MONTHLY,
        first_date=TODAY + dt.timedelta(days=30),
    )

    result = what_next(
        activity=loaded(course),
        candidates=activity_list_current(today=TODAY),
        today=TODAY,
    )

    assert result.ended_on is not None
    assert result.next_intake is None
