"""The shortlist over HTTP: buttons, cookie, sharing, printing, its calendar, and cost."""

from __future__ import annotations

import html
import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from activities.ical import schedule_uid
from activities.recurrence import describe_rule
from activities.shortlist.ids import COOKIE_MAX_AGE, COOKIE_NAME, MAX_ITEMS
from activities.shortlist.qr import share_qr_svg
from tests.factories import (
    ActivityFactory,
    ActivityFeatureFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
    VenueFeatureFactory,
)
from tests.support import dates
from tests.support.feeds import event_uids

pytestmark = pytest.mark.django_db

PRINT_CSS = Path(__file__).resolve().parents[3] / "static" / "css" / "print.css"
# The shortlist pages and feed read the clock themselves: slots starting early next year are
# current whenever the tests run.
TUESDAY = dates.early_next_year(dates.TUESDAY)


@pytest.fixture
def three(db):
    """Three activities with venues, phones and weekly sessions, in creation order."""
    provider = ProviderFactory(title="Mersey Minds", contact_phone="0151 000 0000")
    hall = VenueFactory(name="Hope Hall", address="1 Hope Street, Liverpool", postcode="L1 9BP")
    VenueFeatureFactory(venue=hall, code="step_free_entrance")
    art = ActivityFactory(
        parent=provider,
        title="Tuesday Art",
        venue=hall,
        contact_phone="0151 111 1111",
        how_to_join="Ask for Jo at reception.",
    )
    ActivityFeatureFactory(activity=art, code="meet_at_door")
    walk = ActivityFactory(
        parent=provider,
        title="Wednesday Walk",
        venue=VenueFactory(name="Sefton Park Cafe", address="Aigburth Drive", postcode="L17 1AP"),
    )
    chat = ActivityFactory(
        parent=provider,
        title="Online Chat",
        venue=None,
        online=True,
        meeting_link="https://meet.example/chat",
        contact_phone="0151 333 3333",
    )
    slots = {
        "art": ScheduleFactory(activity=art, first_date=TUESDAY),
        "walk": ScheduleFactory(
            activity=walk,
            first_date=TUESDAY + timedelta(days=1),
            start_time=time(14, 0),
            end_time=time(15, 30),
        ),
        "chat": ScheduleFactory(activity=chat, first_date=TUESDAY + timedelta(days=3)),
    }
    return {"art": art, "walk": walk, "chat": chat, "slots": slots}


def add(client, activity, *, next_url="/activities/", **extra):
    return client.post("/shortlist/add/", {"activity": activity.pk, "next": next_url}, **extra)


def cookie_ids(client) -> str:
    return client.cookies[COOKIE_NAME].value


def titles(response) -> list[str]:
    page = response.content.decode()
    return [
        html.unescape(t) for t in re.findall(r'class="shortlist-title"><a [^>]*>([^<]+)<', page)
    ]


def share_url(response) -> str:
    match = re.search(
        r'id="share-link" class="share-link" value="([^"]+)"', response.content.decode()
    )
    assert match, "no share link on the page"
    return html.unescape(match.group(1))


# --------------------------------------------------------------------------- buttons


def test_add_sets_cookie_and_goes_back(client, three):
    # Act
    response = add(client, three["art"], next_url="/activities/?day=tue#shortlist-1")

    # Assert
    assert response.status_code == 302
    assert response["Location"] == "/activities/?day=tue#shortlist-1"
    morsel = response.cookies[COOKIE_NAME]
    assert morsel.value == str(three["art"].pk)
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["max-age"] == COOKIE_MAX_AGE
    assert not morsel["secure"]


def test_add_over_https_sets_secure_cookie(client, three):
    response = add(client, three["art"], secure=True)

    assert response.cookies[COOKIE_NAME]["secure"] is True


def test_add_keeps_order_and_no_repeats(client, three):
    # Act
    for name in ("walk", "art", "walk", "chat"):
        add(client, three[name])

    # Assert
    assert cookie_ids(client) == f"{three['walk'].pk}.{three['art'].pk}.{three['chat'].pk}"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "\\\\evil.example",
        "",
    ],
)
def test_add_never_redirects_off_site(client, three, next_url):
    response = add(client, three["art"], next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/shortlist/"
    assert cookie_ids(client) == str(three["art"].pk)


def test_add_unpublished_activity_is_not_found(client, three):
    three["art"].unpublish()

    response = add(client, three["art"])

    assert response.status_code == 404
    assert COOKIE_NAME not in response.cookies


def test_add_with_bad_form_is_refused(client, three):
    response = client.post("/shortlist/add/", {"activity": "12; DROP TABLE", "next": "/"})

    assert response.status_code == 400
    assert COOKIE_NAME not in response.cookies


def test_add_by_get_is_not_allowed(client, three):
    response = client.get("/shortlist/add/", {"activity": three["art"].pk})

    assert response.status_code == 405


def test_add_needs_csrf_token(three):
    client = Client(enforce_csrf_checks=True)

    response = add(client, three["art"])

    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies


def test_button_on_activity_page_works_with_its_csrf_token(three):
    # Arrange: a browser without JavaScript, submitting the form the page gave it
    client = Client(enforce_csrf_checks=True)
    page = client.get(three["art"].url).content.decode()
    form = re.search(r'<form class="shortlist-form.*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    action = re.search(r'action="([^"]+)"', form).group(1)

    # Act
    response = client.post(action, {k: html.unescape(v) for k, v in fields.items()})

    # Assert
    assert action == "/shortlist/add/"
    assert response.status_code == 302
    assert response["Location"] == f"{three['art'].url}#shortlist-{three['art'].pk}"
    assert cookie_ids(client) == str(three["art"].pk)
    assert "Remove from shortlist" in client.get(three["art"].url).content.decode()


def test_add_to_full_list_says_so_and_changes_nothing(client, three):
    full = ".".join(str(n) for n in range(100_000, 100_000 + MAX_ITEMS))
    client.cookies[COOKIE_NAME] = full

    response = add(client, three["art"])

    assert response["Location"] == "/shortlist/?full=1"
    assert COOKIE_NAME not in response.cookies
    assert "Your shortlist is full" in client.get(response["Location"]).content.decode()


def test_remove_takes_one_off(client, three):
    for name in ("art", "walk", "chat"):
        add(client, three[name])

    response = client.post(
        "/shortlist/remove/", {"activity": three["walk"].pk, "next": "/shortlist/"}
    )

    assert response["Location"] == "/shortlist/"
    assert cookie_ids(client) == f"{three['art'].pk}.{three['chat'].pk}"


def test_clear_deletes_cookie(client, three):
    add(client, three["art"])

    response = client.post("/shortlist/clear/")

    assert response["Location"] == "/shortlist/"
    assert response.cookies[COOKIE_NAME].value == ""
    assert response.cookies[COOKIE_NAME]["max-age"] == 0
    assert "Your shortlist is empty" in client.get("/shortlist/").content.decode()


def test_nav_counts_shortlist(client, three):
    add(client, three["art"])
    add(client, three["walk"])

    page = client.get("/activities/").content.decode()

    assert "Shortlist (2)</a>" in page
    assert page.count("Remove from shortlist") == 2
    assert page.count("Add to shortlist") == 1


# --------------------------------------------------------------------------- the list


def test_shortlist_shows_what_people_need(client, three):
    # Arrange
    add(client, three["art"])
    add(client, three["chat"])

    # Act
    page = html.unescape(client.get("/shortlist/").content.decode())

    # Assert
    assert (
        '<span class="line">Hope Hall</span><span class="sep">, </span>'
        '<span class="line">1 Hope Street, Liverpool</span><span class="sep">, </span>'
        '<span class="line">L1 9BP</span>'
    ) in page
    assert describe_rule(three["slots"]["art"].rule, today=dates.today()) in page
    assert "0151 111 1111" in page
    assert 'href="tel:01513333333"' in page
    assert "Ask for Jo at reception." in page
    assert "Someone will meet you on your first visit." in page
    assert "At Hope Hall: Step-free way in." in page
    assert "<dd>Online</dd>" in page
    assert "Mersey Minds" in page
    assert "Clear shortlist" in page
    assert page.count("Remove from shortlist") == 2


def test_junk_cookie_is_ignored(client, three):
    client.cookies[COOKIE_NAME] = f"abc.{three['walk'].pk}.<b>.-1.{three['art'].pk}x"

    response = client.get("/shortlist/")

    assert response.status_code == 200
    assert titles(response) == ["Wednesday Walk"]


def test_unpublished_activity_is_dropped_with_a_note(client, three):
    for name in ("art", "walk", "chat"):
        add(client, three[name])
    three["walk"].unpublish()

    response = client.get("/shortlist/")

    assert titles(response) == ["Tuesday Art", "Online Chat"]
    assert "One activity on this list is no longer listed" in response.content.decode()
    assert response.cookies[COOKIE_NAME].value == f"{three['art'].pk}.{three['chat'].pk}"


def test_deleted_activity_is_dropped(client, three):
    add(client, three["art"])
    add(client, three["walk"])
    three["art"].delete()

    response = client.get("/shortlist/")

    assert titles(response) == ["Wednesday Walk"]
    assert "We have taken it off your shortlist" in response.content.decode()


def test_private_activity_is_left_out(client, three):
    PageViewRestriction.objects.create(page=three["art"], restriction_type="login")

    response = client.get(f"/shortlist/?ids={three['art'].pk},{three['walk'].pk}")

    assert titles(response) == ["Wednesday Walk"]
    assert add(client, three["art"]).status_code == 404


def test_share_link_reproduces_list_in_fresh_browser_in_order(client, three):
    # Arrange: build the list in one browser, in an order that is not creation order
    for name in ("chat", "art", "walk"):
        add(client, three[name])
    mine = client.get("/shortlist/")
    link = share_url(mine)

    # Act: open the link in a browser with no cookie
    fresh = Client()
    shared = fresh.get(link.removeprefix(settings.SITE_URL))

    # Assert
    assert link == (
        f"{settings.SITE_URL}/shortlist/?ids={three['chat'].pk},{three['art'].pk},"
        f"{three['walk'].pk}"
    )
    assert titles(shared) == titles(mine) == ["Online Chat", "Tuesday Art", "Wednesday Walk"]
    assert COOKIE_NAME not in shared.cookies  # looking does not change the visitor's own list
    assert "Save this shortlist on this device" in shared.content.decode()


def test_shared_link_leaves_out_unpublished_activity(client, three):
    three["walk"].unpublish()

    response = client.get(f"/shortlist/?ids={three['walk'].pk},{three['art'].pk}")

    assert titles(response) == ["Tuesday Art"]
    assert "This list leaves it out" in response.content.decode()
    assert f'?ids={three["art"].pk}"' in response.content.decode()


def test_save_shared_list_on_this_device(client, three):
    ids = f"{three['walk'].pk},{three['art'].pk}"

    response = client.post("/shortlist/save/", {"ids": ids})

    assert response["Location"] == "/shortlist/"
    assert cookie_ids(client) == f"{three['walk'].pk}.{three['art'].pk}"
    assert titles(client.get("/shortlist/")) == ["Wednesday Walk", "Tuesday Art"]
    # Already saved: no button to save it again
    assert "Save this shortlist" not in client.get(f"/shortlist/?ids={ids}").content.decode()


# --------------------------------------------------------------------------- printing


def test_print_view_has_addresses_times_and_phones(client, three):
    ids = f"{three['art'].pk},{three['walk'].pk},{three['chat'].pk}"

    response = client.get(f"/shortlist/print/?ids={ids}")
    page = html.unescape(response.content.decode())

    assert response.status_code == 200
    for text in (
        "1 Hope Street, Liverpool",
        "L1 9BP",
        "Aigburth Drive",
        "L17 1AP",
        describe_rule(three["slots"]["art"].rule, today=dates.today()),
        describe_rule(three["slots"]["walk"].rule, today=dates.today()),
        "0151 111 1111",
        "0151 000 0000",  # the walk has no number of its own: the provider's
        "0151 333 3333",
        "Your first visit",
        "Use your browser's Print command",
    ):
        assert text in page
    assert "<form" not in page  # no buttons on the sheet
    assert 'src="/static/js/shortlist.js"' in page  # the optional print button, not inline
    assert "<script>" not in page


def test_print_view_has_a_qr_code_of_the_share_link_and_a_note_space(client, three):
    ids = f"{three['art'].pk},{three['walk'].pk}"

    page = client.get(f"/shortlist/print/?ids={ids}").content.decode()

    share = f"{settings.SITE_URL}/shortlist/?ids={ids}"
    assert f'<p class="share-url">{share}</p>' in page
    svg = share_qr_svg(share)
    assert svg.startswith('<svg aria-hidden="true"') and svg in page  # drawn on the server
    assert 'role="img" aria-label="QR code for this list\'s web address"' in page
    assert '<div class="note-lines"></div>' in page


def test_print_view_of_an_empty_list_has_no_qr_code(client, db):
    page = client.get("/shortlist/print/?ids=").content.decode()

    assert "<svg" not in page
    assert "There is nothing on this shortlist." in page


def test_shortlist_page_links_to_print_view_with_ids(client, three):
    add(client, three["walk"])
    add(client, three["art"])

    page = client.get("/shortlist/").content.decode()

    assert f'href="/shortlist/print/?ids={three["walk"].pk},{three["art"].pk}"' in page


def test_print_css_is_large_print_a4():
    css = PRINT_CSS.read_text()
    shortlist = css.split("/* Shortlist */", 1)[1]

    assert "@page { size: A4; margin: 15mm; }" in css
    assert ".shortlist-sheet { font-size: 14pt;" in shortlist
    assert re.search(r"\.shortlist-entry \{[^}]*break-inside: avoid", shortlist)


# --------------------------------------------------------------------------- calendar


def test_feed_has_exactly_the_shortlisted_sessions(client, three):
    ids = f"{three['chat'].pk},{three['art'].pk}"

    response = client.get(f"/shortlist/feed.ics?ids={ids}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert event_uids(response) == {
        schedule_uid(three["slots"]["chat"]),
        schedule_uid(three["slots"]["art"]),
    }


def test_feed_path_form_matches_query_form(client, three):
    by_query = client.get(f"/shortlist/feed.ics?ids={three['chat'].pk},{three['art'].pk}")
    by_path = client.get(f"/shortlist/feed/{three['chat'].pk}-{three['art'].pk}.ics")

    assert by_path.content == by_query.content
    assert by_path["ETag"] == by_query["ETag"]


def test_feed_answers_conditional_request_with_304(client, three):
    first = client.get(f"/shortlist/feed.ics?ids={three['art'].pk}")

    again = client.get(
        f"/shortlist/feed.ics?ids={three['art'].pk}", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_feed_leaves_out_unpublished_and_junk(client, three):
    three["walk"].unpublish()

    response = client.get(f"/shortlist/feed.ics?ids={three['walk'].pk},abc,{three['art'].pk}")

    assert event_uids(response) == {schedule_uid(three["slots"]["art"])}


def test_shortlist_page_offers_calendar_links(client, three):
    add(client, three["art"])
    add(client, three["walk"])
    ids = f"{three['art'].pk},{three['walk'].pk}"

    page = html.unescape(client.get("/shortlist/").content.decode())

    host = settings.SITE_URL.split("://", 1)[1]
    assert f'href="webcal://{host}/shortlist/feed.ics?ids={ids}"' in page
    assert f'href="/shortlist/feed.ics?ids={ids}&download=1"' in page
    # Google's subscribe link takes the path form (it mangles query strings)
    path = f"webcal://{host}/shortlist/feed/{three['art'].pk}-{three['walk'].pk}.ics"
    assert f'href="https://calendar.google.com/calendar/render?cid={path}"' in page


# --------------------------------------------------------------------------- cost


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_shortlist_pages_write_nothing_to_database(client, three):
    ids = f"{three['art'].pk},{three['walk'].pk}"
    with CaptureQueriesContext(connection) as queries:
        add(client, three["art"])
        add(client, three["walk"])
        client.get("/shortlist/")
        client.get(f"/shortlist/?ids={ids}")
        client.get(f"/shortlist/print/?ids={ids}")
        client.get(f"/shortlist/feed.ics?ids={ids}")
        client.post("/shortlist/save/", {"ids": ids})
        client.post("/shortlist/remove/", {"activity": three["art"].pk})
        client.post("/shortlist/clear/")

    assert writes(queries) == []


def test_query_count_does_not_grow_with_items(client, three):
    def count(ids: list[int]) -> tuple[int, int]:
        query = ",".join(str(pk) for pk in ids)
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/shortlist/?ids={query}").status_code == 200
        with CaptureQueriesContext(connection) as sheet:
            assert client.get(f"/shortlist/print/?ids={query}").status_code == 200
        return len(page), len(sheet)

    count([three["art"].pk])  # warm the site-root cache that Wagtail's page URLs use
    few = count([three["art"].pk])
    more = [ActivityFactory(venue=VenueFactory()) for _ in range(5)]
    for activity in more:
        ScheduleFactory(activity=activity, first_date=TUESDAY)
        VenueFeatureFactory(venue=activity.venue)

    many = count([three["art"].pk, three["walk"].pk, three["chat"].pk, *[a.pk for a in more]])

    assert many == few
