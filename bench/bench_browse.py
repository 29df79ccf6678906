"""Browse, finder and CSV-export times at 1,000 and 10,000 activities (SQLite by default).

    .venv/bin/python bench/bench_browse.py [--sizes 1000 10000] [--runs 7]

Each size gets a fresh database filled through the spreadsheet import service (400
organisations, 1,250 venues: the issue's regional shape), then each
request runs once to warm up and `--runs` more times; the median is printed. Set
DATABASE_URL to a PostgreSQL database to measure there instead (it is flushed first).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWLINE = b"\n"
MATCHES = re.compile(r'id="(?:results|good)-title">(\d+) (?:activit|good fit)')
QUERIES = {
    "browse, no filters": "/activities/",
    "browse, postcode 2 mi + Tuesday + step-free": (
        "/activities/?postcode=L8+1AA&radius=2&day=tue&access=step_free_entrance"
    ),
    # At 1,000 activities the 2-mile query matches fewer than a page of rows; this one fills a
    # page at both sizes, so the two sizes render the same amount.
    "browse, postcode 5 mi + Tuesday + step-free": (
        "/activities/?postcode=L8+1AA&radius=5&day=tue&access=step_free_entrance"
    ),
    "browse, text search 'art'": "/activities/?q=art",
    # The finder judges every candidate in Python, so its cost follows how many the SQL lets by.
    "finder, postcode 3 mi + Tue/Thu mornings + step-free": (
        "/find/?postcode=L8+1AA&radius=3&days=tue&days=thu&times=morning&access=step_free_entrance"
    ),
    "finder, postcode 10 mi, nothing else (every activity judged)": (
        "/find/?postcode=L8+1AA&radius=10"
    ),
    "export.csv, everything": "/activities/export.csv",
    "export.csv, postcode 2 mi + Tuesday + step-free": (
        "/activities/export.csv?postcode=L8+1AA&radius=2&day=tue&access=step_free_entrance"
    ),
}


def child(size: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    # Rendering is what is measured: the page cache would answer every run after the first.
    os.environ.setdefault("PAGE_CACHE_SECONDS", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from activities.imports.services import timetable_import
    from bench.synthetic import timetable_rows

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    timetable_import(rows=timetable_rows(size, providers=400, venues=1250), create_providers=True)
    print(f"  (loaded {size} activities in {time.perf_counter() - started:.1f} s)", flush=True)

    client = Client()
    for label, url in QUERIES.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        if "csv" in url:
            extra = f", {response.content.count(NEWLINE) - 1} rows"
        else:
            extra = f", {MATCHES.search(response.content.decode()).group(1)} matches"
        print(
            f"{size:>6} activities | {label:<48} | median {statistics.median(times):7.1f} ms "
            f"(min {min(times):.1f}, max {max(times):.1f}, {runs} runs{extra})",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import per_size_main

    per_size_main(__file__, description=__doc__.splitlines()[0], child=child, runs=7)
