"""What the finder tests share: where the person is, and venues at known distances from there."""

ORIGIN_POSTCODE = "L1 4DN"
# Venue fields, with the distance from ORIGIN_POSTCODE in miles.
NEAR = {"latitude": 53.4100, "longitude": -2.9800, "postcode": "L3 8EN"}  # 0.4 miles
WALTON = {"latitude": 53.43921, "longitude": -2.96701, "postcode": "L4 4EL"}  # 2.5 miles
BELLE_VALE = {"latitude": 53.38981, "longitude": -2.86501, "postcode": "L25 2RA"}  # 4.8 miles
# Activity fields for a group that also meets online.
ONLINE = {"online": True, "meeting_link": "https://example.org/meet"}
