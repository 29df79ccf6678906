"""How the site words things, once: days, months, dates, parts of day, distances, referral
routes and time slots. Pure: plain values in, English out.
"""

from __future__ import annotations


def how_to_join(activity) -> str:
    """Who can refer, in one line, e.g. "Just come along or refer yourself; your GP can also
    refer you"."""
    routes = []
    if activity.professional_referral:
        routes.append("a professional (such as a social prescriber)")
    if activity.gp_referral:
        routes.append("your GP")
    referrers = " or ".join(routes)
    if activity.self_referral:
        text = "Just come along or refer yourself"
        return f"{text}; {referrers} can also refer you" if referrers else text
    if referrers:
        return f"You need to be referred by {referrers}"
    return "Contact the organisation to ask how to join"
