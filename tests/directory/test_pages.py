"""Provider, venue and home pages render the facts they promise."""

import datetime as dt

import pytest

from activities.models import ActivityPage
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
from tests.support.browse import browse_titles
from tests.support.dates import monday_of

pytestmark = pytest.mark.django_db

# The pages read the clock themselves; the factories' slots count from the site's today.


def test_provider_page_shows_weekly_timetable_grouped_by_day_in_time_order(client, today):
    provider = ProviderFactory(title="Imagine Independence", contact_phone="0151 000 0000")
    monday = monday_of(today) - dt.timedelta(weeks=1)
    late = ActivityFactory(title="Ukulele", parent=provider)
    ScheduleFactory(
        activity=late, first_date=monday, start_time=dt.time(14, 0), end_time=dt.time(15, 0)
    )
    early = ActivityFactory(title="Breakfast club", parent=provider)
    ScheduleFactory(
        activity=early, first_date=monday, start_time=dt.time(9, 0), end_time=dt.time(10, 0)
    )
    thursday = ActivityFactory(title="Gardening", parent=provider)
    ScheduleFactory(activity=thursday, first_date=monday + dt.timedelta(days=3))
    ScheduleFactory(activity=ActivityFactory(title="Another provider's group"), first_date=monday)

    html = client.get(provider.url).content.decode()

    assert "<caption>Monday</caption>" in html
    assert (
        html.index("Breakfast club")
        < html.index("Ukulele")
        < html.index("<caption>Thursday</caption>")
        < html.index("Gardening")
    )
    assert "09:00–10:00" in html
    assert "Another provider's group" not in html
    assert "0151 000 0000" in html
    assert 'href="/static/css/print.css" media="print"' in html


def test_venue_page_lists_everything_held_there_across_providers(client):
    venue = VenueFactory(
        name="Millennium Centre", postcode="L25 2RA", address="Childwall Valley Road"
    )
    VenueFeatureFactory(venue=venue, code="hearing_loop")
    pss = ProviderFactory(title="PSS")
    life_rooms = ProviderFactory(title="Life Rooms")
    ScheduleFactory(
        activity=ActivityFactory(title="Anxiety and Depression Course", venue=venue, parent=pss)
    )
    ScheduleFactory(
        activity=ActivityFactory(title="Understanding Anxiety", venue=venue, parent=life_rooms)
    )
    ScheduleFactory(activity=ActivityFactory(title="Elsewhere group"))

    html = client.get(venue.get_absolute_url()).content.decode()

    assert "<h1>Millennium Centre</h1>" in html
    assert "Run by Life Rooms, PSS." in html
    assert "Anxiety and Depression Course" in html
    assert "Understanding Anxiety" in html
    assert "Elsewhere group" not in html
    assert '<th scope="row">Hearing loop</th><td>Yes</td>' in html
    assert '<th scope="row">Step-free way in</th><td>Not known – call to check</td>' in html


def test_venue_page_unknown_slug_is_404(client):
    assert client.get("/venues/no-such-place/").status_code == 404


def test_home_page_offers_a_postcode_search_and_counts_whats_on(client):
    ScheduleFactory(activity=ActivityFactory(title="Coffee morning"))
    provider_page = ProviderFactory(title="Mary Seacole House")

    html = client.get("/").content.decode()

    # It lands on the results, and takes the choices people filter by most.
    assert '<form method="get" action="/activities/#results"' in html
    assert 'name="postcode"' in html
    assert 'name="free"' in html and 'value="step_free_entrance"' in html
    assert "browse all 1 activity<" in html
    assert f'href="{provider_page.url}"' in html


def test_home_page_and_nav_point_referrers_to_the_finder(client):
    ProviderFactory(title="Mary Seacole House")

    html = client.get("/").content.decode()

    assert html.count('<a href="/find/"') == 2  # the site nav and the home page's own section
    assert ">Find a group for someone</a>" in html


def test_moving_an_activity_to_another_provider_updates_its_provider(client):
    activity = ActivityFactory(title="Movable group")
    ScheduleFactory(activity=activity)
    other = ProviderFactory(title="Liverpool Roots Trust")

    activity.move(other, pos="last-child")

    assert ActivityPage.objects.get(pk=activity.pk).provider_id == other.pk
    assert browse_titles(client, "provider=liverpool-roots-trust") == ["Movable group"]
