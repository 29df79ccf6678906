"""Real servers for the production tests: a Redis of the test's own, signing in over HTTP,
and the pieces of a real admin upload (a CSV body, form tokens)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from django.contrib.auth.hashers import PBKDF2PasswordHasher

PASSWORD = "a-long-test-password-7f3c"
# A site process serves plain HTTP on loopback: its cookies must not be Secure for an HTTP
# client to send them back (browsers make an exception for localhost; clients do not).
PLAIN_HTTP = {"CSRF_COOKIE_SECURE": "false", "SESSION_COOKIE_SECURE": "false"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server on loopback that the test may stop and start again (no disk)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def production_password(user, password: str = PASSWORD) -> None:
    """Give `user` a password the production settings' hasher checks (the test run's own
    hasher is MD5, which production does not accept)."""
    user.password = PBKDF2PasswordHasher().encode(password, "testsalt1234", iterations=1000)
    user.save(update_fields=["password"])


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="(\w+)"')


def form_token(html: str) -> str:
    return TOKEN.search(html).group(1)


def sign_in(client: httpx.Client, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in to the admin through its real form."""
    page = client.get(f"{base}/admin/login/")
    response = client.post(
        f"{base}/admin/login/",
        data={
            "csrfmiddlewaretoken": form_token(page.text),
            "username": username,
            "password": password,
            "next": "/admin/",
        },
        headers={"Referer": f"{base}/admin/login/"},
    )
    assert response.status_code == 302, response.text[:500]


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is `parent` (gunicorn's workers), from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            # The command name, in parentheses, may hold spaces: the fields follow the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(entry))
    return children


def kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
