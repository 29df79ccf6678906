"""Issue 15: the optional read replica (DATABASE_REPLICA_URL) serves anonymous public reads.

A second PostgreSQL database, copied from the test database with pg_dump, acts as the replica;
one title is changed there only, so each page shows which database it read. Visitors read the
replica; a signed-in editor, and every write (signing in writes a session), use the primary.
"""

import contextlib
import subprocess

import httpx
import psycopg
import pytest
from django.db import connection

from directory.services import provider_editor_add
from tests.factories import ActivityFactory, ScheduleFactory
from tests.support.servers import PLAIN_HTTP, production_password, sign_in
from tests.support.site_process import site_process

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("postgresql_only"),
    pytest.mark.timeout(900),
]


@contextlib.contextmanager
def replica_copy(*, changed_title_of: int):
    """A copy of the test database under another name (its URL), where one page's title is
    changed."""
    source = connection.settings_dict
    host, user = source["HOST"] or "127.0.0.1", source["USER"] or "root"
    name = f"{source['NAME']}_replica"
    base = ["-h", host, "-U", user]
    subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    subprocess.run(["createdb", *base, name], check=True)
    try:
        dump = subprocess.run(["pg_dump", *base, source["NAME"]], check=True, capture_output=True)
        subprocess.run(
            ["psql", "-q", *base, name], input=dump.stdout, check=True, capture_output=True
        )
        with psycopg.connect(host=host, user=user, dbname=name) as replica:
            replica.execute(
                "UPDATE wagtailcore_page SET title = 'Walk and talk on the replica' WHERE id = %s",
                [changed_title_of],
            )
        yield f"postgres://{user}@{host}:{source['PORT'] or 5432}/{name}"
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", "--force", name], check=True)


def test_visitors_read_the_replica_and_editors_the_primary(tmp_path, provider_a):
    activity = ActivityFactory(parent=provider_a, title="Walk and talk")
    ScheduleFactory(activity=activity)
    editor, _ = provider_editor_add(provider=provider_a, username="alice", email="a@example.org")
    production_password(editor)
    env = {"PAGE_CACHE_SECONDS": "0", "OTP_REQUIRED": "false", **PLAIN_HTTP}
    with (
        replica_copy(changed_title_of=activity.pk) as url,
        site_process(tmp_path, DATABASE_REPLICA_URL=url, **env) as site,
        httpx.Client(base_url=site.url, timeout=60) as browser,
    ):
        visitor = browser.get("/activities/").text
        assert "Walk and talk on the replica" in visitor
        sign_in(browser, site.url, "alice")  # a write: the session, on the primary
        editor_view = browser.get("/activities/").text
        assert "Walk and talk on the replica" not in editor_view
        assert "Walk and talk" in editor_view
