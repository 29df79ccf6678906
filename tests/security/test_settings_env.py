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
    "DJANGO_SETTINGS_MODULE": "directory.settings",
}


def _settings(**env) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "'preload': s.SECURE_HSTS_PRELOAD}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"SECURE_PROXY_SSL_HEADER"}}
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


def test_hsts_preload_is_off_unless_asked_for():
    assert _settings()["preload"] is False
    assert _settings(SECURE_HSTS_PRELOAD="true")["preload"] is True


@pytest.mark.django_db(transaction=True)
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
