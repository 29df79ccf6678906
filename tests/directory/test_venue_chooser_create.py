"""Creating a venue from the venue chooser in the activity editor: it belongs to the creator's
organisation, like one added from the Venues list."""

import json

from directory.models import VenueOwner
from venues.models import Venue

CHOOSER = "/admin/snippets/choose/venues/venue/"
CREATE = "/admin/snippets/choose/venues/venue/create/"


def test_venue_chooser_offers_to_add_a_venue(client, editor_a):
    client.force_login(editor_a)

    response = client.get(CHOOSER)

    html = json.loads(response.content)["html"]
    assert "Add a venue" in html
    assert 'name="postcode"' in html


def test_venue_created_from_the_chooser_is_owned_by_the_editors_provider(
    client, editor_a, provider_a
):
    client.force_login(editor_a)

    response = client.post(
        CREATE,
        {"name": "Granby Hall", "address": "2 Granby Street, Liverpool", "postcode": "l8 2tu"},
    )

    data = json.loads(response.content)
    venue = Venue.objects.get(name="Granby Hall")
    assert data["step"] == "chosen"
    assert data["result"]["id"] == str(venue.pk)
    assert venue.postcode == "L8 2TU"
    assert list(VenueOwner.objects.filter(venue=venue).values_list("provider", flat=True)) == [
        provider_a.pk
    ]


def test_venue_from_the_chooser_gets_a_slug_of_its_own_when_the_name_is_taken(client, editor_a):
    client.force_login(editor_a)
    for _ in range(2):
        client.post(CREATE, {"name": "Hope Hall", "address": "1 Hope Street", "postcode": ""})

    assert sorted(Venue.objects.values_list("slug", flat=True)) == ["hope-hall", "hope-hall-2"]


def test_chooser_create_form_says_what_is_missing(client, editor_a):
    client.force_login(editor_a)

    response = client.post(CREATE, {"name": "", "address": ""})

    data = json.loads(response.content)
    assert data["step"] == "reshow_creation_form"
    assert "This field is required" in data["htmlFragment"]
    assert not Venue.objects.exists()
