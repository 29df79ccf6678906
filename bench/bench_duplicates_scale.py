"""Duplicate detection at scale: a full scan, and one editor's check, on generated activities.

    .venv/bin/python bench/bench_duplicates_scale.py [--sizes 1000 10000 50000] [--layout national]

Activities are plain records generated in memory (no database), so this measures the scorer
and its blocking. Each size runs in its own process, so the peak memory printed (the
process's maximum resident set size) belongs to that size alone. Layouts:

* ``national`` (default): venues at random GB postcode sectors (sectors hold similar numbers
  of households, so this follows where people live), providers local to a postcode area;
* ``dense``: every activity in Merseyside (L, CH, WA, PR, WN postcodes): a worst case, about
  ten times the density of a real city's timetable.

Then, at the largest size, the admin warning's check for single activities: the blocking
index finds the candidates near one activity and the scorer compares them (median, 95th
percentile and worst of 300 checks; building the index once is timed separately).

``--db`` also times the check the page editor really runs, through the database: the
generated activities are imported into a fresh SQLite database with the timetable import
service, then for 100 activities the panel's selector loads the page, asks SQL for nearby
candidates and scores them (this takes a few minutes at 50,000, mostly the import).
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from activities.duplicates import (  # noqa: E402
    ActivityRecord,
    BlockingIndex,
    SlotRecord,
    find_matches,
    match_one,
)

DATA = ROOT / "venues" / "data" / "postcodes"

# (kind, title variants, categories, description fragments)
TOPICS = [
    (
        "course",
        [
            "Understanding Anxiety",
            "Overcoming Worry and Anxiety",
            "Managing Anxiety and Low Mood",
            "Anxiety Management",
        ],
        ["Mental health courses", "Anxiety and low mood"],
        "how anxiety and worry affect you and practical ways to cope",
    ),
    (
        "course",
        ["Stress Less", "Coping with Stress", "Stress Management"],
        ["Mental health courses"],
        "what stress does to body and mind and how to ease it",
    ),
    (
        "course",
        ["Introduction to Mindfulness", "Mindfulness for Wellbeing", "Mindful Living"],
        ["Mindfulness and relaxation"],
        "simple meditations and breathing to calm the mind",
    ),
    (
        "course",
        ["Building Confidence", "Confidence and Self-Esteem"],
        ["Mental health courses"],
        "small steps to feel more confident day to day",
    ),
    (
        "course",
        ["Sleep Well", "Better Sleep"],
        ["Healthy lifestyle"],
        "why sleep goes wrong and what helps you rest",
    ),
    (
        "course",
        ["Money and Mental Health", "Managing Money Worries"],
        ["Advice and information"],
        "budgeting, benefits and dealing with debt",
    ),
    (
        "group",
        ["Wellbeing Walk", "Walk and Talk", "Health Walk", "Walking Group"],
        ["Walking", "Physical activity"],
        "a gentle walk at the pace of the slowest walker, then a cuppa",
    ),
    (
        "group",
        ["Knit and Natter", "Knitting Circle", "Crochet Club", "Stitch and Chat"],
        ["Knitting and crochet", "Arts and crafts"],
        "knitting, crochet and a chat over a brew",
    ),
    (
        "drop-in",
        ["Coffee Morning", "Cuppa and Chat", "Community Cafe"],
        ["Social", "Coffee morning"],
        "a free cuppa, a biscuit and friendly company",
    ),
    (
        "group",
        ["Art Group", "Painting for Wellbeing", "Creative Art Club"],
        ["Arts and crafts"],
        "painting and drawing in a relaxed group",
    ),
    (
        "group",
        ["Gardening Group", "Allotment Club", "Growing Together"],
        ["Gardening and nature"],
        "planting, weeding and harvesting in the fresh air",
    ),
    (
        "group",
        ["Community Choir", "Singing for Wellbeing", "Sing Along"],
        ["Music", "Singing"],
        "singing together, no auditions and no need to read music",
    ),
    (
        "group",
        ["Ukulele Group", "Strum Along Ukulele"],
        ["Music"],
        "learn easy songs on the ukulele",
    ),
    (
        "group",
        ["Chair Yoga", "Gentle Yoga", "Yoga for Wellbeing"],
        ["Physical activity", "Yoga"],
        "gentle stretches and breathing, seated or standing",
    ),
    (
        "group",
        ["Cook and Eat", "Cooking on a Budget", "Healthy Cooking"],
        ["Cooking and food"],
        "cook a simple healthy meal together and eat it",
    ),
    (
        "group",
        ["Peer Support Group", "Talking Group", "Wellbeing Circle"],
        ["Peer support"],
        "talk openly about how you are doing, or just listen",
    ),
    (
        "group",
        ["Bereavement Support", "Coping with Loss"],
        ["Bereavement", "Peer support"],
        "share memories and find ways of living with grief",
    ),
    (
        "group",
        ["Carers' Support Group", "Carers' Cafe"],
        ["Carers"],
        "a break and support for family carers",
    ),
    (
        "drop-in",
        ["Digital Skills Drop-in", "Get Online"],
        ["Digital skills"],
        "help with phones, tablets, email and online forms",
    ),
    (
        "group",
        ["Walking Football", "Football for Wellbeing"],
        ["Sport", "Physical activity"],
        "friendly football for all abilities",
    ),
    (
        "group",
        ["Reading Group", "Shared Reading"],
        ["Reading"],
        "read a story aloud together and talk about it",
    ),
    (
        "group",
        ["Creative Writing", "Writing for Wellness"],
        ["Creative writing"],
        "write poems and stories in a supportive group",
    ),
    (
        "group",
        ["Photography Club", "Photo Walk"],
        ["Photography"],
        "take pictures on your phone and share them",
    ),
    (
        "group",
        ["Bingo and Social", "Bingo Afternoon"],
        ["Social"],
        "a game of bingo with tea and biscuits",
    ),
    (
        "group",
        ["Quiz and Chat", "Quiz Night"],
        ["Social"],
        "a friendly quiz with a chat afterwards",
    ),
    (
        "group",
        ["Tai Chi", "Tai Chi for Beginners"],
        ["Physical activity"],
        "slow flowing movements for balance",
    ),
    (
        "group",
        ["Dance for Wellbeing", "Seated Dance"],
        ["Physical activity", "Dance"],
        "easy dance moves to upbeat music",
    ),
    ("group", ["Men's Shed"], ["Practical skills"], "woodwork and repairs with good company"),
    (
        "group",
        ["Hearing Voices Group"],
        ["Peer support", "Hearing voices"],
        "a safe space for people who hear voices",
    ),
    (
        "group",
        ["Sewing Group", "Sew and Mend"],
        ["Arts and crafts", "Sewing"],
        "sewing, mending and making together",
    ),
]
EXTRAS = [
    "Everyone welcome.",
    "No experience needed.",
    "Tea and coffee provided.",
    "Just come along, or ring us first if you would like to be met at the door.",
    "Run by trained volunteers with lived experience.",
    "Places are limited, so please book.",
    "Step-free access and an accessible toilet.",
    "",
]
AUDIENCES = [((), None, None)] * 85 + [
    *[(("women",), None, None)] * 5,
    *[(("men",), None, None)] * 3,
    *[(("18-25",), 18, 25)] * 4,
    *[(("Arabic speakers",), None, None)] * 3,
]
STARTS = [
    clock(9, 30),
    clock(10),
    clock(10, 30),
    clock(11),
    clock(13),
    clock(13, 30),
    clock(14),
    clock(18),
]
FIRST_MONDAY = date(2027, 1, 4)


def _points(layout: str) -> list[tuple[str, float, float]]:
    if layout == "dense":
        path, column = DATA / "merseyside_postcodes.csv", "postcode"
    else:
        path, column = DATA / "uk_sector_centroids.csv", "sector"
    with path.open(newline="") as file:
        return [(r[column], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(file)]


def generate(n: int, *, layout: str = "national", seed: int = 7) -> list[ActivityRecord]:
    """n activities: about five per venue and twenty per provider, 5% online."""
    rng = random.Random(seed)
    points = _points(layout)
    venues = []
    for v in range(max(1, n // 5)):
        code, lat, lon = rng.choice(points)
        # Scatter within a few hundred metres of the sector centre (none for full postcodes).
        jitter = 0.0 if layout == "dense" else 0.003
        venues.append(
            (
                v,
                f"Venue {v}",
                code,
                lat + rng.uniform(-jitter, jitter),
                lon + rng.uniform(-jitter, jitter),
            )
        )
    by_area: dict[str, list[int]] = {}
    for venue in venues:
        area = "".join(ch for ch in venue[2].split()[0] if ch.isalpha())
        by_area.setdefault(area, []).append(venue[0])
    providers: dict[str, list[int]] = {}
    next_provider = 0
    for area, members in by_area.items():
        count = max(1, len(members) * 5 // 20)
        providers[area] = list(range(next_provider, next_provider + count))
        next_provider += count
    records = []
    for key in range(n):
        kind, titles, categories, text = rng.choice(TOPICS)
        online = rng.random() < 0.05
        venue = rng.choice(venues)
        area = "".join(ch for ch in venue[2].split()[0] if ch.isalpha())
        provider = rng.choice(providers[area]) if not online else rng.randrange(next_provider)
        audiences, age_min, age_max = rng.choice(AUDIENCES)
        weekday = rng.randrange(6)
        start = rng.choice(STARTS)
        end = clock(start.hour + rng.choice((1, 2)), start.minute)
        frequency = rng.choices(["weekly", "fortnightly", "monthly"], [8, 1, 1])[0]
        first = FIRST_MONDAY + timedelta(days=weekday + 7 * rng.randrange(8))
        ends_on = first + timedelta(weeks=rng.choice((5, 7, 9))) if kind == "course" else None
        slots = [SlotRecord(weekday, start, end, frequency, first, ends_on)]
        if rng.random() < 0.1:
            other = (weekday + rng.randrange(1, 6)) % 6
            slots.append(
                SlotRecord(
                    other, start, end, frequency, first + timedelta(days=other - weekday), ends_on
                )
            )
        title = rng.choice(titles)
        if audiences and rng.random() < 0.5:
            title = f"{title} ({audiences[0]})"
        records.append(
            ActivityRecord(
                key=key,
                provider_key=provider,
                provider=f"Provider {provider}",
                ref=f"A{key}",
                title=title,
                description=f"A friendly group: {text}. {rng.choice(EXTRAS)}",
                kind=kind,
                categories=tuple(categories),
                audiences=audiences,
                restrictions=frozenset(a for a in audiences if a in ("women", "men")),
                age_min=age_min,
                age_max=age_max,
                venue_key=None if online else venue[0],
                venue_name="" if online else venue[1],
                postcode="" if online else venue[2],
                latitude=None if online else venue[3],
                longitude=None if online else venue[4],
                online=online,
                slots=tuple(slots),
            )
        )
    return records


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(size: int, layout: str, single: bool) -> None:
    started = time.perf_counter()
    records = generate(size, layout=layout)
    generated = time.perf_counter() - started
    baseline = peak_rss_mb()
    started = time.perf_counter()
    index = BlockingIndex(records)
    candidates = len(index.pairs()[0])
    blocking = time.perf_counter() - started
    del index
    started = time.perf_counter()
    matches = find_matches(records)
    scan = time.perf_counter() - started
    clashes = sum(m.kind == "clash" for m in matches)
    print(
        f"{size:>6} activities ({layout}) | full scan {scan:6.1f} s | peak memory "
        f"{peak_rss_mb():6.0f} MB (records alone {baseline:.0f} MB) | {candidates:,} candidate "
        f"pairs after blocking (blocking alone {blocking:.1f} s) | {len(matches):,} "
        f"pairs reported ({clashes:,} clashes) | generated in {generated:.1f} s",
        flush=True,
    )
    if not single:
        return
    # An editor's request does not hold a city scan's results: neither should this.
    del matches
    gc.collect()
    started = time.perf_counter()
    index = BlockingIndex(records)
    built = time.perf_counter() - started
    rng = random.Random(11)
    times, sizes = [], []
    for target in rng.sample(records, 300):
        started = time.perf_counter()
        nearby = index.candidates(target)
        match_one(target, nearby)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(nearby))
    times.sort()
    median = statistics.median(times)
    print(
        f"{size:>6} activities ({layout}) | single check: median {median:.1f} ms, "
        f"95th percentile {times[int(len(times) * 0.95)]:.1f} ms, worst {times[-1]:.1f} ms "
        f"(300 checks; median {statistics.median(sizes):.0f} candidates, most {max(sizes)}); "
        f"index built once in {built:.1f} s",
        flush=True,
    )


def _rows(records: list[ActivityRecord]) -> list[dict[str, str]]:
    """The records as timetable spreadsheet rows, to load them through the import service."""
    rows = []
    for r in records:
        slot = r.slots[0]
        rows.append(
            {
                "ref": r.ref,
                "provider": r.provider,
                "title": r.title,
                "kind": r.kind,
                "category": "; ".join(r.categories),
                "description": r.description,
                "audience": "; ".join(r.audiences),
                "age_min": "" if r.age_min is None else str(r.age_min),
                "age_max": "" if r.age_max is None else str(r.age_max),
                "cost": "Free",
                "referral": "self",
                "venue_name": r.venue_name,
                "address": "" if r.online else "1 High Street",
                "postcode": r.postcode,
                "latitude": "" if r.latitude is None else f"{r.latitude:.5f}",
                "longitude": "" if r.longitude is None else f"{r.longitude:.5f}",
                "online": "yes" if r.online else "no",
                "booking_url": "https://example.org/join" if r.online else "",
                "start_time": f"{slot.start:%H:%M}",
                "end_time": f"{slot.end:%H:%M}",
                "frequency": slot.frequency,
                "first_date": slot.first_date.isoformat(),
                "sessions": "6" if r.kind == "course" else "",
            }
        )
    return rows


def child_db(size: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from activities.duplicates.selectors import activity_record_page, finding_list_page
    from activities.imports.services import timetable_import
    from activities.models import ActivityPage

    call_command("migrate", verbosity=0)
    # Merseyside only: the densest layout, so the most candidates per check.
    records = generate(size, layout="dense")
    today = FIRST_MONDAY + timedelta(days=7)
    started = time.perf_counter()
    timetable_import(rows=_rows(records), create_providers=True, today=today)
    print(f"  (imported {size} activities in {time.perf_counter() - started:.0f} s)", flush=True)
    rng = random.Random(5)
    pages = list(ActivityPage.objects.live().order_by("pk").values_list("pk", flat=True))
    times, totals = [], []
    for pk in rng.sample(pages, 100):
        started = time.perf_counter()
        page = ActivityPage.objects.select_related("venue", "provider").get(pk=pk)
        record = activity_record_page(page=page, today=today)
        _, total = finding_list_page(record=record, today=today, limit=5)
        times.append((time.perf_counter() - started) * 1000)
        totals.append(total)
    times.sort()
    print(
        f"{size:>6} activities (dense, SQLite) | page editor check through the database: median "
        f"{statistics.median(times):.0f} ms, 95th percentile {times[94]:.0f} ms, worst "
        f"{times[-1]:.0f} ms (100 pages; median {statistics.median(totals):.0f} similar found)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--layout", choices=["national", "dense"], default="national")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--db", action="store_true", help="also time the editor's check through the database"
    )
    parser.add_argument("--child-db", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_db:
        child_db(args.child_db)
        return
    if args.child:
        child(args.child, args.layout, args.single)
        return
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size), "--layout", args.layout]
        if size == max(args.sizes):
            command.append("--single")
        subprocess.run(command, check=True)
    if args.db:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "DEBUG": "true",
                "DJANGO_SETTINGS_MODULE": "directory.settings",
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            }
            subprocess.run(
                [sys.executable, __file__, "--child-db", str(max(args.sizes))], env=env, check=True
            )


if __name__ == "__main__":
    main()
