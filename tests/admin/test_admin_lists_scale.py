"""Every admin list the project adds pages, and its query count does not grow with its rows.

For each list: build N rows, request the page as the user who works on it (real HTTP through
the test client), build 2N more, request it again: the same number of queries, and no more
rows on the page than its page size (made small here, so 3N rows run over one page).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.duplicates import admin as duplicates_admin
from activities.duplicates.store import stored_pairs_refresh_all
from activities.freshness import admin as freshness_admin
from activities.models import ProblemReport
from activities.reports import admin as reports_admin
from activities.timetable import selectors as timetable_selectors
from directory import permissions, venue_admin
from directory.models import VenueOwner
from directory.services import venue_proposal_create
from referrals import admin_views as referral_views
from referrals import invites
from referrals.permissions import NAVIGATORS
from tests.factories import (
    ActivityFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
)
from tests.factories.referrals import referral_send

N = 2
SMALL_PAGE = 4  # under 3N rows, so the second request runs over one page


@dataclass
class World:
    provider_a: object
    provider_b: object
    editor_a: object
    editor_b: object
    city_admin: object
    navigator: object
    built: int = 0


@dataclass(frozen=True)
class AdminList:
    name: str
    url: str  # an admin URL name
    user: str  # a World attribute
    build: Callable[[World, int], None]  # add this many rows, each named "Scale row <n>"
    page_size: int
    shown: str = r"Scale row (\d+)"  # what marks one row in the page's HTML
    n: int = N  # rows built first (then 2n more)


def _next(world: World) -> int:
    world.built += 1
    return world.built


def _stale_activities(world: World, count: int) -> None:
    for _ in range(count):
        activity = ActivityFactory(
            parent=world.provider_a,
            title=f"Scale row {_next(world)}",
            last_checked=dt.date(2020, 1, 1),
        )
        ScheduleFactory(activity=activity)


def _problem_reports(world: World, count: int) -> None:
    for _ in range(count):
        activity = ActivityFactory(parent=world.provider_a, title=f"Scale row {_next(world)}")
        ProblemReport.objects.create(activity=activity, kind="time", details="Wrong day")


def _timetable(world: World, count: int) -> None:
    for _ in range(count):
        activity = ActivityFactory(parent=world.provider_a, title=f"Scale row {_next(world)}")
        ScheduleFactory(activity=activity)


def _venues(world: World, count: int) -> None:
    for _ in range(count):
        number = _next(world)
        venue = VenueFactory(name=f"Scale row {number}", slug=f"scale-row-{number}")
        if number % 2:  # half of them are provider A's own
            VenueOwner.objects.create(venue=venue, provider=world.provider_a)


def _categories(world: World, count: int) -> None:
    for _ in range(count):
        number = _next(world)
        CategoryFactory(name=f"Scale row {number}", slug=f"scale-row-{number}")


def _venue_proposals(world: World, count: int) -> None:
    for _ in range(count):
        number = _next(world)
        venue = VenueFactory(name=f"Scale row {number}", slug=f"scale-row-{number}")
        VenueOwner.objects.create(venue=venue, provider=world.provider_a)
        venue_proposal_create(
            venue=venue,
            user=world.editor_b,
            values={"phone": f"0151 000 {number:04d}"},
            features={"step_free_entrance": "yes"},
            note="The phone number changed",
        )


def _inbox(world: World, count: int) -> None:
    activity = ActivityFactory(parent=world.provider_a, title="Walk and Talk")
    for _ in range(count):
        referral_send(activities=[activity])


def _queue(world: World, count: int) -> None:
    for _ in range(count):
        referral_send(to_navigators=True)


def _referrers(world: World, count: int) -> None:
    for _ in range(count):
        number = _next(world)
        invites.invite(
            name=f"Scale row {number}",
            email=f"referrer{number}@example.org",
            organisation="Liverpool GP",
            role="Social prescriber",
            by=world.city_admin,
        )


def _providers(world: World, count: int) -> None:
    for _ in range(count):
        ProviderFactory(title=f"Scale row {_next(world)}")


def _provider_activities(world: World, count: int) -> None:
    for _ in range(count):
        ActivityFactory(parent=world.provider_a, title=f"Scale row {_next(world)}")


def _duplicates(world: World, count: int) -> None:
    """`count` look-alike pairs: the same group run by provider A and provider B."""
    topic = CategoryFactory(name="Knitting", slug="knitting-scale")
    for _ in range(count):
        number = _next(world)
        venue = VenueFactory(latitude=53.0 + number / 5)  # 20 km apart
        for provider in (world.provider_a, world.provider_b):
            activity = ActivityFactory(
                parent=provider,
                title=f"Knit and Natter {number}",
                description="Knitting, crochet and a natter over a cuppa.",
                categories=[topic],
                venue=venue,
            )
            ScheduleFactory(activity=activity)
    stored_pairs_refresh_all()


VENUES = "wagtailsnippets_venues_venue:list"
LISTS = [
    AdminList("listings to check", "freshness_list", "editor_a", _stale_activities, SMALL_PAGE),
    AdminList("problem reports", "problem_reports", "editor_a", _problem_reports, SMALL_PAGE),
    AdminList("your timetable", "your_timetable", "editor_a", _timetable, SMALL_PAGE),
    # An editor's dashboard: the "Your timetable" and "Listings to check" panels.
    AdminList(
        "dashboard",
        "wagtailadmin_home",
        "editor_a",
        _stale_activities,
        SMALL_PAGE,
        shown=r'name="activity" value="(\d+)"',  # the "Listings to check" panel's rows
        n=SMALL_PAGE + 1,  # over the panel's limit, where it counts the rest
    ),
    AdminList("your timetable (city)", "your_timetable", "city_admin", _timetable, SMALL_PAGE),
    AdminList("venues (editor)", VENUES, "editor_a", _venues, 20, n=8),
    AdminList("venues (city admin)", VENUES, "city_admin", _venues, 20, n=8),
    AdminList(
        "topics", "wagtailsnippets_activities_category:list", "city_admin", _categories, 20, n=8
    ),
    AdminList("venue proposals", "venue_proposals", "editor_a", _venue_proposals, SMALL_PAGE),
    AdminList(
        "referrals inbox",
        "referrals_admin:inbox",
        "editor_a",
        _inbox,
        SMALL_PAGE,
        shown=r">(NWD-R-[0-9A-Z]{6})</a>",
    ),
    AdminList(
        "navigators' queue",
        "referrals_admin:queue",
        "navigator",
        _queue,
        SMALL_PAGE,
        shown=r">(NWD-R-[0-9A-Z]{6})</a>",
    ),
    AdminList("referrers", "referrals_admin:referrers", "city_admin", _referrers, SMALL_PAGE),
    # Wagtail's page explorer, which our hooks narrow (drafts hidden, providers' delete
    # button): the organisations for a city admin, an organisation's activities for its editor.
    # (50 a page; two of them are the fixtures' organisations A and B)
    AdminList("explorer: organisations", "explore_providers", "city_admin", _providers, 48, n=20),
    AdminList(
        "explorer: activities", "explore_provider_a", "editor_a", _provider_activities, 50, n=20
    ),
    AdminList(
        "duplicates report",
        "duplicates_report",
        "city_admin",
        _duplicates,
        SMALL_PAGE,
        shown=r'data-pair="([^"]+)"',
    ),
]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(freshness_admin, "PAGE_SIZE", SMALL_PAGE)
    monkeypatch.setattr(freshness_admin, "PANEL_LIMIT", SMALL_PAGE)
    monkeypatch.setattr(reports_admin, "PAGE_SIZE", SMALL_PAGE)
    monkeypatch.setattr(timetable_selectors, "PAGE_SIZE", SMALL_PAGE)
    monkeypatch.setattr(referral_views, "PAGE_SIZE", SMALL_PAGE)
    monkeypatch.setattr(venue_admin, "PROPOSALS_PAGE_SIZE", SMALL_PAGE)
    monkeypatch.setattr(duplicates_admin, "PAIRS_PER_PAGE", SMALL_PAGE)


@pytest.fixture
def world(provider_a, provider_b, editor_a, editor_b, city_admin) -> World:
    navigator = get_user_model().objects.create_user("nina", "nina@example.org", "pw-not-used")
    navigator.groups.add(Group.objects.get(name=NAVIGATORS))
    return World(provider_a, provider_b, editor_a, editor_b, city_admin, navigator)


def _url(name: str, world: World) -> str:
    if name == "explore_providers":
        return reverse("wagtailadmin_explore", args=[world.provider_a.get_parent().pk])
    if name == "explore_provider_a":
        return reverse("wagtailadmin_explore", args=[world.provider_a.pk])
    return reverse(name)


def _get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(captured)


@pytest.mark.parametrize("admin_list", LISTS, ids=[item.name for item in LISTS])
def test_admin_list_pages_with_constant_queries(client, world, small_pages, admin_list):
    client.force_login(getattr(world, admin_list.user))
    url = _url(admin_list.url, world)
    n = admin_list.n
    admin_list.build(world, n)
    client.get(url)  # the session, content types and the admin's own caches
    few_html, few = _get(client, url)
    admin_list.build(world, 2 * n)

    many_html, many = _get(client, url)

    few_rows = set(re.findall(admin_list.shown, few_html))
    many_rows = set(re.findall(admin_list.shown, many_html))
    assert len(few_rows) == min(n, admin_list.page_size)
    assert len(many_rows) == min(3 * n, admin_list.page_size)
    assert many == few, f"{admin_list.name}: {few} queries with {n} rows, {many} with {3 * n}"


# --- the admin's chrome: who-is-who asked once per request -------------------------------------

# (who, page, most queries): the list's own, the session and user, Wagtail's permissions,
# ours (groups and organisations). Before: 28 for the editor's problem reports, 21 the admin's.
CHROME_PAGES = [
    ("editor_a", "problem_reports", 14),
    ("editor_a", "venue_proposals", 14),
    ("editor_a", "referrals_admin:inbox", 14),
    ("city_admin", "problem_reports", 12),
    ("city_admin", "freshness_list", 14),
    ("city_admin", "duplicates_report", 19),
]


def _group_reads(queries: list[dict]) -> int:
    return sum(
        q["sql"].startswith('SELECT "auth_group"."name"') or "City admins" in q["sql"]
        for q in queries
    )


def _provider_of_user_reads(queries: list[dict]) -> int:
    return sum('FROM "directory_providerpage" INNER JOIN "auth_group"' in q["sql"] for q in queries)


@pytest.mark.parametrize(("who", "page", "most"), CHROME_PAGES)
def test_admin_chrome_asks_groups_and_organisations_once_per_request(
    client, world, who, page, most
):
    """The menu items (provider work, referrals, navigators, venue changes, data requests,
    referrers, duplicates), the dashboard trim and the screen itself all ask who the user is:
    one read of their groups and one of their organisations serve the whole request."""
    ActivityFactory(parent=world.provider_a)
    client.force_login(getattr(world, who))
    client.get(reverse(page))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(page))

    assert response.status_code == 200
    assert _group_reads(captured.captured_queries) == 1
    assert _provider_of_user_reads(captured.captured_queries) <= 1
    assert len(captured) <= most, [q["sql"][:120] for q in captured.captured_queries]


def test_who_is_who_is_read_once_per_user_object_until_forgotten(world, django_assert_num_queries):
    user = get_user_model().objects.get(pk=world.navigator.pk)  # as a request reads it
    with django_assert_num_queries(2):  # groups, then organisations
        assert not permissions.is_city_admin(user)
        assert not permissions.works_on_listings(user)
        assert not permissions.is_city_admin(user)
        assert not permissions.works_on_listings(user)
    user.groups.add(Group.objects.get(name=permissions.CITY_ADMINS))

    permissions.forget(user)

    assert permissions.is_city_admin(user)
