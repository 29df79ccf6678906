"""The daily timer: remind, escalate, close what ended, erase. Idempotent (twice: nothing more)."""

from django.core.management.base import BaseCommand

from referrals.retention import referrals_erase_due
from referrals.selectors import destinations_due, referrals_ended_open
from referrals.services import destination_escalate, destination_remind, referral_close_if_ended


class Command(BaseCommand):
    help = (
        "Remind providers of unanswered referrals, escalate those still unanswered to the "
        "navigators, close referrals whose every destination ended, and erase personal details "
        "past REFERRAL_RETENTION_DAYS."
    )

    def handle(self, *args, **options):
        reminded = escalated = 0
        for destination in destinations_due():
            if destination.reminded_at is None:
                reminded += destination_remind(destination=destination)
            else:
                escalated += destination_escalate(destination=destination)
        # Retention counts from when the referral ended (its last event), not from this run.
        closed = sum(
            referral_close_if_ended(referral=referral, now=referral.ended_at)
            for referral in referrals_ended_open()
        )
        erased = referrals_erase_due()
        self.stdout.write(
            f"Reminded {reminded}, escalated {escalated}, closed {closed}, erased {erased}."
        )
