"""Issue 10: hostile public GET requests never give a 500 and never take long.

Hypothesis builds query strings of up to 8 KB from every parameter the public forms read (taken
from the filter and form classes themselves, so a new parameter is fuzzed too) plus unknown
ones, mixing valid choices with hostile text: NUL bytes, huge numbers, other scripts, repeats.
Each request must answer below 500 within REQUEST_SECONDS.
"""

import time
import urllib.parse

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.filters import ActivityFilter
from activities.finder.forms import FinderForm
from tests.factories import ActivityFactory, ScheduleFactory, VenueFactory

pytestmark = pytest.mark.django_db

REQUEST_SECONDS = 2.0
MAX_QUERY = 8 * 1024
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "9" * 40,
            str(2**63),
            "1e309",
            "nan",
            "\x00",
            "a\x00b",
            "%00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "ŝ" * 50,
            "mon,tue",
            " ",
            "L1 8JQ",
            "ZZ99 9ZZ",
        ]
    ),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=120),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _choices(field) -> list[str]:
    values = []
    for value, _label in getattr(field, "choices", None) or []:
        if hasattr(value, "value"):  # ModelChoiceIteratorValue
            value = value.value
        if value not in ("", None):
            values.append(str(value))
    return values


def _parameters(fields) -> dict[str, list[str]]:
    return {name: _choices(field) for name, field in fields.items()}


def _value(valid: list[str]):
    return st.one_of(st.sampled_from(valid), HOSTILE) if valid else HOSTILE


def _query(parameters: dict[str, list[str]]):
    names = sorted(parameters)
    pair = st.sampled_from(names).flatmap(
        lambda name: st.tuples(st.just(name), _value(parameters[name]))
    )
    unknown = st.tuples(st.text(min_size=1, max_size=20), HOSTILE)
    return st.lists(st.one_of(pair, pair, unknown), max_size=60).map(_encode)


def _encode(pairs) -> str:
    query = urllib.parse.urlencode(pairs)
    return query[:MAX_QUERY].rsplit("&", 1)[0] if len(query) > MAX_QUERY else query


@pytest.fixture
def listings(provider_a, provider_b):
    venue = VenueFactory()
    for number, provider in enumerate([provider_a, provider_b] * 4):
        activity = ActivityFactory(parent=provider, title=f"Group {number}", venue=venue)
        ScheduleFactory(activity=activity)
    return venue


def _get(client, path: str, query: str):
    started = time.monotonic()
    response = client.get(f"{path}?{query}" if query else path)
    elapsed = time.monotonic() - started
    assert response.status_code < 500, (path, query, response.status_code)
    assert elapsed < REQUEST_SECONDS, (path, query, elapsed)
    return response


def _browse_parameters() -> dict[str, list[str]]:
    return {
        **_parameters({name: f.field for name, f in ActivityFilter.base_filters.items()}),
        "page": ["1", "2"],
        "download": ["1"],
    }


@FUZZ
@given(query=st.deferred(lambda: _query(_browse_parameters())), which=st.integers(0, 2))
def test_browse_export_and_feed_survive_any_query(client, listings, query, which):
    path = ["/activities/", "/activities/export.csv", "/activities/feed.ics"][which]
    _get(client, path, query)


@FUZZ
@given(query=st.deferred(lambda: _query(_parameters(FinderForm().fields))))
def test_the_finder_survives_any_query(client, listings, query):
    _get(client, "/find/", query)


SHORTLIST_PARAMETERS = {"ids": [], "full": ["1"], "download": ["1"]}


@FUZZ
@given(query=_query(SHORTLIST_PARAMETERS), which=st.integers(0, 2))
def test_the_shortlist_pages_survive_any_query(client, listings, query, which):
    _get(client, ["/shortlist/", "/shortlist/print/", "/shortlist/feed.ics"][which], query)


PATH_PART = st.one_of(
    st.integers(min_value=0, max_value=2**80).map(str),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80),
)


@FUZZ
@given(part=PATH_PART, which=st.integers(0, 6))
def test_paths_with_hostile_ids_and_slugs_are_never_a_500(client, listings, part, which):
    quoted = urllib.parse.quote(part, safe="")
    path = [
        f"/feeds/activities/{quoted}.ics",
        f"/feeds/providers/{quoted}.ics",
        f"/feeds/venues/{quoted}.ics",
        f"/venues/{quoted}/",
        f"/activities/{quoted}/report/",
        f"/shortlist/feed/{quoted}.ics",
        f"/activities/feed/{quoted}.ics",
    ][which]
    _get(client, path, "")


def test_the_fuzzed_parameters_cover_the_forms():
    # If a form loses its fields (or the strategies stop reading them) this suite fuzzes nothing.
    assert {"q", "day", "access", "category", "provider", "sort"} <= set(_browse_parameters())
    assert {"postcode", "days", "interests", "age", "access"} <= set(FinderForm().fields)
    assert connection.vendor in {"sqlite", "postgresql"}
