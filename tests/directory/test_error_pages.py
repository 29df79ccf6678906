"""Issue 13: a bad link gets the site's own page (header, search, crisis line), not Django's."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/no-such-page/", "/providers/nobody/", "/venues/nowhere/"])
def test_a_bad_link_gets_a_helpful_404_in_the_site_layout(client, home, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html
    assert 'role="search"' in html and 'href="/find/"' in html
    assert "In a crisis?" in html and "Skip to main content" in html


def test_the_500_page_renders_without_a_request_or_database():
    # Django renders 500.html with no request and no context processors.
    html = render_to_string("500.html")
    assert "something went wrong on our side" in html and "In a crisis?" in html
