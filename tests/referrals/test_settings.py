"""REFERRAL_ENCRYPTION_KEYS: required in production, derived from SECRET_KEY only when DEBUG."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(len(s.REFERRAL_ENCRYPTION_KEYS))"
)


def run(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "REFERRAL_ENCRYPTION_KEYS"}
    return subprocess.run(
        [sys.executable, "-c", CODE],
        env={
            **clean,
            "SECRET_KEY": "a-secret-for-this-subprocess-only-0123456789abcdefghij",
            "DJANGO_SETTINGS_MODULE": "directory.settings",
            "DEBUG": "false",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_production_without_keys_refuses_to_start():
    result = run()
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set REFERRAL_ENCRYPTION_KEYS" in result.stderr


def test_debug_derives_a_key_and_production_takes_a_list():
    assert run(DEBUG="true").stdout == "1\n"
    keys = (
        "dGVzdC1vbmx5LXJlZmVycmFsLWtleS0wMTIzNDU2Nzg=, YmVuY2gtb25seS1yZWZlcnJhbC1rZXktMDEyMzQ1Njc="
    )
    assert run(REFERRAL_ENCRYPTION_KEYS=keys).stdout == "2\n"


def test_password_reset_timeout_is_read_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.PASSWORD_RESET_TIMEOUT)"
    )
    env = {
        **os.environ,
        "SECRET_KEY": "a-secret-for-this-subprocess-only-0123456789abcdefghij",
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "DEBUG": "true",
    }
    for value, expected in ((None, "259200"), ("86400", "86400")):
        if value is not None:
            env["PASSWORD_RESET_TIMEOUT"] = value
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert result.stdout == f"{expected}\n", result.stderr
