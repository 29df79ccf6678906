"""Load test: 50 concurrent clients against gunicorn (2 workers), PostgreSQL and Redis.

    .venv/bin/python bench/bench_load.py [--activities 10000] [--clients 50] [--seconds 60]

Production settings (DEBUG off, hashed static files), on loopback only. The database named by
DATABASE_URL (default postgres://root@127.0.0.1:5432/nwd_bench_load, created and filled through
the spreadsheet import when it has no activities yet; --reload starts it again) and Redis at
REDIS_URL (default redis://127.0.0.1:6379/6, flushed before each run). Then, once with the page
cache and once without (PAGE_CACHE_SECONDS=0), each client loops over a realistic mix for
`--seconds` (at most `--max-requests` in all): browse pages with varied filters (postcode and
radius, day, access, kind, topic, pages 1 to 3), activity pages, venue pages, the finder, and
calendar feeds (an activity's, a venue's, the citywide one). Each client keeps its cookies (a
browser sends its CSRF cookie back). Calendar feeds are polled with the ETag the client has
(304 counts as success). The first `--warmup` seconds (workers starting, caches filling) are
not counted. The clients draw from `--urls` distinct addresses, weighted 1/rank (a few pages
are asked for often, most rarely). Prints the share served from the page cache, requests per
second, p50, p95, p99 and errors (any status >= 400, or a failed connection).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {
    "DEBUG": "false",
    "DJANGO_SETTINGS_MODULE": "directory.settings",
    "SECRET_KEY": "bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "REFERRAL_ENCRYPTION_KEYS": "YmVuY2gtb25seS1yZWZlcnJhbC1rZXktMDEyMzQ1Njc=",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "http://127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "PYTHONPATH": str(ROOT),
}
POSTCODES = ["L1 4DN", "L8 7NL", "L4 4EL", "L25 2RA", "L15 1HL", "L7 8TQ", "L17 6BS", "L6 1NE"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]
ACCESS = ["step_free_entrance", "hearing_loop", "accessible_toilet", "quiet_space", "lift"]
KINDS = ["group", "course", "drop-in", "one-off"]
URLS = 300  # distinct addresses the clients ask for (--urls)


def _load(size: int) -> None:
    """In a child process: migrate and fill the database through the import service."""
    import django

    django.setup()
    from django.core.management import call_command

    from activities.imports.services import timetable_import
    from activities.models import ActivityPage
    from bench.synthetic import timetable_rows

    call_command("migrate", verbosity=0)
    if ActivityPage.objects.exists():
        print(f"  (database has {ActivityPage.objects.count()} activities already)")
        return
    started = time.perf_counter()
    timetable_import(rows=timetable_rows(size), create_providers=True)
    print(f"  (loaded {size} rows in {time.perf_counter() - started:.0f} s)", flush=True)


def _targets() -> dict[str, list[str]]:
    """In a child process: addresses of real activities, venues and topics to ask for."""
    import django

    django.setup()
    from activities.models import ActivityPage, Category
    from venues.models import Venue

    activities = list(ActivityPage.objects.live().order_by("?").values_list("pk", "url_path")[:500])
    venues = list(Venue.objects.order_by("?").values_list("pk", "slug")[:200])
    topics = list(Category.objects.values_list("slug", flat=True))
    site_root = "/" + ActivityPage.objects.first().url_path.strip("/").split("/")[0] + "/"
    return {
        "activity": [path[len(site_root) - 1 :] for _, path in activities],
        "activity_feed": [f"/feeds/activities/{pk}.ics" for pk, _ in activities[:200]],
        "venue": [f"/venues/{slug}/" for _, slug in venues],
        "venue_feed": [f"/feeds/venues/{pk}.ics" for pk, _ in venues[:100]],
        "topic": topics,
    }


def _browse(rng: random.Random, topics: list[str]) -> str:
    parts = []
    if rng.random() < 0.5:
        parts += [
            f"postcode={rng.choice(POSTCODES).replace(' ', '+')}",
            f"radius={rng.choice('1235')}",
        ]
    if rng.random() < 0.5:
        parts.append(f"day={rng.choice(DAYS)}")
    if rng.random() < 0.3:
        parts.append(f"access={rng.choice(ACCESS)}")
    if rng.random() < 0.3:
        parts.append(f"kind={rng.choice(KINDS)}")
    if rng.random() < 0.3 and topics:
        parts.append(f"category={rng.choice(topics)}")
    if rng.random() < 0.2:
        parts.append(f"page={rng.choice([2, 3])}")
    return "/activities/" + ("?" + "&".join(parts) if parts else "")


def _next_url(rng: random.Random, targets: dict[str, list[str]]) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.40:
        return "browse", _browse(rng, targets["topic"])
    if roll < 0.65:
        return "activity", rng.choice(targets["activity"])
    if roll < 0.75:
        return "venue", rng.choice(targets["venue"])
    if roll < 0.85:
        postcode = rng.choice(POSTCODES).replace(" ", "+")
        return (
            "finder",
            f"/find/?postcode={postcode}&radius={rng.choice('235')}&days={rng.choice(DAYS)}",
        )
    if roll < 0.98:
        return "feed", rng.choice(targets["activity_feed"] + targets["venue_feed"])
    return "feed", "/activities/feed.ics"  # the citywide feed: 9 MB at 10,000 activities


def _population(targets, size: int) -> tuple[list[tuple[str, str]], list[float]]:
    """`size` distinct addresses drawn from the mix, each weighted 1/rank (Zipf): a few pages
    (the unfiltered list, popular filters) are asked for often, most rarely, as on a real site."""
    rng = random.Random(15)
    seen: dict[str, str] = {}
    while len(seen) < size:
        kind, url = _next_url(rng, targets)
        seen.setdefault(url, kind)
    population = [(kind, url) for url, kind in seen.items()]
    return population, [1 / rank for rank in range(1, len(population) + 1)]


async def _run(
    base: str, targets, *, clients: int, seconds: float, warmup: float, cap: int, urls: int
):
    import httpx

    results: list[tuple[float, str, int, bool]] = []  # (latency s, kind, status, cache hit)
    population, weights = _population(targets, urls)
    started = time.monotonic()
    counting_from = started + warmup
    deadline = counting_from + seconds

    async def client(number: int) -> None:
        rng = random.Random(number)
        etags: dict[str, str] = {}
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while time.monotonic() < deadline and len(results) < cap:
                kind, url = rng.choices(population, weights)[0]
                # A subscribed calendar polls with the ETag it has (RFC 9110), as real ones do.
                headers = {"If-None-Match": etags[url]} if url in etags else {}
                sent = time.monotonic()
                try:
                    response = await http.get(url, headers=headers)
                    status = response.status_code
                    hit = response.headers.get("X-Cache") == "hit"
                    if kind == "feed" and "ETag" in response.headers:
                        etags[url] = response.headers["ETag"]
                except httpx.HTTPError:
                    status, hit = 0, False
                if sent >= counting_from:
                    results.append((time.monotonic() - sent, kind, status, hit))

    await asyncio.gather(*(client(n) for n in range(clients)))
    return results, min(seconds, time.monotonic() - counting_from)


def _report(label: str, results, elapsed: float) -> None:
    def line(name: str, rows) -> str:
        times = sorted(r[0] * 1000 for r in rows)
        errors = sum(1 for r in rows if r[2] == 0 or r[2] >= 400)
        q = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        return (
            f"  {name:<9} {len(rows):>7} {len(rows) / elapsed:>8.1f} {q[49]:>8.0f} {q[94]:>8.0f}"
            f" {q[98]:>8.0f} {errors:>7}"
        )

    hits = sum(1 for r in results if r[3]) / max(1, len(results))
    print(f"\n{label}: {len(results)} requests in {elapsed:.0f} s, {hits:.0%} from the page cache")
    print(
        f"  {'':<9} {'requests':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'errors':>7}"
    )
    print(line("all", results))
    for kind in ("browse", "activity", "venue", "finder", "feed"):
        rows = [r for r in results if r[1] == kind]
        if rows:
            print(line(kind, rows))
    statuses = sorted({r[2] for r in results if r[2] == 0 or r[2] >= 400})
    if statuses:
        print(f"  error statuses: {statuses} (0 = connection failed)")


def _gunicorn(env: dict, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "directory.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"),
            *("--graceful-timeout", "5"),
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn did not become healthy: {log.read_text()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--urls", type=int, default=URLS, help="distinct addresses in the mix")
    parser.add_argument("--reload", action="store_true", help="empty and refill the database")
    parser.add_argument("--only", choices=["cached", "uncached"], help="run one mode only")
    parser.add_argument("--child", choices=["load", "targets"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "load":
        _load(args.activities)
        return
    if args.child == "targets":
        print(repr(_targets()))
        return

    env = {**os.environ, **ENV}
    env.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/nwd_bench_load")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
    database = env["DATABASE_URL"]
    if database.startswith("postgres"):
        name = database.rsplit("/", 1)[1]
        if args.reload:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", name], check=True
            )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", name], capture_output=True)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {database.split('@')[-1]}")
    me = [sys.executable, __file__, "--activities", str(args.activities)]
    subprocess.run([*me, "--child", "load"], env=env, check=True)
    targets = eval(  # noqa: S307 - our own child's repr of plain lists
        subprocess.run(
            [*me, "--child", "targets"], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    import redis

    with tempfile.TemporaryDirectory() as tmp:
        env["STATIC_ROOT"] = f"{tmp}/static"
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        modes = [("with the page cache", "600"), ("without the page cache", "0")]
        for label, seconds in modes:
            if args.only and (args.only == "cached") != (seconds != "0"):
                continue
            redis.Redis.from_url(env["REDIS_URL"]).flushdb()
            port = 18000 + os.getpid() % 1000
            log = Path(tmp) / "gunicorn.log"
            server = _gunicorn({**env, "PAGE_CACHE_SECONDS": seconds}, port, log)
            try:
                results, elapsed = asyncio.run(
                    _run(
                        f"http://127.0.0.1:{port}",
                        targets,
                        clients=args.clients,
                        seconds=args.seconds,
                        warmup=args.warmup,
                        cap=args.max_requests,
                        urls=args.urls,
                    )
                )
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
            print(
                f"\n{args.clients} clients, gunicorn 2 workers x 4 threads,"
                f" {args.activities} activities"
            )
            _report(label, results, elapsed)
            if shutil.which("true") and (Path(tmp) / "gunicorn.log").stat().st_size:
                errors = [
                    line
                    for line in log.read_text().splitlines()
                    if "Error" in line or "Traceback" in line or "WORKER TIMEOUT" in line
                ]
                if errors:
                    print(f"  server log: {len(errors)} error lines, e.g. {errors[0][:200]}")


if __name__ == "__main__":
    main()
