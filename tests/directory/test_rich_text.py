"""Rich text comes from Draftail as JSON contentstate; anything else posted is a form error."""

import re

import pytest
from django.utils.html import escape
from wagtail.test.utils.form_data import rich_text

from directory.models import ProviderPage
from tests.directory.test_permissions import provider_form_data
from tests.support.admin_forms import edit_url

RAW_HTML = "<p>We <b>moved</b> to Bold Street</p><script>alert(1)</script>"
MESSAGE = "This text could not be read: use the editor's toolbar, or paste plain text."


@pytest.fixture
def client_a(client, editor_a):
    client.force_login(editor_a)
    return client


@pytest.mark.parametrize("posted", [RAW_HTML, "not json {", "[1, 2]", '{"blocks": 3}', "42"])
def test_raw_html_in_rich_text_is_a_form_error_not_a_500(client_a, provider_a, posted):
    before = ProviderPage.objects.get(pk=provider_a.pk).latest_revision_id

    response = client_a.post(
        edit_url(provider_a), provider_form_data(provider_a, about=posted, contact_phone="0151")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert escape(MESSAGE) in html
    assert "alert(1)</script>" not in html
    assert response.context["form"].errors["about"] == [MESSAGE]
    # Nothing saved: no new revision.
    assert ProviderPage.objects.get(pk=provider_a.pk).latest_revision_id == before


def test_raw_html_error_keeps_the_other_fields_typed(client_a, provider_a):
    response = client_a.post(
        edit_url(provider_a),
        provider_form_data(provider_a, about=RAW_HTML, website="https://x.org"),
    )

    assert 'value="https://x.org"' in response.content.decode()


def test_contentstate_from_draftail_still_saves(client_a, provider_a):
    response = client_a.post(
        edit_url(provider_a), provider_form_data(provider_a, about=rich_text("<p>Hello</p>"))
    )

    assert response.status_code == 302
    page = ProviderPage.objects.get(pk=provider_a.pk).get_latest_revision_as_object()
    assert re.fullmatch(r"<p data-block-key=\"\w+\">Hello</p>", page.about)
