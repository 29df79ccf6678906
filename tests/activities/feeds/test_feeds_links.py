"""The "Add to your calendar" box on activity, provider, venue and browse pages."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from activities.enums import ActivityKind
from activities.feeds.links import browse_query_token
from tests.factories import (
    ActivityFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
)
from tests.support import dates

pytestmark = pytest.mark.django_db


# The pages and feeds decide what is current from the clock themselves: a slot starting early
# next year is current whenever the tests run.
TUESDAY = dates.early_next_year(dates.TUESDAY)
TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "includes" / "add_to_calendar.html"


def links(response) -> list[str]:
    """The hrefs inside the "Add to your calendar" box, unescaped."""
    page = response.content.decode()
    box = re.search(r'<section class="add-to-calendar.*?</section>', page, re.S)
    assert box, "no Add to calendar box on the page"
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', box.group(0))]


@pytest.fixture
def group(db):
    provider = ProviderFactory(title="Mersey Minds")
    venue = VenueFactory(name="Hope Hall", slug="hope-hall")
    activity = ActivityFactory(
        parent=provider, venue=venue, categories=[CategoryFactory(name="Art")]
    )
    ScheduleFactory(activity=activity, first_date=TUESDAY)
    return activity


def test_activity_page_offers_subscribe_google_and_download(client, group):
    # Act
    response = client.get(group.url)

    # Assert
    feed = f"/feeds/activities/{group.pk}.ics"
    assert links(response) == [
        f"webcal://testserver{feed}",
        f"https://calendar.google.com/calendar/render?cid=webcal://testserver{feed}",
        f"{feed}?download=1",
    ]
    assert "What does subscribing mean?" in response.content.decode()


def test_provider_page_offers_provider_feed(client, group):
    # Act
    response = client.get(group.provider.url)

    # Assert
    assert links(response)[0] == f"webcal://testserver/feeds/providers/{group.provider.pk}.ics"


def test_venue_page_offers_venue_feed(client, group):
    # Act
    response = client.get("/venues/hope-hall/")

    # Assert
    assert links(response)[0] == f"webcal://testserver/feeds/venues/{group.venue.pk}.ics"


def test_browse_page_offers_feed_of_same_filters(client, group):
    # Act
    response = client.get("/activities/?day=tue&category=art&page=1&sort=title")

    # Assert
    webcal, google, download = links(response)
    token = browse_query_token("category=art&day=tue")
    assert webcal == "webcal://testserver/activities/feed.ics?category=art&day=tue"
    assert google == (
        "https://calendar.google.com/calendar/render?cid="
        f"webcal://testserver/activities/feed/{token}.ics"
    )
    assert download == "/activities/feed.ics?category=art&day=tue&download=1"


def test_browse_links_lead_to_the_same_calendar(client, group):
    # Arrange
    response = client.get("/activities/?day=tue&category=art")
    webcal, google, _ = links(response)

    # Act
    by_query = client.get(webcal.removeprefix("webcal://testserver"))
    by_token = client.get(google.split("webcal://testserver", 1)[1])

    # Assert
    assert by_query.status_code == by_token.status_code == 200
    assert by_query.content == by_token.content
    assert b"BEGIN:VEVENT" in by_query.content


def test_unfiltered_browse_page_offers_everything_feed(client, group):
    # Act
    response = client.get("/activities/")

    # Assert
    assert links(response)[:2] == [
        "webcal://testserver/activities/feed.ics",
        "https://calendar.google.com/calendar/render?cid=webcal://testserver/activities/feed.ics",
    ]


def test_service_without_sessions_has_no_calendar_box(client, db):
    # Arrange
    service = ActivityFactory(kind=ActivityKind.SERVICE)

    # Act
    response = client.get(service.url)

    # Assert
    assert response.status_code == 200
    assert "add-to-calendar" not in response.content.decode()


def test_calendar_box_has_no_inline_script_or_style():
    # Act
    source = TEMPLATE.read_text()

    # Assert (a strict Content-Security-Policy stays possible)
    assert ("<script" in source, "style=" in source, "<style" in source) == (False, False, False)
