"""The timetable import never changes a venue the importing organisation does not own
(issue 10): it links to it, says in the preview what it left alone, and imports the rest.
Through real admin uploads of real CSV files."""

import pytest
from django.contrib.messages import get_messages
from django.utils.html import escape

from activities.models import ActivityPage
from directory.models import VenueOwner
from directory.services import provider_editor_add, venue_owners_add
from tests.activities.imports.test_admin_import import CONFIRM, check, row
from tests.factories import ProviderFactory, VenueFactory, VenueFeatureFactory
from venues.models import Venue

pytestmark = pytest.mark.django_db

SKIPPED = (
    "Row 2: Venue “Hope Hall” belongs to Other Org: its map position and access changes "
    "(Step-free way in, Hearing loop) not applied; propose them from the venue page. "
    "The activities are still linked to it."
)


@pytest.fixture
def provider():
    return ProviderFactory(title="Hope Wellbeing")


@pytest.fixture
def hall():
    """Hope Hall, owned by Other Org: step-free, no coordinates yet."""
    hall = VenueFactory(
        name="Hope Hall", postcode="L1 9BQ", address="1 Hope Street", latitude=None, longitude=None
    )
    VenueFeatureFactory(venue=hall, code="step_free_entrance", status="yes")
    venue_owners_add(venue=hall, providers=[ProviderFactory(title="Other Org")])
    return hall


@pytest.fixture
def editor_client(client, provider):
    user, _ = provider_editor_add(provider=provider, username="hope", email="h@example.org")
    client.force_login(user)
    return client


def changing_rows():
    return [
        row(
            latitude="53.4",
            longitude="-2.97",
            accessibility="step_free_entrance:no;hearing_loop",
        )
    ]


def test_preview_says_what_it_would_have_changed_and_that_it_was_skipped(
    editor_client, provider, hall
):
    response = check(editor_client, provider, changing_rows())

    assert response.status_code == 200
    assert escape(SKIPPED) in response.content.decode()


def test_confirmed_import_links_the_venue_but_leaves_it_unchanged(editor_client, provider, hall):
    check(editor_client, provider, changing_rows())
    token = editor_client.session["timetable_import"]["token"]

    response = editor_client.post(CONFIRM, {"token": token})

    assert response.status_code == 302
    assert SKIPPED in [str(m) for m in get_messages(response.wsgi_request)]
    activity = ActivityPage.objects.get(provider=provider)
    assert activity.venue_id == hall.pk
    stored = Venue.objects.get(pk=hall.pk)
    assert (stored.latitude, stored.longitude) == (None, None)
    assert list(stored.features.values_list("code", "status")) == [("step_free_entrance", "yes")]


def test_owners_import_changes_their_venue(editor_client, provider, hall):
    venue_owners_add(venue=hall, providers=[provider])
    check(editor_client, provider, changing_rows())

    editor_client.post(CONFIRM, {"token": editor_client.session["timetable_import"]["token"]})

    stored = Venue.objects.get(pk=hall.pk)
    assert (stored.latitude, stored.longitude) == (53.4, -2.97)
    assert sorted(stored.features.values_list("code", "status")) == [
        ("hearing_loop", "yes"),
        ("step_free_entrance", "no"),
    ]


def test_city_admin_importing_may_change_any_venue(client, city_admin, provider, hall):
    client.force_login(city_admin)
    response = check(client, provider, changing_rows())
    assert "belongs to" not in response.content.decode()

    client.post(CONFIRM, {"token": client.session["timetable_import"]["token"]})

    assert Venue.objects.get(pk=hall.pk).latitude == 53.4


def test_a_venue_the_import_creates_belongs_to_the_importing_provider(editor_client, provider):
    check(editor_client, provider, [row(venue_name="Brand New Hall", postcode="L8 1XF")])

    editor_client.post(CONFIRM, {"token": editor_client.session["timetable_import"]["token"]})

    venue = Venue.objects.get(name="Brand New Hall")
    assert list(VenueOwner.objects.filter(venue=venue).values_list("provider", flat=True)) == [
        provider.pk
    ]
