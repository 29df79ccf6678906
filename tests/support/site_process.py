"""The site as a separate server process on loopback, on a copy of the test database.

Django's live_server runs in a thread of the test process; on SQLite's in-memory test database
every thread then shares one connection, which no real deployment does, so simultaneous
requests there fail in ways production never would. This runs the site under gunicorn, as
production does (production settings, two workers of four threads), with its own connections,
against the test's PostgreSQL database, or against a file copy of the SQLite one.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "test-secret-key-for-a-subprocess-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SETTINGS_MODULE": "directory.settings",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SITE_URL": "http://127.0.0.1",
}


@dataclass
class Site:
    url: str
    sqlite_copy: Path | None
    pid: int = 0  # gunicorn's master process (its workers are its children)

    def count(self, table: str) -> int:
        """Rows in `table` as the server process sees them."""
        if self.sqlite_copy is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a test's own name
                return cursor.fetchone()[0]
        with contextlib.closing(sqlite3.connect(self.sqlite_copy)) as copy:
            return copy.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "site.sqlite3"
        with contextlib.closing(sqlite3.connect(copy)) as target:
            connection.ensure_connection()
            connection.connection.backup(target)
        return f"sqlite:///{copy}", copy
    user = settings["USER"] or "root"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}", None


_static_root: Path | None = None


def _collected_static(env: dict) -> Path:
    """Production serves hashed static files (the manifest): collect them once per test run."""
    global _static_root  # noqa: PLW0603 - one collection serves every test in the run
    if _static_root is None:
        root = Path(tempfile.mkdtemp(prefix="nwd-static-"))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            env={**env, "STATIC_ROOT": str(root)},
            cwd=ROOT,
            check=True,
        )
        _static_root = root
    return _static_root


@contextlib.contextmanager
def site_process(tmp_path: Path, **env_overrides: str) -> Iterator[Site]:
    """Serve the data committed so far (use with a transactional test) until the block ends."""
    database_url, copy = _database_url(tmp_path)
    # The test's own secret, so that what the test signs (form tokens) the site accepts.
    env = {**os.environ, **PRODUCTION, "SECRET_KEY": settings.SECRET_KEY}
    env.update(DATABASE_URL=database_url, **env_overrides)
    env["STATIC_ROOT"] = str(_collected_static(env))
    port = _free_port()
    log = (tmp_path / "site.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "directory.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"),
            # Stopping waits this long for open keep-alive connections, not gunicorn's 30 s.
            *("--graceful-timeout", "5"),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, tmp_path / "site.log")
        yield Site(url=url, sqlite_copy=copy, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the site did not start: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/admin/login/", timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the site did not answer within 60 s")
