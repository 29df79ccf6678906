"""Issue 10: security headers on public and admin pages (real requests through the middleware)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ActivityFactory, ScheduleFactory

PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def activity_url(db):
    activity = ActivityFactory(title="Art group")
    ScheduleFactory(activity=activity)
    return activity.url


@pytest.fixture
def public_paths(activity_url):
    return ["/", "/activities/", activity_url, "/find/", "/shortlist/", "/providers/"]


def test_public_pages_allow_only_our_own_scripts_and_styles(client, public_paths):
    for path in public_paths:
        response = client.get(path)
        assert response.status_code == 200, path
        csp = policy(response)
        assert csp["script-src"] == ["'self'"], path
        assert csp["style-src"] == ["'self'"], path
        assert csp["default-src"] == ["'self'"], path
        assert csp["object-src"] == ["'none'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert csp["base-uri"] == ["'self'"], path
        assert "unsafe-inline" not in response["Content-Security-Policy"], path
        assert "unsafe-eval" not in response["Content-Security-Policy"], path


def test_public_pages_send_the_other_security_headers(client, public_paths):
    for path in public_paths:
        response = client.get(path)
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY, path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["Referrer-Policy"] in {"same-origin", "strict-origin"}, path


def test_an_error_page_has_the_strict_policy_too(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert policy(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/password_reset/"])
def test_admin_pages_get_the_relaxed_policy_wagtail_needs(client, db, path):
    response = client.get(path)

    csp = policy(response)
    assert response.status_code == 200
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["connect-src"] == ["'self'", "https://releases.wagtail.org"]
    assert csp["object-src"] == ["'none'"]  # the rest of the public policy still holds
    assert csp["frame-ancestors"] == ["'self'"]  # Wagtail's preview frames
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_a_signed_in_admin_page_has_the_admin_policy(client, city_admin):
    client.force_login(city_admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'", "'unsafe-inline'"]


def test_admin_avatars_never_come_from_a_third_party(client, city_admin):
    client.force_login(city_admin)

    html = client.get("/admin/").content.decode()

    assert "gravatar" not in html
    assert "/static/wagtailadmin/images/default-user-avatar" in html


def test_a_path_that_only_starts_like_admin_is_public(client, db):
    response = client.get("/administration/")

    assert policy(response)["script-src"] == ["'self'"]


TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Admin screens live under templates/*/admin/ and the second factor's pages under signin/ (both
# served under /admin/, with the admin policy); everything else is a public page.
ADMIN_TEMPLATES = {"admin", "signin"}
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), 'a style="" attribute'),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "an on...= event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: address"),
]


def test_public_templates_have_no_inline_script_or_style():
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        if ADMIN_TEMPLATES & set(template.relative_to(TEMPLATES).parts):
            continue
        text = template.read_text(encoding="utf-8")
        found += [
            f"{template.relative_to(TEMPLATES)}: {what}" for rx, what in INLINE if rx.search(text)
        ]

    assert found == []
