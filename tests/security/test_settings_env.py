"""Issue 10: production settings read from the environment as documented (real processes)."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support.site_process import site_process

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "test-secret-key-for-a-subprocess-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "https://nowrongdoor.example.org",
    "DJANGO_SETTINGS_MODULE": "directory.settings",
}


def _settings(**env) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "'preload': s.SECURE_HSTS_PRELOAD}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"SECURE_PROXY_SSL_HEADER", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **PRODUCTION, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_proxy_ssl_header_is_trusted_only_when_configured():
    assert _settings()["proxy"] is None
    assert _settings(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")["proxy"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_production_refuses_to_start_without_site_url():
    env = {k: v for k, v in {**os.environ, **PRODUCTION}.items() if k not in {"SITE_URL", "DEBUG"}}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, cwd=ROOT, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the SITE_URL environment variable" in result.stderr


def test_site_url_is_read_from_the_environment_and_optional_when_debugging():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SITE_URL, s.WAGTAILADMIN_BASE_URL)"
    )

    def site_url(**env):
        clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DEBUG"}}
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**clean, **{k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.split()

    assert site_url(SITE_URL="https://nwd.example.org/") == [
        "https://nwd.example.org",
        "https://nwd.example.org/",
    ]
    assert site_url(DEBUG="true") == ["http://localhost:8000", "http://localhost:8000"]


def test_hsts_preload_is_off_unless_asked_for():
    assert _settings()["preload"] is False
    assert _settings(SECURE_HSTS_PRELOAD="true")["preload"] is True


# serialized_rollback: later tests find the migrations' data again after this test's flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_site_runs_under_gunicorn_with_redis_url_set_and_caches_in_redis(tmp_path):
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url("redis://127.0.0.1:6379/9")
    server.flushdb()
    statuses = {}
    with site_process(tmp_path, REDIS_URL="redis://127.0.0.1:6379/9") as site:
        for path in ["/activities/", "/activities/feed.ics", "/find/", "/admin/login/"]:
            with urllib.request.urlopen(f"{site.url}{path}", timeout=30) as response:
                statuses[path] = response.status
    assert statuses == dict.fromkeys(statuses, 200) and len(statuses) == 4
    assert server.dbsize() > 0  # the feed's validators were cached in Redis
    server.flushdb()
