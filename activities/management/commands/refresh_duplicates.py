"""python manage.py refresh_duplicates (nightly: see README "Stored duplicates report")"""

from django.core.management.base import BaseCommand

from activities.duplicates.store import stored_pairs_refresh_all


class Command(BaseCommand):
    help = (
        "Scan every current activity for cross-provider duplicates and clashes and replace "
        "the stored pairs the admin's duplicates report reads. Meant for a nightly timer; "
        "publishing, unpublishing and importing rescan the activities they change."
    )

    def handle(self, *args, **options):
        count = stored_pairs_refresh_all()
        self.stdout.write(f"Stored {count} pair{'' if count == 1 else 's'}.")
