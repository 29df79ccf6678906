"""The activity editor's "what next" field searches instead of listing every activity."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import ActivityPage
from tests.factories import ActivityFactory, ProviderFactory
from tests.support.admin_forms import PUBLISH, activity_form_data, edit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(provider_a):
    return ActivityFactory(parent=provider_a, title="Understanding Anxiety")


def _others(count: int, start: int = 0, **fields) -> list[ActivityPage]:
    return [ActivityFactory(title=f"Peer walk number {start + i}", **fields) for i in range(count)]


def _edit_page(client, page) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(edit_url(page))
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_edit_page_lists_only_chosen_next_steps(client, city_admin, course):
    others = _others(5)
    course.next_steps.set([others[2]])
    course.save_revision().publish()
    client.force_login(city_admin)
    html, _ = _edit_page(client, course)
    assert f'name="next_steps" value="{others[2].pk}" checked' in html
    assert "Peer walk number 2" in html
    assert "Peer walk number 3" not in html
    assert reverse("next_steps_search") in html


def test_edit_page_size_and_queries_do_not_grow_with_activities(client, city_admin, course):
    client.force_login(city_admin)
    elsewhere = ProviderFactory(title="Elsewhere")
    _others(3, parent=elsewhere)
    _edit_page(client, course)  # the first visit subscribes the editor to comments
    small, small_queries = _edit_page(client, course)
    _others(40, start=100, parent=elsewhere)
    large, large_queries = _edit_page(client, course)
    assert large_queries == small_queries
    # Only the CSRF token and the like differ: no option per activity.
    assert abs(len(large) - len(small)) < 200


def test_search_finds_live_activities_and_own_drafts_only(client, editor_a, course, provider_b):
    ActivityFactory(parent=provider_b, title="Anxiety peer group")
    ActivityFactory(parent=provider_b, title="Anxiety draft elsewhere", live=False)
    ActivityFactory(parent=course.get_parent(), title="Anxiety draft of ours", live=False)
    client.force_login(editor_a)
    response = client.get(reverse("next_steps_search"), {"q": "anxiety"})
    labels = [item["label"] for item in response.json()["results"]]
    assert labels == [
        "Anxiety draft of ours (Mersey Minds) – draft",
        "Anxiety peer group (Bold Street Wellbeing)",
        "Understanding Anxiety (Mersey Minds)",
    ]
    assert client.get(reverse("next_steps_search"), {"q": "a"}).json() == {"results": []}


def test_search_needs_admin_sign_in(client, course):
    response = client.get(reverse("next_steps_search"), {"q": "anxiety"})
    assert response.status_code == 302


def test_chosen_next_steps_are_saved_from_ticked_boxes(client, city_admin, course):
    walk, group = _others(2)
    client.force_login(city_admin)
    data = activity_form_data(course, next_steps=[walk.pk, group.pk], **PUBLISH)
    response = client.post(edit_url(course), data)
    assert response.status_code == 302, response.content[:2000]
    course.refresh_from_db()
    assert set(course.next_steps.values_list("pk", flat=True)) == {walk.pk, group.pk}
