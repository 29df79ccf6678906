"""The activity page shows the facts it promises: dates, time limits, who it suits, access."""

import datetime as dt
import re

import pytest

from activities.enums import ActivityKind, CapacityStatus, Frequency
from activities.wording import relative_date
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    AudienceFactory,
    CancellationFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
from tests.support.dates import TUESDAY, next_weekday, short_date

pytestmark = pytest.mark.django_db


# The page reads the clock itself, so tests of its dates count from the site's today (`today`).


def test_activity_page_shows_next_dates_and_marks_cancelled_ones(client, today):
    first = next_weekday(TUESDAY, after=today)
    activity = ActivityFactory(title="Art group")
    ScheduleFactory(
        activity=activity, first_date=first, start_time=dt.time(10, 30), end_time=dt.time(12, 0)
    )
    CancellationFactory(activity=activity, date=first + dt.timedelta(weeks=1), reason="Christmas")

    html = client.get(activity.url).content.decode()

    assert f"{relative_date(first, today=today)}, 10:30 to 12:00" in html
    cancelled = relative_date(first + dt.timedelta(weeks=1), today=today)
    assert f"{cancelled}, 10:30 to 12:00</time> – <strong>cancelled</strong> (Christmas)" in html
    later = relative_date(first + dt.timedelta(weeks=2), today=today)
    assert f"{later}, 10:30 to 12:00" in html
    assert "Every Tuesday, 10:30 to 12:00" in html


def test_activity_page_states_course_length_and_next_start_in_plain_english(client, today):
    start = next_weekday(TUESDAY, after=today + dt.timedelta(days=20))
    course = ActivityFactory(
        title="Understanding Anxiety", kind=ActivityKind.COURSE, engagement_limit_weeks=26
    )
    ScheduleFactory(activity=course, first_date=start, sessions=6)

    html = client.get(course.url).content.decode()

    assert f"6-week course, next starts {short_date(start, today=today)}" in html
    assert "You can attend for up to 26 weeks (about 6 months)" in html


def test_activity_page_says_when_a_course_has_finished_and_points_onwards(client, today):
    course = ActivityFactory(title="Food and Mood", kind=ActivityKind.COURSE)
    ScheduleFactory(activity=course, first_date=today - dt.timedelta(weeks=12), sessions=8)
    follow_on = ActivityFactory(title="Cookery club", parent=course.get_parent().specific)
    ScheduleFactory(activity=follow_on, first_date=today - dt.timedelta(weeks=1))
    course.next_steps.add(follow_on)
    course.save()

    html = client.get(course.url).content.decode()

    assert "This has finished." in html
    assert "finished on" in html
    assert "What you can go on to" in html
    assert "Cookery club" in html


def test_activity_page_shows_who_it_suits_how_to_join_and_capacity(client):
    women = AudienceFactory(name="Women", slug="women", restriction="women")
    activity = ActivityFactory(
        title="Women's wellbeing",
        audiences=[women],
        age_min=18,
        who_for="Women who would like a calm space to talk.",
        not_suitable_for="Peer-led, not a crisis service.",
        self_referral=False,
        professional_referral=True,
        referrer_needs="Tell us about any access needs.",
        capacity_status=CapacityStatus.WAITING_LIST,
        capacity_updated=dt.date(2026, 11, 2),
        last_checked=dt.date(2026, 10, 1),
    )
    ScheduleFactory(activity=activity)

    html = client.get(activity.url).content.decode()

    assert "Women who would like a calm space to talk." in html
    assert "Peer-led, not a crisis service." in html
    assert "<dt>Specifically for</dt><dd>Women</dd>" in html
    assert "18 and over" in html
    assert (
        "A professional (for example a social prescriber or support worker) can refer you." in html
    )
    assert "You can just come along" not in html
    assert "Tell us about any access needs." in html
    assert "Waiting list (updated 2 November 2026)" in html
    assert "Last checked 1 October 2026</time></span>.</p>" in html  # no stray space
    assert activity.ref not in html  # the internal reference is never shown publicly


def test_activity_page_access_table_never_shows_unknown_as_no(client):
    venue = VenueFactory(name="Hope Centre")
    VenueFeatureFactory(
        venue=venue, code="step_free_entrance", status="yes", details="Ramp at side door"
    )
    VenueFeatureFactory(venue=venue, code="lift", status="no")
    activity = ActivityFactory(venue=venue)
    ActivityFeatureFactory(activity=activity, code="bsl_interpreter", status="on_request")
    ScheduleFactory(activity=activity)

    html = client.get(activity.url).content.decode()

    assert "<strong>Step-free way in</strong>: Yes – Ramp at side door</li>" in html
    assert "<strong>Lift to the room used</strong>: No</li>" in html
    assert (
        "<strong>BSL interpreter at sessions (or on request)</strong>: On request: ask the "
        "organisation before you go and they will arrange it</li>" in html
    )
    # The unknown ones are folded into one line, never shown as "No".
    unknown = re.search(r'<p class="access-unknown">Not known: ([^.]*)\.', html).group(1)
    assert "hearing loop" in unknown.split(", ")
    assert "lift to the room used" not in unknown


def test_activity_page_for_online_session_links_the_meeting(client):
    activity = ActivityFactory(venue=None, online=True, meeting_link="https://example.org/zoom-123")
    ScheduleFactory(activity=activity, frequency=Frequency.FORTNIGHTLY)

    html = client.get(activity.url).content.decode()

    assert 'href="https://example.org/zoom-123"' in html
    assert "Every other" in html
