"""The inbox and the queue page by keyset (through real HTTP): every referral once, the same
queries on every page, a bounded count, and a cursor never shows another organisation's."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals import admin_views, paging
from referrals.models import Destination
from tests.factories.referrals import referral_send

SIZE = 3


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(admin_views, "PAGE_SIZE", SIZE)


def references(html: str) -> list[str]:
    return re.findall(r">(NWD-R-[0-9A-Z]{6})</a>", html)


def walk(client, path: str, link_text: str) -> tuple[list[list[str]], list[int]]:
    """Follow the "next" links from `path`: the references on each page and its queries."""
    pages, queries = [], []
    while path:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        pages.append(references(html))
        queries.append(len(captured))
        found = re.search(rf'href="(\?[^"]*)">{re.escape(link_text)}', html)
        path = reverse("referrals_admin:" + ("queue" if "queue" in html else "inbox"))
        path = path + found.group(1).replace("&amp;", "&") if found else ""
    return pages, queries


def test_inbox_pages_show_every_referral_once_newest_first(client, editor_a, activity_a):
    sent = [referral_send(activities=[activity_a]).reference for _ in range(SIZE * 3 + 1)]
    client.force_login(editor_a)
    client.get(reverse("referrals_admin:inbox"))  # warm per-process caches

    pages, queries = walk(client, reverse("referrals_admin:inbox"), "Next page (older)")

    assert [len(p) for p in pages] == [SIZE, SIZE, SIZE, 1]
    assert [r for p in pages for r in p] == sent[::-1]
    assert len(set(queries)) == 1, queries  # the 4th page costs what the 1st does
    last = client.get(reverse("referrals_admin:inbox"), {"after": "1.1"})
    assert last.status_code == 200 and "No referrals here." in last.content.decode()


def test_previous_page_goes_back(client, editor_a, activity_a):
    for _ in range(SIZE * 2):
        referral_send(activities=[activity_a])
    client.force_login(editor_a)
    first = client.get(reverse("referrals_admin:inbox")).content.decode()
    older = re.search(r'href="(\?[^"]*)">Next page', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("referrals_admin:inbox") + older).content.decode()
    newer = re.search(r'href="(\?[^"]*)">Previous page', second).group(1).replace("&amp;", "&")

    back = client.get(reverse("referrals_admin:inbox") + newer).content.decode()

    assert references(back) == references(first)
    assert "Previous page" not in back


def test_queue_pages_oldest_first(client, navigator):
    sent = [referral_send(to_navigators=True).reference for _ in range(SIZE + 2)]
    client.force_login(navigator)

    pages, _ = walk(client, reverse("referrals_admin:queue"), "Next page")

    assert [r for p in pages for r in p] == sent


@pytest.mark.parametrize("cursor", ["", "x", "1.", ".1", "-5.3", "9" * 30 + ".1", "1." + "9" * 30])
def test_odd_cursors_are_the_first_page_or_an_empty_one(client, navigator, activity_a, cursor):
    referral_send(activities=[activity_a])
    client.force_login(navigator)
    for key in ("after", "before"):
        response = client.get(reverse("referrals_admin:inbox"), {key: cursor})
        assert response.status_code == 200


def test_a_cursor_never_shows_another_organisations_referrals(
    client, editor_b, activity_a, activity_b
):
    theirs = referral_send(activities=[activity_a])
    referral_send(activities=[activity_b])
    row = Destination.objects.get(referral=theirs)
    client.force_login(editor_b)
    for key in ("after", "before"):
        for at in (row, None):
            cursor = paging.cursor_make(row) if at else "1.1"
            html = client.get(reverse("referrals_admin:inbox"), {key: cursor}).content.decode()
            assert theirs.reference not in html


def test_the_count_stops_at_its_limit(client, navigator, activity_a, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 2)
    for _ in range(3):
        referral_send(activities=[activity_a])
    client.force_login(navigator)

    assert "More than 2 referrals" in client.get(reverse("referrals_admin:inbox")).content.decode()
    monkeypatch.setattr(paging, "COUNT_LIMIT", 5)
    assert (
        "3 referrals in this list" in client.get(reverse("referrals_admin:inbox")).content.decode()
    )
