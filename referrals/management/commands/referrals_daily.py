"""The daily timer: remind, escalate and erase. Idempotent: running it twice does nothing more."""

from django.core.management.base import BaseCommand

from referrals.retention import referrals_erase_due
from referrals.selectors import destinations_due
from referrals.services import destination_escalate, destination_remind


class Command(BaseCommand):
    help = (
        "Remind providers of unanswered referrals, escalate those still unanswered to the "
        "navigators, and erase personal details past REFERRAL_RETENTION_DAYS."
    )

    def handle(self, *args, **options):
        reminded = escalated = 0
        for destination in destinations_due():
            if destination.reminded_at is None:
                reminded += destination_remind(destination=destination)
            else:
                escalated += destination_escalate(destination=destination)
        erased = referrals_erase_due()
        self.stdout.write(f"Reminded {reminded}, escalated {escalated}, erased {erased}.")
