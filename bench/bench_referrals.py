"""The providers' inbox, the navigators' queue and the city counts at 10,000 and 100,000
referrals, on SQLite and PostgreSQL side by side, and the time to encrypt and decrypt a page
of 50 people's details.

    DATABASE_URL=postgres://root@127.0.0.1:5432/refs \
        .venv/bin/python bench/bench_referrals.py --sizes 10000 100000 [--runs 7]

Each size gets a fresh SQLite database and then (when DATABASE_URL names one) the PostgreSQL
database, whose referrals are deleted first; both get 200 activities from the synthetic
timetable and `size` referrals spread over their providers (one in ten to the navigators),
then ANALYZE (as autovacuum would). Each page is the whole admin page through the test
client, Wagtail's chrome included: requested once to warm up, then `--runs` times; the median
and the number of queries are printed, then a table of both databases.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def _fill(size: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from activities.models import ActivityPage
    from referrals.models import Destination, Event, Referral

    activities = list(ActivityPage.objects.exclude(provider=None).values_list("pk", "provider_id"))
    details = {
        "name": "Bench Person",
        "contact_method": "phone",
        "phone": "07700 900000",
        "hopes": "Some company" * 5,
    }
    now = timezone.now()
    made = 0
    while made < size:
        count = min(BATCH, size - made)
        referrals = Referral.objects.bulk_create(
            Referral(
                # Distinct references (bulk_create does not retry a random one that collides).
                reference=f"NWD-R-{made + i:06d}",
                route="self",
                created_at=now - dt.timedelta(minutes=made + i),
                consent_given_by="person",
                consent_at=now,
                privacy_notice_version="bench",
                details=details,
            )
            for i in range(count)
        )
        destinations = []
        for i, referral in enumerate(referrals):
            activity, provider = activities[(made + i) % len(activities)]
            navigators = (made + i) % 10 == 0
            state = ("new", "seen", "accepted", "forwarded")[(made + i) % 4]
            destinations.append(
                Destination(
                    referral=referral,
                    provider_id=None if navigators else provider,
                    activity_id=None if navigators else activity,
                    state=state,
                    # Answered ones took 1 to 50 hours, and a forwarded one gave a reason: the
                    # counts screen's medians and reasons have rows to work on.
                    answered_at=referral.created_at + dt.timedelta(hours=1 + (made + i) % 50)
                    if state in ("accepted", "forwarded")
                    else None,
                    decline_reason="full" if state == "forwarded" else "",
                    consent_for_provider_at=now,
                    created_at=referral.created_at,
                )
            )
        Destination.objects.bulk_create(destinations)
        made += count
    assert Event.objects.count() == 0


def child(size: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    import os

    import django

    # The bench measures the lists, not the second factor: navigators and city admins must
    # otherwise pass OTP first (directory.permissions), and force_login does not.
    os.environ.setdefault("OTP_REQUIRED", "false")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from activities.imports.services import timetable_import
    from bench.synthetic import timed_ms, timetable_rows
    from directory.models import ProviderPage
    from directory.permissions import CITY_ADMINS
    from directory.services import provider_editor_add
    from referrals import crypto, selectors
    from referrals.models import Destination, Event, Referral
    from referrals.paging import cursor_make
    from referrals.permissions import NAVIGATORS

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    Event.objects.all().delete()
    Destination.objects.all()._raw_delete(Destination.objects.db)
    Referral.objects.all()._raw_delete(Referral.objects.db)
    timetable_import(rows=timetable_rows(200), create_providers=True)
    started = time.perf_counter()
    _fill(size)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  (made {size} referrals in {time.perf_counter() - started:.1f} s)", flush=True)
    results = []

    provider = ProviderPage.objects.order_by("pk").first()
    editor, _ = provider_editor_add(provider=provider, username="bench-editor", email="e@x.org")
    navigator, _ = get_user_model().objects.get_or_create(username="bench-navigator")
    navigator.groups.add(Group.objects.get(name=NAVIGATORS))
    city_admin, _ = get_user_model().objects.get_or_create(username="bench-city-admin")
    city_admin.groups.add(Group.objects.get(name=CITY_ADMINS))
    # A page deep in the provider's list (after its 1,000th open referral): keyset paging
    # costs what the first page costs.
    deep = selectors.destinations_inbox(user=editor, open_only=True)[1000]
    pages = {
        "provider inbox (own organisation, open)": (editor, "/admin/referrals/"),
        "provider inbox, 21st page": (editor, f"/admin/referrals/?after={cursor_make(deep)}"),
        "navigator inbox (city-wide, open)": (navigator, "/admin/referrals/"),
        "navigators' queue": (navigator, "/admin/referrals/navigators/"),
        "city counts (all time)": (city_admin, "/admin/referrals/counts/"),
    }
    for label, (user, url) in pages.items():
        client = Client()
        client.force_login(user)

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (
                url,
                response.status_code,
                response.get("Location"),
            )

        get()
        # Counted with a wrapper: each request start clears Django's own query log.
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            get()
        median, low, high = timed_ms(get, runs)
        print(
            f"{size:>7} referrals | {label:<42} | median {median:7.1f} ms "
            f"(min {low:.1f}, max {high:.1f}, {runs} runs, {len(queries)} queries)",
            flush=True,
        )
        results.append({"page": label, "median": median, "queries": len(queries)})

    page = [
        {"name": f"Person {i}", "phone": "07700 900000", "hopes": "Some company" * 5}
        for i in range(50)
    ]
    tokens = [crypto.encrypt_json(d) for d in page]
    enc = timed_ms(lambda: [crypto.encrypt_json(d) for d in page], runs)[0]
    dec = timed_ms(lambda: [crypto.decrypt_json(t) for t in tokens], runs)[0]
    print(f"{size:>7} referrals | encrypt 50 people's details: {enc:.2f} ms, decrypt: {dec:.2f} ms")
    results.append({"page": "encrypt a page of 50", "median": enc, "queries": 0})
    results.append({"page": "decrypt a page of 50", "median": dec, "queries": 0})
    if os.environ.get("BENCH_REFERRALS_RESULTS"):
        with open(os.environ["BENCH_REFERRALS_RESULTS"], "a", encoding="utf-8") as out:
            for result in results:
                out.write(json.dumps({"db": connection.vendor, "size": size, **result}) + "\n")


def side_by_side(lines: list[dict]) -> str:
    """The table of both databases: median ms (queries) per page and size."""
    dbs = list(dict.fromkeys(line["db"] for line in lines))
    sizes = sorted({line["size"] for line in lines})
    pages = list(dict.fromkeys(line["page"] for line in lines))
    got = {(line["db"], line["size"], line["page"]): line for line in lines}
    heads = [f"{db} @ {size:,}" for size in sizes for db in dbs]
    table = ["| page | " + " | ".join(heads) + " |", "| --- |" + " --- |" * len(heads)]
    for page in pages:
        cells = []
        for size in sizes:
            for db in dbs:
                line = got.get((db, size, page))
                cells.append(
                    "–"
                    if line is None
                    else f"{line['median']:.2f} ms"
                    if not line["queries"]
                    else f"{line['median']:.0f} ms ({line['queries']} q)"
                )
        table.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(table)


def main() -> None:
    import argparse

    from bench.synthetic import run_each_size

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    postgres = os.environ.pop("DATABASE_URL", "")
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as results:
        os.environ["BENCH_REFERRALS_RESULTS"] = results.name
        for size in args.sizes:
            run_each_size(__file__, sizes=[size], runs=args.runs)  # SQLite, a fresh file
            if postgres:
                os.environ["DATABASE_URL"] = postgres
                run_each_size(__file__, sizes=[size], runs=args.runs)
                del os.environ["DATABASE_URL"]
        lines = [json.loads(line) for line in results.read().splitlines() if line]
    print()
    print(side_by_side(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
