"""The admin at scale: the duplicates report per page, an activity's edit page, "Your timetable".

    .venv/bin/python bench/bench_admin.py [--sizes 10000] [--runs 5]

Each size gets a fresh database (SQLite by default; set DATABASE_URL to an empty PostgreSQL
database to measure there) filled through the spreadsheet import service with 400 providers
and 1,250 venues, as issue 15 measured. Then the nightly scan (``refresh_duplicates``) is
timed once, and a city admin's report pages (the first, the last, a filtered one) and the CSV
are each requested once to warm up and ``--runs`` more times: median time, bytes and queries.
Then the same for one activity's edit page (as a city admin and as its provider's editor) and
the busiest provider's "Your timetable" (as its editor). Targets: the report under 1 s and
200 KB a page; an activity's edit page under 500 ms and 300 KB.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _measure(client, url: str, runs: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(response.content), len(queries)


def child(size: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    import os

    import django

    # The bench measures the report, not the second factor (force_login does not pass OTP).
    os.environ.setdefault("OTP_REQUIRED", "false")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from activities.duplicates.admin import PAIRS_PER_PAGE
    from activities.duplicates.store import stored_pairs_refresh_all
    from activities.imports.services import timetable_import
    from activities.models import StoredDuplicatePair
    from bench.synthetic import timetable_rows

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    timetable_import(rows=timetable_rows(size, venues=1250, providers=400), create_providers=True)
    print(
        f"  ({connection.vendor}: loaded {size} activities in "
        f"{time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    started = time.perf_counter()
    pairs = stored_pairs_refresh_all()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{size:>6} activities | {connection.vendor:<10} | nightly scan: {pairs} pairs stored in "
        f"{time.perf_counter() - started:.1f} s (process peak {peak_mb:.0f} MB)",
        flush=True,
    )

    admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-pw")
    client = Client()
    client.force_login(admin)
    report = reverse("duplicates_report")
    last_page = max(1, -(-StoredDuplicatePair.objects.count() // PAIRS_PER_PAGE))
    first_pair = StoredDuplicatePair.objects.order_by("cluster", "-score").first()
    provider = first_pair.provider_a_id if first_pair else ""
    urls = {
        "report, page 1": report,
        f"report, page {last_page} (last)": f"{report}?page={last_page}",
        "report, one organisation's pairs": f"{report}?provider={provider}",
        "CSV, every pair": reverse("duplicates_report_csv"),
    }
    for label, url in urls.items():
        _report(size, label, _measure(client, url, runs))
    _edit_and_timetable(size, runs, admin=client)


def _report(size: int, label: str, measured: tuple[float, int, int]) -> None:
    from django.db import connection

    median, size_bytes, queries = measured
    print(
        f"{size:>6} activities | {connection.vendor:<10} | {label:<34} | median "
        f"{median:7.1f} ms | {size_bytes / 1024:7.1f} KB | {queries} queries",
        flush=True,
    )


def _edit_and_timetable(size: int, runs: int, *, admin) -> None:
    """An activity's edit page (city admin, then its editor) and "Your timetable" of a
    provider with many listings (its editor, first page): the first of the synthetic
    organisations, topped up with a tenth of the size (at least 100) more rows."""
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from activities.imports.services import timetable_import
    from activities.models import ActivityPage
    from bench.synthetic import PROVIDERS, timetable_rows
    from directory.models import ProviderPage
    from directory.services import provider_editor_add

    busy = ProviderPage.objects.get(title=PROVIDERS[0])
    rows = timetable_rows(max(100, size // 10), venues=1250, providers=1)
    timetable_import(rows=rows, only_provider=busy, any_venue=True)
    busiest = ProviderPage.objects.annotate(listings=Count("activities")).get(pk=busy.pk)
    editor, _ = provider_editor_add(
        provider=busiest, username="bench-editor", email="bench-editor@example.org"
    )
    client = Client()
    client.force_login(editor)
    activity = ActivityPage.objects.filter(provider=busiest).order_by("pk").first()
    edit = reverse("wagtailadmin_pages:edit", args=[activity.pk])
    _report(size, "edit page (city admin)", _measure(admin, edit, runs))
    _report(size, "edit page (its editor)", _measure(client, edit, runs))
    _report(
        size,
        f"your timetable ({busiest.listings} listings)",
        _measure(client, reverse("your_timetable"), runs),
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import per_size_main

    per_size_main(__file__, description=__doc__.splitlines()[0], child=child, runs=5)
