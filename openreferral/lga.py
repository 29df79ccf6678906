"""Our topics mapped to the LGA's service types (the mapping's one place; README "Open Referral
UK API" explains it).

ORUK recommends the Local Government Association's lists (esd.org.uk) for tagging services:
the Service types list (http://id.esd.org.uk/list/services, CURIE ``esdServiceType``) for what
a service is; the Needs and Circumstances lists are, in ORUK's guidance, for mapping to service
types and for eligibility, not for tagging a service, so we do not use them.

Each identifier and label below is copied from the LGA's English and Welsh services list (the
list's CSV as kept in mysociety/council_climate_services, data/englishAndWelshServices-all.csv,
commit 3bc38ca1, every one "Live"), and agrees with the ids ORUK's own taxonomy guidance cites
(298 Carers support groups, 1284 Mental health support). Nothing here is guessed: a topic with
no service type that truly fits stays unmapped (UNMAPPED says which and why).

Pure: no models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LIST_URI = "http://id.esd.org.uk/list/services"
TERM_URI = "http://id.esd.org.uk/service/{identifier}"


@dataclass(frozen=True)
class ServiceType:
    identifier: str
    label: str
    description: str

    @property
    def uri(self) -> str:
        return TERM_URI.format(identifier=self.identifier)


# Only the service types we map to (the list has about a thousand).
SERVICE_TYPES: dict[str, ServiceType] = {
    s.identifier: s
    for s in (
        ServiceType(
            "1284",
            "Mental health support",
            "Services and advice for people who have, or who are at risk of, mental health "
            "problems, together with their families or carers.",
        ),
        ServiceType(
            "1791",
            "Arts and creative classes",
            "Creative arts classes enabling local residents the opportunity to discover and/or "
            "develop their creative potential",
        ),
        ServiceType(
            "1789",
            "Exercise and fitness classes",
            "Group classes in a range of activities to help local residents keep fit and active",
        ),
        ServiceType(
            "641",
            "Sports clubs and groups",
            "A directory of local sports clubs and organisations which provide sporting "
            "facilities and tuition to local residents.",
        ),
        ServiceType(
            "442",
            "Computers and IT skills",
            "Details of locations, such as local libraries, where the public can access the "
            "internet, make use of equipment and receive instruction to improve their IT skills.",
        ),
        ServiceType(
            "1113",
            "Volunteering",
            "Provision of information on volunteering opportunities available in the community.",
        ),
        ServiceType(
            "199",
            "Health advice",
            "Advice and information on health issues of concern to individuals and the "
            "community. Providing advice on how to live active and healthy lives for all "
            "members of the community.",
        ),
    )
}

# Our topic (slug, name) -> the LGA service type that fits it. Where several of our topics share
# one service type, the first listed is the topic a feed's service of that type is read in as.
TOPICS: tuple[tuple[str, str, str], ...] = (
    ("peer-support", "Peer support", "1284"),
    ("mental-health-courses", "Mental health courses", "1284"),
    ("anxiety-and-low-mood", "Anxiety and low mood", "1284"),
    ("recovery-college", "Recovery College", "1284"),
    ("arts-and-crafts", "Arts and crafts", "1791"),
    ("creative-writing", "Creative writing", "1791"),
    ("physical-activity", "Physical activity", "1789"),
    ("sport", "Sport", "641"),
    ("digital-skills", "Digital skills", "442"),
    ("volunteering", "Volunteering", "1113"),
    ("healthy-lifestyle", "Healthy lifestyle", "199"),
)

# The demo's topics left unmapped: no LGA service type says what they are without stretching
# it (for example "Inclusive leisure and social activities", 241, is for targeted groups; "Cycle
# training", 547, is for new cyclists; "Allotments", 510, rents plots).
UNMAPPED = (
    "social",
    "coffee-morning",
    "advice-and-information",
    "mindfulness-and-relaxation",
    "online",
    "language-and-culture",
    "cooking-and-food",
    "walking",
    "music",
    "time-bank",
    "gardening-and-nature",
    "young-adults",
    "knitting-and-crochet",
    "reading",
    "sewing",
    "cycling",
)

_BY_SLUG = {slug: SERVICE_TYPES[identifier] for slug, _name, identifier in TOPICS}
_TOPIC_OF: dict[str, str] = {}
for _slug, _name, _identifier in TOPICS:
    _TOPIC_OF.setdefault(_identifier, _name)

_URI = re.compile(r"^https?://id\.esd\.org\.uk/service/(\d+)/?$")


def service_type_of(topic_slug: str) -> ServiceType | None:
    """The LGA service type our topic maps to (None: unmapped)."""
    return _BY_SLUG.get(topic_slug)


def topic_slugs_of(identifier: str) -> list[str]:
    """Our topics that map to this LGA service type."""
    return [slug for slug, _name, ident in TOPICS if ident == identifier]


def mapped_slugs() -> list[str]:
    return [slug for slug, _name, _identifier in TOPICS]


def topic_name_for(identifier: str) -> str | None:
    """The topic a feed's service of this LGA service type is read in as (None: unmapped)."""
    return _TOPIC_OF.get(identifier)


def identifier_from_uri(uri: object) -> str | None:
    """``"1284"`` for ``http://id.esd.org.uk/service/1284`` (https and a final / allowed)."""
    match = _URI.match(uri.strip()) if isinstance(uri, str) else None
    return match.group(1) if match else None
