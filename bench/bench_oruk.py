"""ORUK API times at 1,000 and 10,000 activities (SQLite by default; DATABASE_URL for PostgreSQL).

    .venv/bin/python bench/bench_oruk.py [--sizes 1000 10000] [--runs 5]

For each size, a fresh database is filled through the spreadsheet import service
(bench/synthetic.py; a DATABASE_URL database that holds them already is used as it is), then:

- "page": GET /api/oruk/services?per_page=50 (one-to-one fields, the spec's default), its
  answer built every time (an unused parameter that changes per run defeats the answer cache;
  the ETag's data version stays cached, as between two changes of the directory);
- "after a change": the same with the whole cache emptied first (the data version and its
  aggregate over every listing recomputed too: the first request after an edit);
- "full page": per_page=50&full=true (schedules, locations, accessibility, attributes), built;
- "cached": the page again with its answer cached; "304": with If-None-Match;
- "walk": a client reading the whole feed, every page of /services?full=true&per_page=100.

Medians of `--runs` runs after one warm-up (the walk: of 2 runs). The target: a page under
100 ms at 10,000 activities.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(size: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from activities.imports.services import timetable_import
    from bench.synthetic import load_once, median_ms, timetable_rows

    call_command("migrate", verbosity=0)
    load_once(size, lambda: timetable_import(rows=timetable_rows(size), create_providers=True))
    client = Client()
    url = "/api/oruk/services"

    def get(params, **headers):
        response = client.get(url, params, **headers)
        assert response.status_code in (200, 304), response.status_code
        return response

    def cold(params):
        def run():
            cache.clear()
            return get(params)

        return run

    counter = iter(range(10**9))

    def built(params):
        return lambda: get({**params, "bench_run": next(counter)})

    first = get({"per_page": 50})
    total = first.json()["total_items"]
    etag = first["ETag"]

    def walk():
        run = next(counter)
        page, pages, services = 1, 0, 0
        while True:
            body = get({"full": "true", "per_page": 100, "page": page, "bench_run": run}).json()
            pages, services = pages + 1, services + len(body["contents"])
            if body["last_page"]:
                return pages, services
            page += 1

    page_ms = median_ms(built({"per_page": 50}), runs)
    changed_ms = median_ms(cold({"per_page": 50}), runs)
    full_ms = median_ms(built({"per_page": 50, "full": "true"}), runs)
    cached_ms = median_ms(lambda: get({"per_page": 50}), runs)
    not_modified_ms = median_ms(
        lambda: get({"per_page": 50}, HTTP_IF_NONE_MATCH=etag), max(runs, 20)
    )
    walk_times = []
    for _ in range(2):
        started = time.perf_counter()
        pages, services = walk()
        walk_times.append(time.perf_counter() - started)
    assert services == total, (services, total)
    print(
        f"{size:>6} activities on {connection.vendor}, {total} services in the feed\n"
        f"  page  (/services?per_page=50)            median {page_ms:8.1f} ms"
        f"   (target < 100 ms)\n"
        f"  page, first request after a change       median {changed_ms:8.1f} ms\n"
        f"  full page (per_page=50&full=true)        median {full_ms:8.1f} ms\n"
        f"  cached page                              median {cached_ms:8.1f} ms\n"
        f"  304 (If-None-Match)                      median {not_modified_ms:8.1f} ms\n"
        f"  walk (every page, full=true, 100 a page) median {statistics.median(walk_times):8.2f} s"
        f"   ({pages} pages)",
        flush=True,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import per_size_main

    per_size_main(__file__, description=__doc__.splitlines()[0], child=child, runs=5)
