"""Issue 15: /healthz tells a load balancer whether this server reaches its database and cache."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

NO_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: a real connection refused, as when Redis is down.
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_healthz_answers_ok_to_a_probe_by_address_over_plain_http(client):
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["example.org"]):
        response = client.get("/healthz", HTTP_HOST="10.0.0.5")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_says_which_part_is_down_with_a_503(client):
    with override_settings(CACHES=NO_REDIS):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "unavailable"}


def test_other_addresses_still_check_the_host(client):
    with override_settings(ALLOWED_HOSTS=["example.org"]):
        assert client.get("/healthz/", HTTP_HOST="10.0.0.5").status_code == 400
