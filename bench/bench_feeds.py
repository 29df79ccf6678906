"""Calendar feed times at 1,000 and 10,000 activities (SQLite by default).

    .venv/bin/python bench/bench_feeds.py [--sizes 1000 10000] [--runs 5]

For each size, a fresh database is filled through the spreadsheet import service, then
GET /activities/feed.ics (the citywide feed) is timed in each state a server meets it in:

- "cold": every cache empty (a new deployment with an empty Redis): every event is built;
- "after a change": a new data version (what any edit or import starts), each activity's
  events still cached: the first request after a change, the feed built from cached events;
- "cached": the response from the page cache; "304": with If-None-Match (what a subscribed
  calendar sends when polling);
- "floor": icalendar alone turning the same prepared events into bytes (ical.calendar_bytes),
  the part no implementation using icalendar can avoid, for reference.

Medians of `--runs` runs after one warm-up (cold: of 3). The cache is local memory unless
REDIS_URL is set (production's). Set DATABASE_URL to a PostgreSQL database to measure there
instead (an empty one: the run migrates and fills it). Targets (issue 15): under 1 s after a
change, under 50 ms cached, 304 under 10 ms.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(size: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from activities import ical
    from activities.feeds import selectors as feeds
    from activities.imports.services import timetable_import
    from activities.selectors import activity_list_current
    from bench.synthetic import median_ms, timetable_rows
    from directory.caching import data_version_bump

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    timetable_import(rows=timetable_rows(size), create_providers=True)
    print(f"  (loaded {size} activities in {time.perf_counter() - started:.1f} s)", flush=True)

    client = Client()
    url = "/activities/feed.ics"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    events_in_feed = first.content.count(b"BEGIN:VEVENT")
    etag = first["ETag"]

    def get(status=200, **headers):
        response = client.get(url, **headers)
        assert response.status_code == status, response.status_code
        return response

    def cold():
        caches["default"].clear()
        caches["feed_events"].clear()
        return get()

    def after_a_change():
        # What any edit does: a new data version (with Redis, the events share its database,
        # so emptying the page cache would empty them too).
        data_version_bump()
        return get()

    # The same events the view serialises, prepared once (not timed).
    queryset = activity_list_current(today=feeds.feed_cutoff())
    prepared = []
    for activity in feeds.feed_activities(queryset):
        prepared += ical.activity_events(activity)
    info = ical.FeedInfo(name="No Wrong Door: everything on", description="", url="")
    assert len(prepared) == events_in_feed

    cold_ms = median_ms(cold, min(runs, 3))
    change_ms = median_ms(after_a_change, runs)
    get()
    cached_ms = median_ms(get, runs)
    conditional_ms = median_ms(lambda: get(304, HTTP_IF_NONE_MATCH=etag), max(runs, 20))
    floor_ms = median_ms(lambda: ical.calendar_bytes(info, prepared), runs)
    size_kb = len(first.content) / 1024
    print(
        f"{size:>6} activities, {events_in_feed} events, {size_kb:,.0f} KB "
        f"({connection.vendor}, cache {caches['default'].__class__.__name__})\n"
        f"  cold (every cache empty)               median {cold_ms:8.1f} ms\n"
        f"  after a change (events cached)         median {change_ms:8.1f} ms (target < 1000)\n"
        f"  cached response                        median {cached_ms:8.1f} ms (target < 50)\n"
        f"  304 (If-None-Match)                    median {conditional_ms:8.1f} ms (target < 10)\n"
        f"  floor (icalendar on prepared events)   median {floor_ms:8.1f} ms",
        flush=True,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import per_size_main

    per_size_main(__file__, description=__doc__.splitlines()[0], child=child, runs=5)
