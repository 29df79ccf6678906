"""Issue 15: two app servers (gunicorn, production settings) on one PostgreSQL and one Redis.

A city runs several behind a load balancer, which may send each request to any of them: a
whole admin upload alternates between the two (sign in on one, upload on the other, preview
on the first, confirm on the second), and the import lands exactly once. Public pages cached
by one server are never stale on the other.
"""

import httpx
import pytest

from activities.models import ActivityPage
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support.servers import PLAIN_HTTP, csv_bytes, form_token, production_password, sign_in
from tests.support.site_process import site_process
from tests.support.timetables import timetable_row

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("postgresql_only"),
    # Two real servers start and stop; on a shared 2-core machine that takes minutes.
    pytest.mark.timeout(900),
]

ROWS = [
    timetable_row(ref=f"HW-{n}", title=f"Shared server group {n}", online="") for n in range(1, 4)
]


def _two_sites(tmp_path, redis):
    env = {"REDIS_URL": redis.url(1), "OTP_REQUIRED": "false", **PLAIN_HTTP}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    return site_process(tmp_path / "a", **env), site_process(tmp_path / "b", **env)


def test_an_upload_alternating_between_two_servers_lands_once(tmp_path, redis):
    provider = ProviderFactory(title="Hope Wellbeing")
    editor, _ = provider_editor_add(provider=provider, username="hope", email="h@example.org")
    production_password(editor)
    table = ActivityPage._meta.db_table
    first, second = _two_sites(tmp_path, redis)
    with first as a, second as b, httpx.Client(timeout=60) as browser:
        # A visitor's browse page, cached by server A before the import.
        assert "Shared server group" not in browser.get(f"{a.url}/activities/").text
        assert browser.get(f"{a.url}/activities/").headers["X-Cache"] == "hit"
        browser.cookies.clear()

        sign_in(browser, a.url, "hope")
        form = browser.get(f"{b.url}/admin/timetable-import/")
        assert form.status_code == 200
        checked = browser.post(
            f"{b.url}/admin/timetable-import/",
            data={"csrfmiddlewaretoken": form_token(form.text), "provider": provider.pk},
            files={"file": ("timetable.csv", csv_bytes(ROWS), "text/csv")},
        )
        assert checked.status_code == 200
        assert "3 new" in checked.text or "Shared server group 1" in checked.text

        # The preview, and its confirm form, from the other server: the check is shared.
        preview = browser.get(f"{a.url}/admin/timetable-import/preview/", params={"page": 1})
        assert preview.status_code == 200
        assert "Shared server group 3" in preview.text
        token = preview.text.split('name="token" value="')[1].split('"')[0]
        confirmed = browser.post(
            f"{b.url}/admin/timetable-import/confirm/",
            data={"csrfmiddlewaretoken": form_token(preview.text), "token": token},
        )
        assert confirmed.status_code == 302
        assert b.count(table) == 3

        # Sent again (a double click, on the other server): nothing more is imported.
        again = browser.post(
            f"{a.url}/admin/timetable-import/confirm/",
            data={"csrfmiddlewaretoken": form_token(preview.text), "token": token},
        )
        assert again.status_code == 302
        assert a.count(table) == 3

        # Visitors see the import at once on both servers (the data version is shared).
        browser.cookies.clear()
        for site in (a, b):
            page = browser.get(f"{site.url}/activities/")
            assert "Shared server group 2" in page.text
    assert ActivityPage.objects.filter(title__startswith="Shared server group").count() == 3
