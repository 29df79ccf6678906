"""Issue 10: a burst of simultaneous problem reports from one client, over real HTTP.

The site runs as its own server process (tests/support/site_process.py) with the rate limits in
Redis, as in production, on SQLite and on PostgreSQL.
"""

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from activities.models import ProblemReport
from activities.reports import services as reports
from tests.factories import ActivityFactory, ScheduleFactory
from tests.support.site_process import site_process

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BURST = 30
REDIS_URL = "redis://127.0.0.1:6379/10"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, fields: dict, cookie: str) -> int:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), headers={"Cookie": cookie}
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_burst_of_30_reports_accepts_exactly_the_limit(tmp_path, provider_a):
    redis = pytest.importorskip("redis").Redis.from_url(REDIS_URL)
    redis.flushdb()
    activity = ActivityFactory(parent=provider_a, title="Walk and talk")
    ScheduleFactory(activity=activity)
    table = ProblemReport._meta.db_table
    with site_process(tmp_path, REDIS_URL=REDIS_URL, REPORT_RATE_LIMIT_PER_HOUR="5") as site:
        url = f"{site.url}/activities/{activity.pk}/report/"
        with urllib.request.urlopen(url, timeout=30) as response:
            cookie = response.headers["Set-Cookie"].split(";")[0]
        secret = re.match(r"csrftoken=(\w+)", cookie).group(1)

        def send(_):
            fields = {
                "csrfmiddlewaretoken": secret,
                "kind": ProblemReport.Kind.OUT_OF_DATE,
                "details": "It moved to Thursdays.",
                "reply_to": "",
                "website": "",
                "token": reports.report_token_make(activity_id=activity.pk, now=time.time() - 10),
            }
            return _post(url, fields, cookie)

        with ThreadPoolExecutor(max_workers=BURST) as pool:
            statuses = list(pool.map(send, range(BURST)))
        reports_written = site.count(table)
    redis.flushdb()

    assert sorted(statuses) == [302] * 5 + [429] * (BURST - 5)
    assert reports_written == 5
