"""The providers' inbox, the navigators' queue and the city counts at 10,000 and 100,000
referrals, and the time to encrypt and decrypt a page of 50 people's details.

    .venv/bin/python bench/bench_referrals.py [--sizes 10000 100000] [--runs 7]

Each size gets a fresh SQLite database (or DATABASE_URL's PostgreSQL database, whose referrals
are deleted first) with 200 activities from the synthetic timetable and `size` referrals spread
over their providers (one in ten to the navigators). Each page is requested once to warm up,
then `--runs` times; the median and the number of queries are printed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def _median_ms(call, runs: int) -> tuple[float, float, float]:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), max(times)


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
    from bench.synthetic import timetable_rows
    from directory.models import ProviderPage
    from directory.permissions import CITY_ADMINS
    from directory.services import provider_editor_add
    from referrals import crypto
    from referrals.models import Destination, Event, Referral
    from referrals.permissions import NAVIGATORS

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    Event.objects.all().delete()
    Destination.objects.all()._raw_delete(Destination.objects.db)
    Referral.objects.all()._raw_delete(Referral.objects.db)
    timetable_import(rows=timetable_rows(200), create_providers=True)
    started = time.perf_counter()
    _fill(size)
    print(f"  (made {size} referrals in {time.perf_counter() - started:.1f} s)", flush=True)

    provider = ProviderPage.objects.order_by("pk").first()
    editor, _ = provider_editor_add(provider=provider, username="bench-editor", email="e@x.org")
    navigator, _ = get_user_model().objects.get_or_create(username="bench-navigator")
    navigator.groups.add(Group.objects.get(name=NAVIGATORS))
    city_admin, _ = get_user_model().objects.get_or_create(username="bench-city-admin")
    city_admin.groups.add(Group.objects.get(name=CITY_ADMINS))
    pages = {
        "provider inbox (own organisation, open)": (editor, "/admin/referrals/"),
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
        median, low, high = _median_ms(get, runs)
        print(
            f"{size:>7} referrals | {label:<42} | median {median:7.1f} ms "
            f"(min {low:.1f}, max {high:.1f}, {runs} runs, {len(queries)} queries)",
            flush=True,
        )

    page = [
        {"name": f"Person {i}", "phone": "07700 900000", "hopes": "Some company" * 5}
        for i in range(50)
    ]
    tokens = [crypto.encrypt_json(d) for d in page]
    enc = _median_ms(lambda: [crypto.encrypt_json(d) for d in page], runs)[0]
    dec = _median_ms(lambda: [crypto.decrypt_json(t) for t in tokens], runs)[0]
    print(f"{size:>7} referrals | encrypt 50 people's details: {enc:.2f} ms, decrypt: {dec:.2f} ms")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import per_size_main

    per_size_main(__file__, description=__doc__.splitlines()[0], child=child, runs=7)
