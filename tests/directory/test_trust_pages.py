"""Issue 13: about, privacy, accessibility statement and contact pages, linked from every
page's footer; the 403 pages keep the site's header and crisis line."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/about/", "About No Wrong Door"),
        ("/privacy/", "Privacy: what we keep and what we do not"),
        ("/accessibility/", "Accessibility statement"),
        ("/contact/", "Contact us"),
    ],
)
def test_trust_page_is_linked_from_the_footer_of_every_page(client, home, path, heading):
    html = client.get(path).content.decode()
    assert f"<h1>{heading}</h1>" in html
    footer = client.get("/").content.decode().split('class="site-footer"')[1]
    assert f'href="{path}"' in footer
    assert "Samaritans" in footer


def test_privacy_page_says_what_the_finder_and_shortlist_do_not_store(client, home):
    html = client.get("/privacy/").content.decode()
    assert "The finder does not store your answers." in html
    assert "nothing is stored in our database" in html
    assert "erased 180 days after the referral closes" in html


def test_a_form_sent_without_its_cookie_gets_the_site_403_page(home):
    activity = ActivityFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post("/shortlist/add/", {"activity": activity.pk})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please try that again" in html
    assert "Nothing was sent or saved." in html
    assert "In a crisis?" in html and "Skip to main content" in html


def test_the_403_page_has_the_header_links_and_crisis_line():
    # Django renders 403.html for PermissionDenied, possibly without context processors.
    html = render_to_string("403.html")
    assert "You cannot see this page" in html
    assert "Skip to main content" in html and "In a crisis?" in html
    assert 'href="/contact/"' in html
