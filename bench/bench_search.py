"""Search-box times at 1,000 and 10,000 activities (SQLite by default; DATABASE_URL for PostgreSQL).

    .venv/bin/python bench/bench_search.py [--sizes 1000 10000] [--runs 7]

Each size gets a fresh database filled through the spreadsheet import service (which updates
the search index in bulk; a DATABASE_URL database that holds the activities already from an
earlier run is measured as it is), with varied everyday words added to the synthetic descriptions.
Each query runs once to warm up and `--runs` more times; the median is printed, for the
search's narrowing and ranking alone (the SQL count and first page of ids) and for the whole
browse page. The first search after a change rebuilds the cached vocabulary: printed too.
Aim: a one-word search under 100 ms at 10,000 activities on both databases.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATCHES = re.compile(r'id="results-title">(\d+) activit')
EXTRA_WORDS = [
    "walks in the park",
    "gardening and growing",
    "feeling anxious",
    "low mood",
    "cooking together",
    "meeting new people",
    "lonely",
    "singing",
    "knitting",
    "bereavement support",
    "sleep",
    "crafts",
    "confidence",
    "mindfulness",
    "football",
    "swimming",
    "reading",
    "chess",
    "photography",
    "allotment",
]
QUERIES = {
    "one word (walking)": "walking",
    "word form (walks)": "walks",
    "curated form (anxious)": "anxious",
    "synonym (lonely)": "lonely",
    "misspelling (gardning)": "gardning",
    "several words (art women)": "art women",
}


def _vary(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    rng = random.Random(12)
    for row in rows:
        if row.get("description"):
            extra = ", ".join(rng.sample(EXTRA_WORDS, 2))
            row["description"] = f"{row['description']} Some of us come for {extra}."
    return rows


def _median(fn, runs: int) -> tuple[float, object]:
    result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def child(size: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from activities.filters import ActivityFilter
    from activities.imports.services import timetable_import
    from activities.selectors import activity_list_browse, activity_list_current
    from bench.synthetic import load_once, timetable_rows

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    load_once(
        size, lambda: timetable_import(rows=_vary(timetable_rows(size)), create_providers=True)
    )
    vendor = connection.vendor

    cache.clear()
    started = time.perf_counter()
    activity_list_browse(params={"q": "walking"})
    cold = (time.perf_counter() - started) * 1000
    print(f"{vendor:>10} {size:>6} | first search after a change (vocabulary built) {cold:7.1f} ms")

    client = Client()
    for label, q in QUERIES.items():

        def search(q=q):
            # What the search adds: reading the words, the SQL count, the first page ranked.
            filterset = ActivityFilter({"q": q}, queryset=activity_list_current())
            list(filterset.qs.values_list("pk", flat=True)[:20])
            return filterset.qs.count()

        selector_ms, count = _median(search, runs)

        def page(q=q):
            return client.get("/activities/", {"q": q})

        page_ms, response = _median(page, runs)
        assert response.status_code == 200, (q, response.status_code)
        print(
            f"{vendor:>10} {size:>6} | {label:<26} | search {selector_ms:6.1f} ms | "
            f"browse page {page_ms:6.1f} ms | {count} matches",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import per_size_main

    per_size_main(__file__, description=__doc__.splitlines()[0], child=child, runs=7)
