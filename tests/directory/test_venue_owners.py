"""Shared venues have owners (issue 10): only the owners' editors and city admins change a
venue; other editors propose changes, which an owner's editor or a city admin decides."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from directory.enums import ProposalStatus
from directory.models import VenueOwner, VenueProposal
from directory.services import VENUE_PROPOSAL_FIELDS, venue_owners_add
from tests.directory.test_permissions import assert_denied
from tests.factories import ActivityFactory, ProviderFactory, VenueFactory, VenueFeatureFactory
from venues.accessibility import FEATURES
from venues.models import Venue, VenueFeature

STEP_FREE = FEATURES["step_free_entrance"].label
LOOP = FEATURES["hearing_loop"].label
migration = importlib.import_module("directory.migrations.0006_venue_owners")


@pytest.fixture
def venue(provider_a):
    """The Life Rooms, owned by provider A, step-free."""
    venue = VenueFactory(name="Life Rooms Walton", postcode="L9 1AD", address="Walton Hall Ave")
    VenueFeatureFactory(venue=venue, code="step_free_entrance", status="yes")
    venue_owners_add(venue=venue, providers=[provider_a])
    return venue


def venue_form_data(venue, **changes):
    data = {
        "name": venue.name,
        "slug": venue.slug,
        "address": venue.address,
        "postcode": venue.postcode,
        "latitude": venue.latitude if venue.latitude is not None else "",
        "longitude": venue.longitude if venue.longitude is not None else "",
        "phone": venue.phone,
        "access_guide_url": venue.access_guide_url,
        "access_notes": venue.access_notes,
        **nested_form_data(
            {
                "features": inline_formset(
                    [
                        {"id": f.pk, "code": f.code, "status": f.status, "details": f.details}
                        for f in venue.features.all()
                    ],
                    initial=venue.features.count(),
                )
            }
        ),
    }
    data.update(changes)
    return data


def edit_venue_url(venue):
    return reverse("wagtailsnippets_venues_venue:edit", args=[venue.pk])


def propose_url(venue):
    return reverse("venue_propose", args=[venue.pk])


def proposal_data(venue, **changes):
    data = {name: getattr(venue, name) for name in VENUE_PROPOSAL_FIELDS}
    data.update(note="", feature_step_free_entrance="yes")
    data.update(changes)
    return data


# --- changing a venue ------------------------------------------------------------------------


def test_other_providers_editor_cannot_rename_move_or_unset_access(client, venue, editor_b):
    client.force_login(editor_b)
    data = venue_form_data(venue, name="Renamed", latitude="53.5", longitude="-2.9")
    data["features-0-status"] = "no"

    response = client.post(edit_venue_url(venue), data)

    assert (response.status_code, response["Location"]) == (302, propose_url(venue))
    assert "it belongs to Mersey Minds" in client.get(response["Location"]).content.decode()
    stored = Venue.objects.get(pk=venue.pk)
    assert (stored.name, stored.latitude) == ("Life Rooms Walton", venue.latitude)
    assert VenueFeature.objects.get(venue=venue).status == "yes"


def test_other_providers_editor_opening_edit_is_sent_to_propose(client, venue, editor_b):
    client.force_login(editor_b)

    response = client.get(edit_venue_url(venue), follow=True)

    assert response.redirect_chain == [(propose_url(venue), 302)]
    html = response.content.decode()
    assert "it belongs to Mersey Minds" in html
    assert 'name="feature_step_free_entrance"' in html


def test_owners_editor_changes_the_venue(client, venue, editor_a):
    client.force_login(editor_a)

    response = client.post(edit_venue_url(venue), venue_form_data(venue, name="Life Rooms"))

    assert response.status_code == 302
    assert Venue.objects.get(pk=venue.pk).name == "Life Rooms"


def test_city_admin_changes_any_venue(client, venue, city_admin):
    client.force_login(city_admin)

    response = client.post(edit_venue_url(venue), venue_form_data(venue, name="Life Rooms"))

    assert response.status_code == 302
    assert Venue.objects.get(pk=venue.pk).name == "Life Rooms"


def test_editor_cannot_delete_a_venue_others_use(client, venue, editor_a, provider_b):
    ActivityFactory(parent=provider_b, venue=venue)
    client.force_login(editor_a)

    response = client.post(reverse("wagtailsnippets_venues_venue:delete", args=[venue.pk]))

    assert_denied(response)
    assert Venue.objects.filter(pk=venue.pk).exists()


def test_venue_an_editor_creates_belongs_to_their_provider(client, editor_a, provider_a):
    client.force_login(editor_a)
    fresh = Venue(name="Toxteth Library", slug="toxteth-library", address="Windsor St")
    data = venue_form_data(fresh, postcode="L8 1XF")
    data.update(nested_form_data({"features": inline_formset([])}))

    response = client.post(reverse("wagtailsnippets_venues_venue:add"), data)

    assert response.status_code == 302
    venue = Venue.objects.get(slug="toxteth-library")
    assert list(VenueOwner.objects.filter(venue=venue).values_list("provider", flat=True)) == [
        provider_a.pk
    ]


def test_listing_offers_edit_to_owner_and_propose_to_others(client, venue, editor_b):
    client.force_login(editor_b)

    html = client.get(reverse("wagtailsnippets_venues_venue:list")).content.decode()

    assert f'href="{propose_url(venue)}"' in html
    assert "Propose a change to Life Rooms Walton" in html


# --- proposing and deciding ------------------------------------------------------------------


@pytest.fixture
def proposed(client, venue, editor_b):
    client.force_login(editor_b)
    response = client.post(
        propose_url(venue),
        proposal_data(
            venue,
            name="Life Rooms Walton (Walton Hall Park)",
            feature_step_free_entrance="no",
            feature_hearing_loop="yes",
            note="The lift is out of order.",
        ),
    )
    assert (response.status_code, response["Location"]) == (302, reverse("venue_proposals"))
    client.logout()
    return VenueProposal.objects.get()


def test_proposal_is_recorded_and_changes_nothing_yet(proposed, venue, editor_b, provider_b):
    assert (proposed.status, proposed.proposed_by, proposed.provider_id) == (
        ProposalStatus.PENDING,
        editor_b,
        provider_b.pk,
    )
    assert proposed.values["features"]["step_free_entrance"] == "no"
    assert proposed.values["name"] == "Life Rooms Walton (Walton Hall Park)"
    assert Venue.objects.get(pk=venue.pk).name == "Life Rooms Walton"
    assert VenueFeature.objects.get(venue=venue).status == "yes"


def test_owner_sees_proposal_with_what_would_change(client, proposed, editor_a):
    client.force_login(editor_a)

    html = client.get(reverse("venue_proposals")).content.decode()

    assert 'id="proposal-' in html
    assert "The lift is out of order." in html
    assert f'<tr><th scope="row">{STEP_FREE}</th><td>Yes</td><td>No</td></tr>' in html
    assert f'<tr><th scope="row">{LOOP}</th><td>Not known</td><td>Yes</td></tr>' in html
    assert "Approve and apply" in html


def test_owner_approves_and_it_is_applied_with_who_and_when(client, proposed, venue, editor_a):
    client.force_login(editor_a)

    response = client.post(
        reverse("venue_proposal_decision", args=[proposed.pk]), {"decision": "approve"}
    )

    assert response.status_code == 302
    proposal = VenueProposal.objects.get(pk=proposed.pk)
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPROVED, editor_a)
    assert proposal.decided_at is not None
    stored = Venue.objects.get(pk=venue.pk)
    assert stored.name == "Life Rooms Walton (Walton Hall Park)"
    assert dict(stored.features.values_list("code", "status")) == {
        "step_free_entrance": "no",
        "hearing_loop": "yes",
    }


def test_owner_rejects_and_nothing_changes(client, proposed, venue, editor_a):
    client.force_login(editor_a)

    client.post(reverse("venue_proposal_decision", args=[proposed.pk]), {"decision": "reject"})

    proposal = VenueProposal.objects.get(pk=proposed.pk)
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.REJECTED, editor_a)
    assert Venue.objects.get(pk=venue.pk).name == "Life Rooms Walton"


def test_proposer_cannot_approve_their_own_proposal(client, proposed, venue, editor_b):
    client.force_login(editor_b)

    response = client.post(
        reverse("venue_proposal_decision", args=[proposed.pk]), {"decision": "approve"}
    )

    assert_denied(response)
    assert VenueProposal.objects.get(pk=proposed.pk).status == ProposalStatus.PENDING
    assert Venue.objects.get(pk=venue.pk).name == "Life Rooms Walton"
    assert "Approve and apply" not in client.get(reverse("venue_proposals")).content.decode()


def test_city_admin_approves_any_proposal(client, proposed, city_admin):
    client.force_login(city_admin)

    client.post(reverse("venue_proposal_decision", args=[proposed.pk]), {"decision": "approve"})

    assert VenueProposal.objects.get(pk=proposed.pk).decided_by == city_admin


def test_proposal_with_a_bad_postcode_is_a_clear_error_and_keeps_what_was_typed(
    client, venue, editor_b
):
    client.force_login(editor_b)

    response = client.post(
        propose_url(venue), proposal_data(venue, postcode="NOT A CODE", name="New name")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'value="New name"' in html
    assert VenueProposal.objects.count() == 0


def test_proposal_with_a_status_outside_the_vocabulary_is_refused(client, venue, editor_b):
    client.force_login(editor_b)

    response = client.post(propose_url(venue), proposal_data(venue, feature_hearing_loop="maybe"))

    assert response.status_code == 400
    assert VenueProposal.objects.count() == 0


def test_someone_outside_every_provider_cannot_propose(client, venue, django_user_model):
    user = django_user_model.objects.create_user("eve", "e@example.org", "pw-not-used-3")
    client.force_login(user)

    assert client.get(propose_url(venue))["Location"].startswith(reverse("wagtailadmin_login"))
    assert client.post(propose_url(venue), proposal_data(venue)).status_code == 302
    assert VenueProposal.objects.count() == 0


# --- the data migration ----------------------------------------------------------------------


def test_migration_gives_existing_venues_their_activities_providers(provider_a, provider_b):
    shared, unused = VenueFactory(), VenueFactory()
    ActivityFactory(parent=provider_a, venue=shared)
    ActivityFactory(parent=provider_b, venue=shared)
    ActivityFactory(
        parent=ProviderFactory(title="Online only"),
        venue=None,
        online=True,
        meeting_link="https://meet.example.org/x",
    )

    migration.owners_from_activities(apps, None)

    owners = set(VenueOwner.objects.values_list("venue", "provider"))
    assert owners == {(shared.pk, provider_a.pk), (shared.pk, provider_b.pk)}
    assert not VenueOwner.objects.filter(venue=unused).exists()


def test_other_providers_editor_still_chooses_the_venue_for_an_activity(client, venue, editor_b):
    client.force_login(editor_b)

    response = client.get(reverse("wagtailsnippetchoosers_venues_venue:choose"))

    assert response.status_code == 200
    assert "Life Rooms Walton" in response.json()["html"]


# --- city admins choose owners -----------------------------------------------------------------


def test_city_admin_sets_a_venues_owners(client, venue, city_admin, provider_a, provider_b):
    client.force_login(city_admin)
    url = reverse("venue_owners", args=[venue.pk])
    html = client.get(url).content.decode()
    checked = re.findall(r'<input type="checkbox" name="owners" value="(\d+)"[^>]*checked', html)
    assert checked == [str(provider_a.pk)]

    response = client.post(url, {"owners": [provider_b.pk]})

    assert response.status_code == 302
    assert list(VenueOwner.objects.filter(venue=venue).values_list("provider", flat=True)) == [
        provider_b.pk
    ]


def test_editor_cannot_set_owners(client, venue, editor_b, provider_b):
    client.force_login(editor_b)

    response = client.post(reverse("venue_owners", args=[venue.pk]), {"owners": [provider_b.pk]})

    assert_denied(response)
    assert not VenueOwner.objects.filter(venue=venue, provider=provider_b).exists()
