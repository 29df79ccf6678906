"""Generated timetables for benchmarks: realistic shapes, real Merseyside postcodes.

`timetable_rows(n)` returns spreadsheet rows (dicts in the timetable layout), so benchmarks
load data through the same import service providers use.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTCODES = ROOT / "venues" / "data" / "postcodes" / "merseyside_postcodes.csv"

PROVIDERS = [
    "Imagine Independence",
    "Liverpool Roots Trust",
    "Mary Seacole House",
    "Person Shaped Support",
    "Waythrough",
    "Mersey Care Life Rooms",
]
TOPICS = [
    ("Art group", "Art; Creative"),
    ("Knit and Natter", "Crafts; Social"),
    ("Walk and Talk", "Walking; Physical activity"),
    ("Understanding Anxiety", "Mental health courses"),
    ("Coffee morning", "Social"),
    ("Ukulele club", "Music"),
    ("Gardening group", "Gardening; Outdoors"),
    ("Cookery on a budget", "Cookery; Healthy living"),
    ("Creative writing", "Creative; Writing"),
    ("Peer support group", "Peer support"),
    ("Yoga for wellbeing", "Physical activity"),
    ("Mindfulness", "Mental health courses"),
]
VENUE_CODES = ["step_free_entrance", "hearing_loop", "accessible_toilet", "quiet_space", "lift"]
ACTIVITY_CODES = ["small_group", "meet_at_door", "bring_companion"]
AUDIENCES = ["", "", "", "", "women", "men", "18-25", "Arabic speakers"]
TIMES = [
    ("09:30", "11:00"),
    ("10:00", "12:00"),
    ("13:00", "15:00"),
    ("14:00", "16:00"),
    ("18:00", "19:30"),
]


def liverpool_postcodes(limit: int, *, rng: random.Random) -> list[tuple[str, str, str]]:
    with POSTCODES.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["postcode"].startswith("L")]
    return [(r["postcode"], r["lat"], r["lon"]) for r in rng.sample(rows, limit)]


def timetable_rows(
    n: int, *, venues: int = 300, seed: int = 1, start: date | None = None
) -> list[dict]:
    """n activities across the six providers, each one weekly/fortnightly/monthly slot."""
    rng = random.Random(seed)
    start = start or date.today() - timedelta(days=28)
    places = liverpool_postcodes(venues, rng=rng)
    venue_access = {
        i: ";".join(code for code in VENUE_CODES if rng.random() < 0.5) for i in range(venues)
    }
    rows = []
    for i in range(n):
        title, category = TOPICS[i % len(TOPICS)]
        v = rng.randrange(venues)
        postcode, lat, lon = places[v]
        online = rng.random() < 0.08
        start_time, end_time = rng.choice(TIMES)
        frequency = rng.choices(["weekly", "fortnightly", "monthly"], weights=[7, 2, 1])[0]
        first = start + timedelta(days=rng.randrange(28))
        course = frequency == "weekly" and rng.random() < 0.15
        activity_access = ";".join(code for code in ACTIVITY_CODES if rng.random() < 0.3)
        rows.append(
            {
                "ref": f"GEN-{i:06d}",
                "provider": PROVIDERS[i % len(PROVIDERS)],
                "title": f"{title} {i}",
                "kind": "course" if course else "group",
                "category": category,
                "description": f"{title}: a friendly session for adults. Number {i}.",
                "audience": rng.choice(AUDIENCES),
                "age_min": "18",
                "age_max": "",
                "cost": "Free" if rng.random() < 0.8 else "£2",
                "referral": rng.choice(["self", "self;professional", "professional;gp"]),
                "venue_name": "" if online else f"Venue {v}",
                "address": "" if online else f"{v} Example Street, Liverpool",
                "postcode": "" if online else postcode,
                "latitude": "" if online else lat,
                "longitude": "" if online else lon,
                "online": "yes" if online else "no",
                "start_time": start_time,
                "end_time": end_time,
                "frequency": frequency,
                "first_date": first.isoformat(),
                "sessions": "6" if course else "",
                "last_date": "",
                "cancelled_dates": "",
                "accessibility": ";".join(
                    filter(None, ["" if online else venue_access[v], activity_access])
                ),
                "engagement_limit_weeks": "26" if rng.random() < 0.1 else "",
                "contact_email": "hello@example.org",
                "contact_phone": "0151 000 0000",
                "booking_url": "https://example.org/online" if online else "",
            }
        )
    return rows
