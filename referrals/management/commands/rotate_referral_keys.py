"""Re-encrypt referrals' personal details under the first REFERRAL_ENCRYPTION_KEYS key."""

from django.core.management.base import BaseCommand

from referrals.retention import keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every referral's personal details with the first key in "
        "REFERRAL_ENCRYPTION_KEYS (after putting a new key first). Safe to run again."
    )

    def handle(self, *args, **options):
        count = keys_rotate()
        self.stdout.write(f"Re-encrypted {count} value(s) with the current key.")
