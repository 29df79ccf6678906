import pytest
from django.db import connection

from tests.support.servers import redis_server


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("several app servers share one PostgreSQL (set DATABASE_URL to run this)")


@pytest.fixture
def redis(tmp_path):
    """A Redis of this test's own, on loopback (the test may stop it)."""
    directory = tmp_path / "redis"
    directory.mkdir()
    with redis_server(directory) as server:
        yield server
