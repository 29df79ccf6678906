"""ORUK 3.0 services as rows of our timetable spreadsheet layout (activities.imports.columns),
so a feed goes in through the same checked, all-or-nothing import as a provider's file.

One service is one activity: its first time slot on its own row, each further one on a row
whose ``part_of`` names it. Schedules that carry RRULE fields (freq, interval, byday, dtstart,
valid_from/valid_to, opens_at/closes_at) become slots (openreferral.schedules); a service whose
hours are free text (or absent) gets no slot and "Contact for times" in how_to_join. What we
cannot read is reported with the service id and the field, and left out.

Attributes in our own taxonomies (openreferral.vocabulary) bring back what a No Wrong Door
feed carries beyond ORUK's fields (topics, audiences, accessibility statuses, cancelled dates,
how to join...); from other publishers' taxonomies only the LGA service types we map to topics
(openreferral.lga) are read, the rest left alone. Pure: no models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from activities import recurrence
from activities.enums import ActivityKind, CapacityStatus, ReferralRoute, SupportLevel
from activities.imports.columns import time_cell
from venues.accessibility import FEATURES, FeatureStatus

from . import lga, schedules
from .vocabulary import (
    ACCESSIBILITY,
    AUDIENCES,
    CATEGORIES,
    LISTING,
    lga_identifier_of,
    term_code_of,
)

CONTACT_FOR_TIMES = "Contact for times."


@dataclass
class Mapped:
    rows: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def source_ref(service_id: str) -> str:
    """Our ref for a feed's service: its id, or a digest of a long one (refs hold 60)."""
    text = str(service_id)
    return text if len(text) <= 60 else "ORUK-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _text(value: object, limit: int = 0) -> str:
    text = "" if value is None else " ".join(str(value).split()) if limit else str(value).strip()
    return text[:limit] if limit else text


def _ours(attributes: Iterable[dict], taxonomy: str) -> list[tuple[str, dict]]:
    found = []
    for attribute in attributes or []:
        if isinstance(attribute, dict) and (code := term_code_of(attribute, taxonomy)):
            found.append((code, attribute))
    return found


def _location(service: dict) -> tuple[dict | None, dict | None]:
    """The first physical location, and the first virtual one."""
    physical, virtual = None, None
    for link in service.get("service_at_locations") or []:
        location = (link or {}).get("location") or {}
        kind = location.get("location_type")
        if kind == "virtual" and virtual is None:
            virtual = location
        elif kind == "physical" and physical is None:
            physical = location
    return physical, virtual


def _cost(service: dict) -> str:
    if fees := _text(service.get("fees"), 60):
        return fees
    for option in service.get("cost_options") or []:
        if not isinstance(option, dict):
            continue
        if text := _text(option.get("amount_description") or option.get("option"), 60):
            return text
        if option.get("amount") == 0:
            return "Free"
        if isinstance(option.get("amount"), int | float):
            return f"£{option['amount']:.2f}"
    return ""


def _phone(service: dict) -> str:
    for contact in service.get("contacts") or []:
        for phone in (contact or {}).get("phones") or []:
            if number := _text((phone or {}).get("number"), 40):
                return number
    return ""


def _slot_cells(rule: recurrence.Rule) -> dict[str, str]:
    return {
        "frequency": str(rule.frequency),
        "first_date": rule.first_date.isoformat(),
        "start_time": time_cell(rule.start_time),
        "end_time": time_cell(rule.end_time),
        "sessions": "",
        "last_date": rule.last_date.isoformat() if rule.last_date else "",
    }


_BLANK_SLOT = dict.fromkeys(
    ("frequency", "first_date", "start_time", "end_time", "sessions", "last_date"), ""
)


def service_rows(service: dict, *, provider: str) -> Mapped:
    """The spreadsheet rows for one ORUK service (full, with its schedules and locations)."""
    result = Mapped()
    sid = _text(service.get("id"))
    ref = source_ref(sid)
    attributes = service.get("attributes") or []
    details: dict[str, list[str]] = {}
    for code, attribute in _ours(attributes, LISTING):
        details.setdefault(code, []).append(_text(attribute.get("value")))

    def one(code: str) -> str:
        return (details.get(code) or [""])[0]

    rules: list[recurrence.Rule] = []
    hours_text: list[str] = []
    for index, schedule in enumerate(service.get("schedules") or []):
        if not isinstance(schedule, dict):
            continue
        try:
            found = schedules.read_schedule(schedule)
        except schedules.Unreadable as exc:
            result.warnings.append(f"Service {sid}, schedules[{index}].{exc.field}: {exc}")
            found = []
        if not found and (words := _text(schedule.get("description"), 300)):
            hours_text.append(words)
        rules += found

    physical, virtual = _location(service)
    # A No Wrong Door feed says so; elsewhere only a virtual location does.
    online = one("online") == "true" if details else virtual is not None and physical is None
    meeting_link = _text((virtual or {}).get("url"), 200) if online else ""
    kind = one("kind") if one("kind") in ActivityKind.values else ""
    if not kind:
        kind = ActivityKind.GROUP if rules else ActivityKind.SERVICE
    if physical is None and not online:
        kind = ActivityKind.SERVICE  # no meeting place: the layout allows only a service
    how_to_join = one("how_to_join")
    if not rules:
        note = CONTACT_FOR_TIMES + (" " + " ".join(hours_text) if hours_text else "")
        how_to_join = f"{how_to_join}\n\n{note}".strip()
    routes = [v for v in details.get("referral_route", []) if v in ReferralRoute.values]
    languages = [
        _text((item or {}).get("name"), 60)
        for item in service.get("languages") or []
        if isinstance(item, dict) and _text(item.get("name")).lower() not in ("", "english")
    ]
    access = {}
    for code, attribute in _ours(attributes, ACCESSIBILITY):
        status = _text(attribute.get("value")) or FeatureStatus.YES
        if code in FEATURES and status in FeatureStatus.values:
            access[code] = status
    row = {
        "ref": ref,
        "provider": provider,
        "title": _text(service.get("name"), 255),
        "kind": kind,
        "category": ";".join(_topics(attributes)),
        "description": _text(service.get("description")) or _text(service.get("name")),
        "audience": ";".join(
            _text((a.get("taxonomy_term") or {}).get("name"), 100)
            for _, a in _ours(attributes, AUDIENCES)
        ),
        "age_min": _age(service.get("minimum_age")),
        "age_max": _age(service.get("maximum_age")),
        "cost": _cost(service),
        "referral": ";".join(routes),
        "online": "yes" if online else "no",
        "contact_email": _text(service.get("email"), 254),
        "contact_phone": _phone(service),
        "booking_url": _booking_url(service),
        "who_for": one("who_for"),
        "not_suitable_for": one("not_suitable_for"),
        "support_level": one("support_level")
        if one("support_level") in SupportLevel.values
        else "",
        "how_to_join": how_to_join,
        "referrer_needs": one("referrer_needs"),
        "capacity_status": one("capacity_status")
        if one("capacity_status") in CapacityStatus.values
        else CapacityStatus.PLACES,
        "booking_required": "yes" if one("booking_required") == "true" else "no",
        "engagement_limit_weeks": one("time_limit_weeks"),
        "languages": ", ".join(languages)[:200],
        "meeting_link": meeting_link if meeting_link.startswith("https://") else "",
        "part_of": "",
    }
    row.update(_venue_cells(physical))
    for code, status in _venue_accessibility(physical).items():
        access.setdefault(code, status)
    row["accessibility"] = ";".join(
        code if status == FeatureStatus.YES else f"{code}:{status}"
        for code, status in access.items()
    )
    cancelled = _cancelled(details.get("cancelled_date", []), sid, result)
    result.rows = _slot_rows(row, rules, cancelled, sid, result)
    return result


def _topics(attributes: list) -> list[str]:
    """Our topics, from a No Wrong Door feed's own topic terms; from anyone else's feed, the
    topics its LGA service types map to (openreferral.lga), each once."""
    own = [
        _text((a.get("taxonomy_term") or {}).get("name"), 100)
        for _, a in _ours(attributes, CATEGORIES)
    ]
    if own:  # our own feed says exactly which topics: its LGA terms only repeat them
        return own
    found: list[str] = []
    for attribute in attributes or []:
        if not isinstance(attribute, dict):
            continue
        identifier = lga_identifier_of(attribute)
        name = lga.topic_name_for(identifier) if identifier else None
        if name and name not in found:
            found.append(name)
    return found


def _booking_url(service: dict) -> str:
    """The service's own booking link, else its web page when that is https (the layout
    takes https links only)."""
    for value in (service.get("booking_url"), service.get("url")):
        text = _text(value, 200)
        if text.startswith("https://"):
            return text
    return ""


def _age(value: object) -> str:
    return str(int(value)) if isinstance(value, int | float) and 0 <= value < 150 else ""


def _venue_cells(location: dict | None) -> dict[str, str]:
    if location is None:
        return dict.fromkeys(("venue_name", "address", "postcode", "latitude", "longitude"), "")
    address = next((a for a in location.get("addresses") or [] if isinstance(a, dict)), {})
    lines = [_text(address.get(k)) for k in ("address_1", "address_2", "city")]
    latitude, longitude = location.get("latitude"), location.get("longitude")
    has_point = isinstance(latitude, int | float) and isinstance(longitude, int | float)
    return {
        "venue_name": _text(location.get("name"), 200) or _text(address.get("address_1"), 200),
        "address": ", ".join(line for line in lines[:2] if line)[:400] or lines[2],
        "postcode": _text(address.get("postal_code"), 10),
        "latitude": str(latitude) if has_point else "",
        "longitude": str(longitude) if has_point else "",
    }


def _venue_accessibility(location: dict | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in (location or {}).get("accessibility") or []:
        for code, attribute in _ours((item or {}).get("attributes"), ACCESSIBILITY):
            status = _text(attribute.get("value")) or FeatureStatus.YES
            if code in FEATURES and status in FeatureStatus.values:
                found[code] = status
    return found


def _cancelled(values: list[str], sid: str, result: Mapped) -> dict:
    found = {}
    for value in values:
        day_text, _, reason = value.partition(" ")
        try:
            day = schedules._date(day_text, "cancelled_date")  # noqa: SLF001
        except schedules.Unreadable as exc:
            result.warnings.append(f"Service {sid}, attributes (cancelled_date): {exc}")
            continue
        if day is not None:
            found[day] = reason.strip()
    return found


def _slot_rows(row, rules, cancelled, sid, result) -> list[dict[str, str]]:
    if not rules:
        if cancelled:
            result.warnings.append(
                f"Service {sid}, attributes (cancelled_date): no timetable, so its "
                "cancelled dates are left out."
            )
        return [{**row, **_BLANK_SLOT, "cancelled_dates": "", "cancelled_reasons": ""}]
    rows = []
    placed: set = set()
    for number, rule in enumerate(rules, start=1):
        mine = {
            d: r for d, r in cancelled.items() if d not in placed and recurrence.meets_on(rule, d)
        }
        placed |= set(mine)
        cells = {
            **_slot_cells(rule),
            "cancelled_dates": ";".join(d.isoformat() for d in sorted(mine)),
            "cancelled_reasons": ";".join(
                f"{d.isoformat()}={r}"
                for d, r in sorted(mine.items())
                if r and "=" not in r and ";" not in r
            ),
        }
        if number == 1:
            rows.append({**row, **cells})
        else:
            rows.append(
                {
                    "ref": f"{row['ref']}-{number}",
                    "provider": row["provider"],
                    "part_of": row["ref"],
                    **cells,
                }
            )
    for day in sorted(set(cancelled) - placed):
        result.warnings.append(
            f"Service {sid}, attributes (cancelled_date): {day.isoformat()} is not a session "
            "date of any schedule, so it is left out."
        )
    return rows
