"""Timetable import times: a large spreadsheet into an empty database, then re-imported.

    .venv/bin/python bench/bench_import.py [--rows 10000] [--runs 3] [--profile]

Generates a realistic file (6 providers, ~300 venues at real Liverpool postcodes, mixed
kinds and frequencies, courses, extra time slots, categories, audiences, accessibility codes,
cancellations, next steps), writes it as CSV, then for each run copies a freshly migrated
SQLite database into place (or, with DATABASE_URL=postgres://..., makes that PostgreSQL database
again from a migrated copy: it is dropped) and times reading + importing the file (everything
created), and
importing it again (the idempotent path: nothing changes), then a version of the file with
every title and cost changed (every page updated). Prints the median of the runs.
The target is under 30 s for 10,000 rows on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.synthetic import ROOT, generate  # noqa: E402


def _write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _median(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} s over {len(values)} run" + (
        "s" if len(values) != 1 else ""
    )


def _pg_recreate(url: str, *, template: str = "", save: bool = False) -> None:
    """PostgreSQL: `save` copies the database to NAME+template; otherwise the database is made
    again empty, or as a copy of NAME+template (a fresh migrated database in a second)."""
    from urllib.parse import urlparse

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres"]
    if save:
        subprocess.run(["dropdb", *args, "--if-exists", name + template], check=True)
        subprocess.run(["createdb", *args, "-T", name, name + template], check=True)
        return
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)
    copy = ["-T", name + template] if template else []
    subprocess.run(["createdb", *args, *copy, name], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--providers", type=int, default=6, help="organisations in the file")
    parser.add_argument("--venues", type=int, default=300)
    parser.add_argument(
        "--profile",
        choices=["empty", "again", "changed"],
        help="cProfile that import in the first run (into the empty database, the unchanged "
        "re-import or the every-title-changed one)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    database = work / "bench.sqlite3"
    template = work / "migrated.sqlite3"
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    label = "postgresql" if postgres else "sqlite"
    os.environ["DB_CONN_MAX_AGE"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("SITE_URL", "http://localhost:8000")
    os.environ.setdefault(
        "REFERRAL_ENCRYPTION_KEYS", "YmVuY2gtb25seS1yZWZlcnJhbC1rZXktMDEyMzQ1Njc="
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from activities.imports.services import timetable_import, timetable_read
    from activities.models import ActivityPage, Schedule

    try:
        if postgres:
            print("Migrating a fresh PostgreSQL database (DATABASE_URL) ...", flush=True)
            _pg_recreate(os.environ["DATABASE_URL"])
        else:
            print(f"Migrating a fresh SQLite database in {work} ...", flush=True)
        call_command("migrate", verbosity=0)
        connection.close()
        if postgres:
            _pg_recreate(os.environ["DATABASE_URL"], template="_migrated", save=True)
        else:
            shutil.copy(database, template)

        rows = generate(args.rows, providers=args.providers, venues=args.venues)
        csv_path = work / "timetable.csv"
        _write_csv(rows, csv_path)
        print(f"Generated {len(rows)} rows ({csv_path.stat().st_size // 1024} KB).", flush=True)

        def run_import(profile: bool = False, path: Path = csv_path):
            with path.open("rb") as handle:
                data = timetable_read(file=handle, filename=path.name)
            if not profile:
                return timetable_import(rows=data, create_providers=True)
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(timetable_import, rows=data, create_providers=True)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            return result

        changed_path = work / "timetable-changed.csv"
        _write_csv(
            [{**r, "title": r["title"] + " (new)", "cost": "£1"} for r in rows], changed_path
        )

        first_times, again_times, update_times = [], [], []
        for run in range(args.runs):
            connection.close()
            if postgres:
                _pg_recreate(os.environ["DATABASE_URL"], template="_migrated")
            else:
                shutil.copy(template, database)
            started = time.perf_counter()
            result = run_import(profile=args.profile == "empty" and run == 0)
            first_times.append(time.perf_counter() - started)
            activities, slots = ActivityPage.objects.count(), Schedule.objects.count()
            started = time.perf_counter()
            again = run_import(profile=args.profile == "again" and run == 0)
            again_times.append(time.perf_counter() - started)
            assert again.created == again.updated == 0, again
            started = time.perf_counter()
            changed = run_import(path=changed_path, profile=args.profile == "changed" and run == 0)
            update_times.append(time.perf_counter() - started)
            assert changed.updated == result.created, changed
            print(
                f"  run {run + 1}: {first_times[-1]:.1f} s ({result.summary}); "
                f"again {again_times[-1]:.1f} s ({again.unchanged} unchanged); "
                f"every title changed {update_times[-1]:.1f} s; "
                f"{activities} pages, {slots} time slots",
                flush=True,
            )
        print(f"import {len(rows)} rows ({label}), empty database: {_median(first_times)}")
        print(f"re-import {len(rows)} rows ({label}), nothing changed: {_median(again_times)}")
        print(f"re-import {len(rows)} rows ({label}), every title changed: {_median(update_times)}")
    finally:
        connection.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
