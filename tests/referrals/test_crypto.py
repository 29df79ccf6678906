import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from referrals import crypto, services
from referrals.enums import DeclineReason
from referrals.models import Referral
from tests.factories.referrals import PERSON_EMAIL, PERSON_NAME, PERSON_PHONE, referral_send

SECRETS = (PERSON_NAME, PERSON_PHONE, PERSON_EMAIL, "bereavement", "Zebedee")
NOTE = "Told me about Zebedee's bereavement"


def raw_rows(table: str) -> list[str]:
    """Every row of `table`, as the database holds it (no model, no decryption)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
        return [" ".join(str(value) for value in row) for row in cursor.fetchall()]


def test_raw_columns_hold_no_readable_personal_data(activity_a, activity_b, as_provider_a):
    referral = referral_send(activities=[activity_a])
    services.destination_decline(
        destination=referral.destinations.get(),
        actor=as_provider_a,
        reason=DeclineReason.OTHER,
        note=NOTE,
        forward_to=[activity_b],
        consent_confirmed=True,
    )
    services.referral_viewed(referral=referral, user=as_provider_a.user, where="test")

    tables = [
        "referrals_referral",
        "referrals_destination",
        "referrals_event",
        "wagtailcore_modellogentry",
    ]
    dumped = "\n".join(row for table in tables for row in raw_rows(table))
    assert referral.reference in dumped  # the rows are really there
    for secret in SECRETS:
        assert secret.lower() not in dumped.lower()
    # ... yet the models read them back.
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.details["name"] == PERSON_NAME
    assert stored.destinations.get(state="forwarded").decline_note == NOTE


def test_a_changed_byte_fails_to_decrypt_rather_than_reading_wrong(db):
    token = crypto.encrypt_text("hello")
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(InvalidToken):
        crypto.decrypt_text(tampered)


def test_rotation_re_encrypts_under_the_new_key(activity_a, settings):
    old_key = settings.REFERRAL_ENCRYPTION_KEYS[0]
    referral = referral_send(activities=[activity_a])
    new_key = Fernet.generate_key().decode()

    with override_settings(REFERRAL_ENCRYPTION_KEYS=[new_key, old_key]):
        out = io.StringIO()
        call_command("rotate_referral_keys", stdout=out)
    assert out.getvalue() == "Re-encrypted 1 value(s) with the current key.\n"

    # The new key alone now opens it; the old key alone no longer does.
    with override_settings(REFERRAL_ENCRYPTION_KEYS=[new_key]):
        assert Referral.objects.get(pk=referral.pk).details["name"] == PERSON_NAME
    with override_settings(REFERRAL_ENCRYPTION_KEYS=[old_key]), pytest.raises(InvalidToken):
        Referral.objects.get(pk=referral.pk)


def test_missing_keys_are_a_configuration_error(db):
    with override_settings(REFERRAL_ENCRYPTION_KEYS=[]), pytest.raises(ImproperlyConfigured):
        crypto.encrypt_text("x")
    with override_settings(REFERRAL_ENCRYPTION_KEYS=["nope"]), pytest.raises(ImproperlyConfigured):
        crypto.encrypt_text("x")
