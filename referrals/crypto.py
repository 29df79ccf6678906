"""Encryption at rest for referrals' personal details, with `cryptography`'s MultiFernet.

REFERRAL_ENCRYPTION_KEYS holds Fernet keys; the first encrypts, every one decrypts, so a new
key goes first, `manage.py rotate_referral_keys` re-encrypts every row with it, and the old key
can then be dropped. Fernet is AES-128-CBC with an HMAC-SHA256: a changed byte fails to decrypt
rather than decrypting to something else. The database only ever holds the tokens.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("Set REFERRAL_ENCRYPTION_KEYS (comma-separated Fernet keys).")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "REFERRAL_ENCRYPTION_KEYS must be Fernet keys "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        ) from exc


def fernet() -> MultiFernet:
    # Cached per key list, so a changed setting (a test's override) takes effect at once.
    return _fernet(tuple(settings.REFERRAL_ENCRYPTION_KEYS))


def encrypt_text(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """Raises cryptography.fernet.InvalidToken for a token no configured key opens."""
    return fernet().decrypt(token.encode("ascii")).decode()


def encrypt_json(value: Any) -> str:
    return encrypt_text(json.dumps(value, separators=(",", ":"), sort_keys=True))


def decrypt_json(token: str) -> Any:
    return json.loads(decrypt_text(token))


def rotate(token: str) -> str:
    """The same plaintext under the first key (MultiFernet.rotate keeps the timestamp)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token: never filtered, ordered or indexed on."""

    description = "JSON encrypted with Fernet"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return decrypt_json(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt_json(value)

    def value_to_string(self, obj):
        # Serialisation (dumpdata) keeps the token: a fixture never holds plain details.
        return self.get_prep_value(self.value_from_object(obj))


class EncryptedTextField(EncryptedJSONField):
    """Free text stored as a Fernet token ("" stays an empty column)."""

    description = "Text encrypted with Fernet"

    def from_db_value(self, value, expression, connection):
        return decrypt_text(value) if value else ""

    def get_prep_value(self, value):
        return encrypt_text(value) if value else ""
