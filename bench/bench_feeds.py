"""Calendar feed times at 1,000 and 10,000 activities (SQLite by default).

    .venv/bin/python bench/bench_feeds.py [--sizes 1000 10000] [--runs 5]

For each size, a fresh database is filled through the spreadsheet import service, then:

- "feed": GET /activities/feed.ics (the citywide feed: query, derive, serialise, respond);
- "floor": icalendar alone turning the same prepared events (activities.ical.EventData, built
  beforehand and not timed) into VEVENT components and bytes, i.e. ical.calendar_bytes. This
  is the part no implementation using icalendar can avoid; the target is feed <= 1.5 x floor;
- "to_ical only": just Calendar.to_ical() on components already built, for reference;
- "304": the same GET with If-None-Match (what a subscribed calendar sends when polling);
  the target is a few milliseconds.

Medians of `--runs` runs after one warm-up. Set DATABASE_URL to a PostgreSQL database to
measure there instead (an empty one: the run migrates and fills it).
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
    from django.core.management import call_command
    from django.test import Client
    from icalendar import Calendar

    from activities import ical
    from activities.feeds import selectors as feeds
    from activities.imports.services import timetable_import
    from activities.selectors import activity_list_current
    from bench.synthetic import median_ms, timetable_rows

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

    def full_feed():
        response = client.get(url)
        assert response.status_code == 200
        return response

    def conditional():
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        return response

    # The same events the view serialises, prepared once (not timed).
    queryset = activity_list_current(today=feeds.feed_cutoff())
    prepared = []
    for activity in feeds.feed_activities(queryset):
        prepared += ical.activity_events(activity)
    info = ical.FeedInfo(name="No Wrong Door: everything on", description="", url="")
    assert len(prepared) == events_in_feed

    def floor():
        return ical.calendar_bytes(info, prepared)

    built = Calendar.from_ical(floor())

    def to_ical_only():
        return built.to_ical()

    feed_ms = median_ms(full_feed, runs)
    floor_ms = median_ms(floor, runs)
    to_ical_ms = median_ms(to_ical_only, runs)
    conditional_ms = median_ms(conditional, max(runs, 20))
    size_kb = len(first.content) / 1024
    print(
        f"{size:>6} activities, {events_in_feed} events, {size_kb:,.0f} KB\n"
        f"  feed (GET /activities/feed.ics)          median {feed_ms:8.1f} ms\n"
        f"  floor (icalendar on prepared events)     median {floor_ms:8.1f} ms"
        f"   -> feed / floor = {feed_ms / floor_ms:.2f} (target <= 1.5)\n"
        f"  to_ical() only, components prebuilt      median {to_ical_ms:8.1f} ms"
        f"   -> feed / to_ical = {feed_ms / to_ical_ms:.2f}\n"
        f"  304 (If-None-Match)                      median {conditional_ms:8.1f} ms",
        flush=True,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import per_size_main

    per_size_main(__file__, description=__doc__.splitlines()[0], child=child, runs=5)
