"""openreferral.validation judges the ORUK validator's own sample responses as the validator
does: its passing set passes, its warning set warns, its failing set fails (copied from
OpenReferralUK/oruk-validator, README "Data and licences")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openreferral import validation

FIXTURES = Path(__file__).parent / "validator-fixtures"
SETS = {"V3.0-UK-Default": "pass", "V3.0-UK-Warn": "warn", "V3.0-UK-Fail": "fail"}


def _verdicts(folder: str) -> dict[str, str]:
    verdicts = {}
    for path in sorted((FIXTURES / folder).glob("*.json")):
        kind = path.stem.replace("_full", "")
        if kind in validation.KINDS:
            body = json.loads(path.read_text(encoding="utf-8"))
            verdicts[kind] = validation.check(kind, body).result
    return verdicts


@pytest.mark.parametrize(("folder", "expected"), SETS.items())
def test_each_sample_set_gets_the_validators_verdict(folder, expected):
    verdicts = _verdicts(folder)

    assert len(verdicts) == 11
    worst = max(verdicts.values(), key=["pass", "warn", "fail"].index)
    assert worst == expected


def test_failing_set_fails_on_the_required_endpoints_only():
    verdicts = _verdicts("V3.0-UK-Fail")

    failing = {kind for kind, result in verdicts.items() if result == "fail"}
    assert failing == {"api_details", "service", "service_list"}
    assert all(validation.KINDS[kind][1] for kind in failing)


def test_a_missing_required_field_is_named():
    verdict = validation.check("service", {"id": "ac148810-d857-441c-9679-408f346de14b"})

    assert verdict.result == "fail"
    assert "(top level): 'name' is a required property" in verdict.problems


def test_contradictory_paging_warns():
    body = {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": False,
        "empty": False,
        "contents": [],
    }

    verdict = validation.check("taxonomy_list", body)

    assert verdict.result == "warn"
    assert verdict.problems == [
        "empty is false but the page holds 0 items.",
        "last_page is false on page 1 of 1.",
    ]
