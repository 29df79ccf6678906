"""Reads about venues."""

from .accessibility import GROUPS

NOT_KNOWN = "Not known – call to check"


def feature_table(recorded: dict, *, kinds: str = "VAD") -> list[tuple[str, list[tuple]]]:
    """Every vocabulary feature of the given kinds as (label, status label, details, status).

    `recorded` maps code -> a VenueFeature or ActivityFeature. Unrecorded features read
    "Not known – call to check", never "No".
    """
    table = []
    for group, features in GROUPS:
        rows = []
        for feature in features:
            if feature.kind not in kinds:
                continue
            record = recorded.get(feature.code)
            if record is None:
                rows.append((feature.label, NOT_KNOWN, "", "unknown"))
            else:
                rows.append(
                    (feature.label, record.get_status_display(), record.details, record.status)
                )
        if rows:
            table.append((group, rows))
    return table


def venue_access_table(venue) -> list[tuple[str, list[tuple]]]:
    return feature_table({f.code: f for f in venue.features.all()}, kinds="VD")
