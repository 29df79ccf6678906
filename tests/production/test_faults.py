"""Issue 15: faults survived, on real servers (gunicorn, production settings).

Redis stopped: pages still serve (uncached), nothing answers 500, a problem report is refused
politely. PostgreSQL's connections killed (as a restart does): the next requests reconnect.
A worker killed in the middle of an import: that client gets an error, the next request
works, not one row of the import was written, and the organisation may import again at once.
"""

import threading
import time

import httpx
import pytest
from django.db import connection

from activities.models import ActivityPage, ProblemReport
from activities.reports import services as reports
from directory.services import provider_editor_add
from tests.factories import ActivityFactory, ProviderFactory, ScheduleFactory
from tests.support.servers import (
    PLAIN_HTTP,
    child_pids,
    csv_bytes,
    form_token,
    kill,
    production_password,
    sign_in,
)
from tests.support.site_process import site_process
from tests.support.timetables import timetable_row

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Real servers start and stop; on a shared 2-core machine that takes minutes.
    pytest.mark.timeout(900),
]


@pytest.fixture
def activity(provider_a):
    page = ActivityFactory(parent=provider_a, title="Walk and talk")
    ScheduleFactory(activity=page)
    return page


def _report(browser: httpx.Client, site, activity) -> httpx.Response:
    url = f"{site.url}/activities/{activity.pk}/report/"
    form = browser.get(url)
    assert form.status_code == 200
    return browser.post(
        url,
        data={
            "csrfmiddlewaretoken": form_token(form.text),
            "kind": ProblemReport.Kind.OUT_OF_DATE,
            "details": "It moved to Thursdays.",
            "reply_to": "",
            "website": "",
            "token": reports.report_token_make(activity_id=activity.pk, now=time.time() - 10),
        },
    )


def test_with_redis_stopped_pages_serve_uncached_and_reports_refuse_politely(
    tmp_path, redis, activity
):
    public = ["/activities/", "/activities/?day=tue", activity.url, "/activities/feed.ics"]
    with (
        site_process(tmp_path, REDIS_URL=redis.url(), **PLAIN_HTTP) as site,
        httpx.Client(base_url=site.url, timeout=30) as browser,
    ):
        browser.get("/activities/")
        assert browser.get("/activities/").headers["X-Cache"] == "hit"
        redis.stop()
        for _ in range(2):  # the first try of each worker finds Redis gone
            for path in public:
                response = browser.get(path)
                assert response.status_code == 200, path
                assert "X-Cache" not in response.headers
        assert "Walk and talk" in browser.get("/activities/").text
        health = browser.get("/healthz")
        assert (health.status_code, health.json()["cache"]) == (503, "unavailable")
        refused = _report(browser, site, activity)
        assert refused.status_code in (400, 429)
        assert "try again" in refused.text or "could not check it" in refused.text
        assert site.count(ProblemReport._meta.db_table) == 0

        redis.start()  # the same address: the servers use it again by themselves
        time.sleep(6)  # past the backend's pause after a failure
        statuses = [browser.get("/activities/").headers.get("X-Cache") for _ in range(4)]
        assert "hit" in statuses
        assert _report(browser, site, activity).status_code == 302


def _terminate_site_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.usefixtures("postgresql_only")
def test_after_postgresql_kills_every_connection_the_next_requests_reconnect(tmp_path, activity):
    with (
        site_process(tmp_path, PAGE_CACHE_SECONDS="0") as site,
        httpx.Client(base_url=site.url, timeout=30) as browser,
    ):
        # Open kept-alive connections in both workers' threads.
        with httpx.Client(base_url=site.url, timeout=30) as other:
            for _ in range(8):
                assert browser.get("/activities/").status_code == 200
                assert other.get(activity.url).status_code == 200
        assert _terminate_site_connections() > 0
        statuses = [browser.get(path).status_code for path in ["/activities/", activity.url] * 8]
        assert statuses == [200] * 16
        assert browser.get("/healthz").json() == {"database": "ok", "cache": "ok"}


def _writing_backend_seen(deadline: float) -> bool:
    """True once a server connection is inside a transaction that has written (has an xid)."""
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


@pytest.mark.usefixtures("postgresql_only")
def test_a_worker_killed_mid_import_leaves_no_half_import(tmp_path, redis):
    provider = ProviderFactory(title="Hope Wellbeing")
    editor, _ = provider_editor_add(provider=provider, username="hope", email="h@example.org")
    production_password(editor)
    rows = [
        timetable_row(ref=f"HW-{n}", title=f"Killed import group {n}", online="")
        for n in range(1, 401)
    ]
    env = {"REDIS_URL": redis.url(), "OTP_REQUIRED": "false", **PLAIN_HTTP}
    table = ActivityPage._meta.db_table
    before = ActivityPage.objects.count()
    with (
        site_process(tmp_path, **env) as site,
        httpx.Client(base_url=site.url, timeout=120) as browser,
    ):
        sign_in(browser, site.url, "hope")
        form = browser.get("/admin/timetable-import/")
        checked = browser.post(
            "/admin/timetable-import/",
            data={
                "csrfmiddlewaretoken": form_token(form.text),
                "provider": provider.pk,
            },
            files={"file": ("timetable.csv", csv_bytes(rows), "text/csv")},
        )
        assert checked.status_code == 200
        token = checked.text.split('name="token" value="')[1].split('"')[0]
        outcome = {}

        def confirm():
            try:
                outcome["response"] = browser.post(
                    "/admin/timetable-import/confirm/",
                    data={"csrfmiddlewaretoken": form_token(checked.text), "token": token},
                )
            except httpx.HTTPError as exc:
                outcome["error"] = exc

        sender = threading.Thread(target=confirm)
        sender.start()
        assert _writing_backend_seen(time.monotonic() + 60), "the import never started writing"
        kill(child_pids(site.pid))  # every worker, so the one writing is among them
        sender.join(timeout=60)

        assert "error" in outcome, outcome  # the connection dropped: no answer at all
        deadline = time.monotonic() + 60
        while True:  # gunicorn starts new workers; the first request they answer works
            try:
                response = httpx.get(f"{site.url}/activities/", timeout=10)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert response.status_code == 200
        assert site.count(table) == before

        # The killed worker's import lock died with its connection: the organisation's next
        # import goes ahead at once (no "Another import ... is in progress" for 15 minutes).
        again = [timetable_row(ref="HW-AGAIN", title="Imported after the kill", online="")]
        form = browser.get("/admin/timetable-import/")
        checked = browser.post(
            "/admin/timetable-import/",
            data={"csrfmiddlewaretoken": form_token(form.text), "provider": provider.pk},
            files={"file": ("timetable.csv", csv_bytes(again), "text/csv")},
        )
        token = checked.text.split('name="token" value="')[1].split('"')[0]
        confirmed = browser.post(
            "/admin/timetable-import/confirm/",
            data={"csrfmiddlewaretoken": form_token(checked.text), "token": token},
        )
        assert "Another import" not in confirmed.text
        assert confirmed.status_code == 302, confirmed.text[:500]
        assert site.count(table) == before + 1
    assert not ActivityPage.objects.filter(title__startswith="Killed import group").exists()
