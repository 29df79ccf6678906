"""Checking ORUK 3.0 responses against the standard's schemas, offline, as the ORUK validator
judges them: ``pass``, ``warn`` or ``fail``.

The schemas (``schemas/oruk-3.0/``, copied verbatim from the standard, README "Data and
licences") refer to each other by absolute URL; a ``referencing`` registry maps that prefix
to the folder, so nothing is fetched.

The verdict of one response:

- ``fail``: it does not match the schema of a *required* endpoint (``/``, ``/services``,
  ``/services/{id}``), or is not a JSON object at all;
- ``warn``: it does not match the schema of an *optional* endpoint, or its paging fields
  contradict its contents (``size`` is not the number of items, ``empty`` is wrong,
  ``first_page``/``last_page`` disagree with ``page_number`` and ``total_pages``);
- ``pass`` otherwise.

Pure: no models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "oruk-3.0"
OPENAPI = SCHEMA_DIR.parent / "openapi.json"
PREFIX = "https://openreferraluk.org/specifications/3.0/schema/"

# Response kind -> (schema file, required by the standard?)
KINDS: dict[str, tuple[str, bool]] = {
    "api_details": ("api_details.json", True),
    "service_list": ("service_list.json", True),
    "service": ("service.json", True),
    "organization_list": ("organization_list.json", False),
    "organization": ("organization.json", False),
    "taxonomy_list": ("taxonomy_list.json", False),
    "taxonomy": ("taxonomy.json", False),
    "taxonomy_term_list": ("taxonomy_term_list.json", False),
    "taxonomy_term": ("taxonomy_term.json", False),
    "service_at_location_list": ("service_at_location_list.json", False),
    "service_at_location": ("service_at_location.json", False),
}
PAGING_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page")

PASS, WARN, FAIL = "pass", "warn", "fail"
_RANK = {PASS: 0, WARN: 1, FAIL: 2}


@dataclass
class Verdict:
    result: str = PASS
    problems: list[str] = field(default_factory=list)  # what made it warn or fail

    def add(self, result: str, message: str) -> None:
        self.problems.append(message)
        if _RANK[result] > _RANK[self.result]:
            self.result = result


def _load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    """Every schema file under its absolute URL."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((PREFIX + path.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator(kind: str) -> Draft202012Validator:
    name, _ = KINDS[kind]
    return Draft202012Validator(
        {"$ref": PREFIX + name}, registry=registry(), format_checker=FormatChecker()
    )


def _where(error) -> str:
    path = "/".join(str(part) for part in error.absolute_path)
    return path or "(top level)"


def schema_errors(kind: str, body: object, *, limit: int = 20) -> list[str]:
    """Up to ``limit`` schema errors, each "path: message", in a stable order."""
    errors = sorted(validator(kind).iter_errors(body), key=lambda e: list(map(str, e.path)))
    return [f"{_where(e)}: {e.message[:300]}" for e in errors[:limit]]


def paging_problems(body: dict) -> list[str]:
    """Where the paging fields of a list response contradict its contents."""
    contents = body.get("contents")
    if not isinstance(contents, list):
        return []
    problems = []
    values = {name: body.get(name) for name in PAGING_FIELDS}
    if isinstance(body.get("empty"), bool) and body["empty"] != (len(contents) == 0):
        problems.append(
            f"empty is {str(body['empty']).lower()} but the page holds {len(contents)} items."
        )
    page, pages = values["page_number"], values["total_pages"]
    first = values["first_page"]
    if isinstance(page, int) and isinstance(first, bool) and first != (page == 1):
        problems.append(f"first_page is {str(first).lower()} on page {page}.")
    last = values["last_page"]
    numbers = isinstance(page, int) and isinstance(pages, int)
    if numbers and isinstance(last, bool) and last != (page >= pages):
        problems.append(f"last_page is {str(last).lower()} on page {page} of {pages}.")
    total = values["total_items"]
    if isinstance(total, int) and total < len(contents):
        problems.append(f"total_items is {total} but the page holds {len(contents)} items.")
    return problems


def check(kind: str, body: object) -> Verdict:
    """The validator's verdict on one response of this kind."""
    verdict = Verdict()
    _, required = KINDS[kind]
    if not isinstance(body, dict):
        verdict.add(FAIL, "The response is not a JSON object.")
        return verdict
    for message in schema_errors(kind, body):
        verdict.add(FAIL if required else WARN, message)
    if kind.endswith("_list"):
        for message in paging_problems(body):
            verdict.add(WARN, message)
    return verdict
