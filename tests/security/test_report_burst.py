"""Issue 10: a burst of simultaneous problem reports from one client, over real HTTP."""

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings

from activities.models import ProblemReport
from activities.reports import services as reports
from tests.factories import ActivityFactory, ScheduleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BURST = 30


def _post(url: str, fields: dict, cookie: str) -> int:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), headers={"Cookie": cookie}
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@override_settings(REPORT_RATE_LIMIT_PER_HOUR=5)
def test_a_burst_of_30_reports_accepts_exactly_the_limit(live_server, provider_a):
    activity = ActivityFactory(parent=provider_a, title="Walk and talk")
    ScheduleFactory(activity=activity)
    url = f"{live_server.url}/activities/{activity.pk}/report/"
    with urllib.request.urlopen(url, timeout=30) as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
    secret = re.match(r"csrftoken=(\w+)", cookie).group(1)

    def send(_):
        return _post(
            url,
            {
                "csrfmiddlewaretoken": secret,
                "kind": ProblemReport.Kind.OUT_OF_DATE,
                "details": "It moved to Thursdays.",
                "reply_to": "",
                "website": "",
                "token": reports.report_token_make(activity_id=activity.pk, now=time.time() - 10),
            },
            cookie,
        )

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        statuses = list(pool.map(send, range(BURST)))

    assert sorted(statuses) == [302] * 5 + [429] * (BURST - 5)
    assert ProblemReport.objects.count() == 5
