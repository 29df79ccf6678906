"""Our vocabularies as ORUK taxonomies, and the attribute terms that carry what ORUK has no
field for (README "Open Referral UK API").

Taxonomies (each a fixed UUID, the same on every No Wrong Door site):

- ``nwd-categories``: the shared topics (``Category``, term code = slug);
- ``nwd-audiences``: who a session is for (``Audience``, term code = slug);
- ``nwd-accessibility``: the accessibility vocabulary (venues.accessibility, term code = the
  feature code); the status (yes, partly, on_request, no) is the attribute's ``value``;
- ``nwd-listing``: the meanings below, one term each, whose attribute ``value`` holds ours;
- ``lga-service-types``: the LGA's service types (term code = the LGA identifier, ``term_uri``
  its esd.org.uk URI) that our topics map to (openreferral.lga), only those we use.

Pure: no models.
"""

from __future__ import annotations

from dataclasses import dataclass

from venues.accessibility import FEATURES

from . import lga
from .ids import taxonomy_id, term_id

CATEGORIES = "nwd-categories"
AUDIENCES = "nwd-audiences"
ACCESSIBILITY = "nwd-accessibility"
LISTING = "nwd-listing"
LGA_SERVICE_TYPES = "lga-service-types"


@dataclass(frozen=True)
class Taxonomy:
    code: str
    name: str
    description: str
    uri: str = ""

    @property
    def id(self) -> str:
        return taxonomy_id(self.code)


TAXONOMIES = {
    t.code: t
    for t in (
        Taxonomy(CATEGORIES, "No Wrong Door topics", "What an activity is about (shared topics)."),
        Taxonomy(AUDIENCES, "No Wrong Door audiences", "Who a session is specifically for."),
        Taxonomy(
            ACCESSIBILITY,
            "No Wrong Door accessibility",
            "The accessibility vocabulary. An attribute's value is the recorded status: yes, "
            "partly, on_request or no; a feature with no attribute is not known.",
        ),
        Taxonomy(
            LISTING,
            "No Wrong Door listing details",
            "What ORUK has no field for; each attribute's value holds the detail.",
        ),
        Taxonomy(
            LGA_SERVICE_TYPES,
            "LGA Service types",
            "The Local Government Association's list of service types (esdServiceTypes), "
            "the terms our topics map to. Each term's code is the LGA identifier.",
            lga.LIST_URI,
        ),
    )
}

# The nwd-listing terms: code -> (name, description). Codes are public: keep them.
LISTING_TERMS: dict[str, tuple[str, str]] = {
    "kind": ("Kind of activity", "course, group, drop-in, one-off or service"),
    "who_for": ("Who it suits", "Plain text."),
    "not_suitable_for": ("Who it may not suit", "Plain text."),
    "support_level": ("Support level", "peer, facilitated, structured or one_to_one"),
    "how_to_join": ("How to join", "Plain text."),
    "referrer_needs": ("What we need from a referrer", "Plain text."),
    "referral_route": ("Referral route", "self, professional or gp; one attribute each"),
    "booking_required": ("Booking needed", "true or false"),
    "capacity_status": ("Places", "places, few_places, waiting_list or full"),
    "time_limit_weeks": ("Time limit", "The longest someone can attend, in weeks."),
    "online": ("Online session", "true when sessions are online"),
    "cancelled_date": (
        "Cancelled date",
        "A date (YYYY-MM-DD) when no session runs, on any of the service's schedules; "
        "a reason may follow after a space. ORUK schedules have no field for it.",
    ),
    "contact_for_times": (
        "Contact for times",
        "The service has no regular timetable: contact it for times.",
    ),
}


@dataclass(frozen=True)
class Term:
    taxonomy: str
    code: str
    name: str
    description: str
    uri: str = ""

    @property
    def id(self) -> str:
        return term_id(self.taxonomy, self.code)


def term(taxonomy: str, code: str, name: str = "", description: str = "") -> Term:
    return Term(taxonomy, code, name or code, description or name or code)


def listing_term(code: str) -> Term:
    name, description = LISTING_TERMS[code]
    return Term(LISTING, code, name, description)


def lga_term(service_type: lga.ServiceType) -> Term:
    return Term(
        LGA_SERVICE_TYPES,
        service_type.identifier,
        service_type.label,
        service_type.description,
        service_type.uri,
    )


def accessibility_term(code: str) -> Term:
    feature = FEATURES[code]
    return Term(ACCESSIBILITY, code, feature.label, f"{feature.group}: {feature.label}")


def fixed_terms() -> list[Term]:
    """Every term that does not come from the database, in a stable order."""
    return [accessibility_term(code) for code in FEATURES] + [
        listing_term(code) for code in LISTING_TERMS
    ]


def term_json(item: Term) -> dict:
    """A taxonomy_term object (ORUK taxonomy_term.json)."""
    taxonomy = TAXONOMIES[item.taxonomy]
    data = {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "taxonomy": taxonomy.name,
        "taxonomy_id": taxonomy.id,
        "term": item.code,
    }
    if item.uri:
        data["term_uri"] = item.uri
    return data


def attribute_json(item: Term, *, link_id: str, link_type: str, value: str = "") -> dict:
    """An attribute object linking ``link_id`` to a term, with HSDS's ``value`` when given."""
    data = {
        "id": term_id(f"attribute:{link_id}:{item.taxonomy}:{value}", item.code),
        "link_id": link_id,
        "link_type": link_type,
        "taxonomy_term_id": item.id,
        "taxonomy_term": term_json(item),
    }
    if value:
        data["value"] = value
    return data


def lga_identifier_of(attribute: dict) -> str | None:
    """The LGA service type an attribute (anyone's) tags, known by its esd.org.uk term URI or
    by our own LGA taxonomy's term code."""
    item = attribute.get("taxonomy_term") or {}
    if found := lga.identifier_from_uri(item.get("term_uri")):
        return found
    code = term_code_of(attribute, LGA_SERVICE_TYPES)
    return code if code in lga.SERVICE_TYPES else None


def term_code_of(attribute: dict, taxonomy: str) -> str | None:
    """The term code of an attribute in one of our taxonomies (None for anyone else's)."""
    item = attribute.get("taxonomy_term") or {}
    if item.get("taxonomy_id") != TAXONOMIES[taxonomy].id and item.get("taxonomy") != (
        TAXONOMIES[taxonomy].name
    ):
        return None
    code = item.get("term")
    return code if isinstance(code, str) else None
