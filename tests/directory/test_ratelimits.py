"""directory.ratelimits: fixed windows counted atomically, every limit counted, clients hashed."""

from __future__ import annotations

import threading

import pytest
from django.test import RequestFactory, override_settings

from directory.ratelimits import Limit, client_address, client_key, take, used

HOURLY = Limit(scope="test:client", count=3, seconds=3600)
DAILY = Limit(scope="test:thing", count=5, seconds=86400)
NOW = 1_800_000_000.0  # a fixed moment; windows are counted from the epoch


def test_take_allows_exactly_the_count_in_a_window():
    answers = [take([(HOURLY, "a")], now=NOW) for _ in range(5)]

    assert answers == [True, True, True, False, False]
    assert used(HOURLY, "a", now=NOW) == 5


def test_take_starts_again_in_the_next_window():
    for _ in range(4):
        take([(HOURLY, "a")], now=NOW)

    assert take([(HOURLY, "a")], now=NOW + HOURLY.seconds) is True


def test_take_keeps_subjects_apart():
    for _ in range(3):
        take([(HOURLY, "a")], now=NOW)

    assert (take([(HOURLY, "a")], now=NOW), take([(HOURLY, "b")], now=NOW)) == (False, True)


def test_take_counts_every_limit_even_when_one_refuses():
    for _ in range(4):
        take([(HOURLY, "a"), (DAILY, "thing")], now=NOW)

    assert used(DAILY, "thing", now=NOW) == 4


def test_take_lets_exactly_the_count_through_a_burst_of_threads():
    results: list[bool] = []
    barrier = threading.Barrier(20)

    def one():
        barrier.wait()
        results.append(take([(HOURLY, "burst")], now=NOW))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 17 + [True] * 3


def test_client_key_is_not_the_address_and_is_stable():
    key = client_key("203.0.113.9")

    assert "203.0.113.9" not in key
    assert key == client_key("203.0.113.9") != client_key("203.0.113.10")


@pytest.mark.parametrize(
    ("header", "meta", "expected"),
    [
        ("", {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.1"),
        (
            "HTTP_X_FORWARDED_FOR",
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"},
            "1.2.3.4",
        ),
        ("HTTP_X_FORWARDED_FOR", {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
    ],
)
def test_client_address_trusts_the_proxy_header_only_when_configured(header, meta, expected):
    request = RequestFactory().get("/", **meta)

    with override_settings(CLIENT_IP_HEADER=header):
        assert client_address(request) == expected
