"""Shared pieces of the benchmarks: a generated timetable and a runner for each data size.

`timetable_rows(n)` returns rows in the timetable spreadsheet layout (6 providers, ~300 venues
at real Liverpool postcodes, mixed kinds and frequencies, courses, extra time slots, categories,
audiences, accessibility codes, cancellations, next steps), so benchmarks load data through the
same import service providers use. `run_each_size` runs a benchmark script once per size, each
in a fresh process with a fresh database and production-like settings.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTCODES = ROOT / "venues" / "data" / "postcodes" / "merseyside_postcodes.csv"

PROVIDERS = [
    "Imagine Independence",
    "Liverpool Roots Trust",
    "Mary Seacole House",
    "Person Shaped Support",
    "Waythrough",
    "Mersey Care Life Rooms",
]
TOPICS = [
    ("Art group", "Art; Creative"),
    ("Knit and Natter", "Crafts; Social"),
    ("Walk and Talk", "Walking; Physical activity"),
    ("Understanding Anxiety", "Mental health courses"),
    ("Coffee morning", "Social"),
    ("Ukulele club", "Music"),
    ("Gardening group", "Gardening; Outdoors"),
    ("Cookery on a budget", "Cookery; Healthy living"),
    ("Creative writing", "Creative; Writing"),
    ("Peer support group", "Peer support"),
    ("Yoga for wellbeing", "Physical activity"),
    ("Managing Low Mood", "Mental health courses"),
]
VENUE_CODES = [
    "step_free_entrance",
    "hearing_loop",
    "accessible_toilet",
    "quiet_space",
    "lift",
    "blue_badge_parking",
]
ACTIVITY_CODES = ["small_group", "meet_at_door", "bring_companion", "bsl_interpreter"]
AUDIENCES = ["", "", "", "", "", "women", "men", "18-25", "Arabic speakers", "LGBTQ+"]
TIMES = [
    ("09:30", "11:00"),
    ("10:00", "12:00"),
    ("13:00", "15:00"),
    ("14:00", "16:00"),
    ("18:00", "19:30"),
]
STREETS = ["Bold Street", "Lodge Lane", "County Road", "Smithdown Road", "Park Road", "Picton Road"]


def timed_ms(call, runs: int) -> tuple[float, float, float]:
    """Median, min and max milliseconds of `runs` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), max(times)


def median_ms(call, runs: int) -> float:
    return timed_ms(call, runs)[0]


def _liverpool_postcodes(count: int, rng: random.Random) -> list[str]:
    with POSTCODES.open(newline="") as handle:
        codes = [row["postcode"] for row in csv.DictReader(handle) if row["postcode"][:1] == "L"]
    return rng.sample(codes, count)


def provider_names(count: int) -> list[str]:
    """The six real names, then made-up ones ("Wellbeing Trust 7") up to `count`."""
    words = ["Community", "Wellbeing", "Recovery", "Peer", "Family", "Arts", "Youth", "Carers"]
    kinds = ["Trust", "Network", "Project", "Collective", "Centre"]
    made_up = (
        f"{words[i % len(words)]} {kinds[i // len(words) % len(kinds)]} {i}"
        for i in range(max(0, count - len(PROVIDERS)))
    )
    return [*PROVIDERS[:count], *made_up]


def generate(
    rows: int, *, seed: int = 7, venues: int = 300, providers: int = len(PROVIDERS)
) -> list[dict[str, str]]:
    """`rows` spreadsheet rows: activities, about 1 in 10 with a second time slot row, from
    `providers` organisations at `venues` venues (the issue's regional size: 400 and 1,250)."""
    names = provider_names(providers)
    from activities import recurrence
    from activities.imports.columns import COLUMNS

    rng = random.Random(seed)
    postcodes = _liverpool_postcodes(venues, rng)
    places = [
        {
            "venue_name": f"{rng.choice(['St', 'Old', 'New'])} {name} Centre {i}",
            "address": f"{rng.randint(1, 300)} {rng.choice(STREETS)}, Liverpool",
            "postcode": postcode,
            # Each venue has one fixed set of features, so rows never contradict each other.
            "access": [code for code in VENUE_CODES if rng.random() < 0.4],
        }
        for i, (postcode, name) in enumerate(
            zip(
                postcodes,
                (rng.choice(["Community", "Wellbeing", "Youth", "Church"]) for _ in postcodes),
                strict=True,
            )
        )
    ]
    start = date(2026, 9, 7)
    result: list[dict[str, str]] = []
    refs_by_provider: dict[str, list[str]] = {p: [] for p in names}
    number = 0
    while len(result) < rows:
        number += 1
        provider = names[number % len(names)]
        title, category = TOPICS[number % len(TOPICS)]
        kind = rng.choices(["group", "course", "drop-in", "one-off"], weights=[6, 2, 2, 1])[0]
        frequency = {
            "course": "weekly",
            "one-off": "once",
        }.get(kind) or rng.choices(["weekly", "fortnightly", "monthly"], weights=[7, 2, 1])[0]
        first = start + timedelta(days=rng.randrange(120))
        start_time, end_time = rng.choice(TIMES)
        sessions = str(rng.choice([6, 8, 10])) if kind == "course" else ""
        last = ""
        if kind in ("group", "drop-in") and rng.random() < 0.2:
            last = (first + timedelta(days=rng.randrange(90, 400))).isoformat()
        online = rng.random() < 0.05
        place = None if online else rng.choice(places)
        rule = recurrence.Rule(
            frequency=frequency,
            first_date=first,
            start_time=datetime.strptime(start_time, "%H:%M").time(),
            end_time=datetime.strptime(end_time, "%H:%M").time(),
            sessions=int(sessions) if sessions else None,
            last_date=date.fromisoformat(last) if last else None,
        )
        cancelled = []
        if frequency != "once" and rng.random() < 0.25:
            # The first 12 session dates (11 monthly gaps are at most 385 days).
            window = recurrence.occurrences(rule, start=first, end=first + timedelta(days=400))
            dates = [occurrence.date for occurrence in window[:12]]
            cancelled = sorted(rng.sample(dates, min(len(dates), rng.randint(1, 2))))
        ref = f"{provider[:3].upper()}-{number:06d}"
        access = (place["access"] if place else []) + [
            code for code in ACTIVITY_CODES if rng.random() < 0.2
        ]
        earlier = refs_by_provider[provider]
        row = {column: "" for column in COLUMNS}
        row.update(
            {
                "ref": ref,
                "provider": provider,
                "title": f"{title} {number}",
                "kind": kind,
                "category": category,
                "description": f"{title}: a friendly, relaxed session. No experience needed.",
                "audience": rng.choice(AUDIENCES),
                "age_min": "18",
                "age_max": "25" if rng.random() < 0.05 else "",
                "cost": rng.choice(["Free", "Free", "Free", "£2", "£3.50"]),
                "referral": rng.choice(["self", "self;professional", "professional;gp"]),
                "venue_name": place["venue_name"] if place else "",
                "address": place["address"] if place else "",
                "postcode": place["postcode"] if place else "",
                "online": "yes" if online else "no",
                "meeting_link": "https://example.org/join" if online else "",
                "start_time": start_time,
                "end_time": end_time,
                "frequency": frequency,
                "first_date": first.isoformat(),
                "sessions": sessions,
                "last_date": last,
                "cancelled_dates": ";".join(d.isoformat() for d in cancelled),
                "cancelled_reasons": ";".join(f"{d.isoformat()}=Closed" for d in cancelled[:1]),
                "accessibility": ";".join(access),
                "engagement_limit_weeks": "26" if rng.random() < 0.1 else "",
                "contact_email": "hello@example.org",
                "contact_phone": "0151 000 0000",
                "capacity_status": rng.choice(["places", "places", "few_places", "waiting_list"]),
                "support_level": rng.choice(["", "peer", "facilitated", "structured"]),
                "booking_required": rng.choice(["yes", "no"]),
                "next_steps": rng.choice(earlier) if earlier and kind == "course" else "",
            }
        )
        result.append(row)
        earlier.append(ref)
        if frequency == "weekly" and not cancelled and rng.random() < 0.1 and len(result) < rows:
            # A second weekly slot, two days later: its own row, part_of the activity.
            extra = dict(row)
            extra.update(
                {
                    "ref": f"{ref}-2",
                    "part_of": ref,
                    "first_date": (first + timedelta(days=2)).isoformat(),
                    "cancelled_dates": "",
                    "cancelled_reasons": "",
                }
            )
            result.append(extra)
    return result


def timetable_rows(
    n: int, *, seed: int = 7, venues: int = 300, providers: int = len(PROVIDERS)
) -> list[dict[str, str]]:
    return generate(n, seed=seed, venues=venues, providers=providers)


def load_once(size: int, load) -> None:
    """Call ``load()`` unless the database already holds the activities of ``size`` rows (a
    DATABASE_URL database kept from an earlier run; the synthetic rows of a size make about
    95% as many activities), and say which it was."""
    from activities.models import ActivityPage  # noqa: PLC0415 -- after django.setup()

    held = ActivityPage.objects.live().count()
    if held >= size * 0.9:
        print(f"  (the database holds {held} activities already: not loaded again)", flush=True)
        return
    started = time.perf_counter()
    load()
    print(f"  (loaded {size} activities in {time.perf_counter() - started:.1f} s)", flush=True)


def per_size_main(script: str, *, description: str, child, runs: int) -> None:
    """The command line of a per-size benchmark: `--sizes`, `--runs`, and the hidden `--child`
    that `run_each_size` calls back with, which runs `child(size, runs)` in that process."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
    else:
        run_each_size(script, sizes=args.sizes, runs=args.runs)


def run_each_size(script: str, *, sizes: list[int], runs: int) -> None:
    """Run `script --child SIZE --runs RUNS` per size against a fresh temporary database.

    DATABASE_URL from the environment wins (e.g. a PostgreSQL database to measure there).
    """
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "DEBUG": "false",
                "SECRET_KEY": "bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
                "REFERRAL_ENCRYPTION_KEYS": "YmVuY2gtb25seS1yZWZlcnJhbC1rZXktMDEyMzQ1Njc=",
                "ALLOWED_HOSTS": "testserver",
                "SITE_URL": "http://testserver",
                "SECURE_SSL_REDIRECT": "false",
                "DJANGO_SETTINGS_MODULE": "directory.settings",
                "PYTHONPATH": str(ROOT),
                "STATIC_ROOT": f"{tmp}/static",
            }
            env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
            subprocess.run(
                [sys.executable, script, "--child", str(size), "--runs", str(runs)],
                env=env,
                check=True,
            )
