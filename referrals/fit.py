"""Before the form: does this activity fit, and what should the person know first? (pure)

Reads an activity's attributes only. A *misfit* stops the form and says why (with
alternatives offered by the page); everything else is shown as "check before you ask".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .enums import Route

FULL = "full"


@dataclass(frozen=True)
class Fit:
    facts: list[tuple[str, str]] = field(default_factory=list)  # (what, answer) to check
    misfits: list[str] = field(default_factory=list)  # why the form is not offered

    @property
    def fits(self) -> bool:
        return not self.misfits


def _age(activity) -> str:
    low, high = activity.age_min, activity.age_max
    if low and high:
        return f"{low} to {high}"
    if low:
        return f"{low} and over"
    if high:
        return f"Up to {high}"
    return "Any adult age"


def fit_check(activity, *, route: Route, audiences: list[str], joining: str) -> Fit:
    """The facts to check for `activity` and, for `route`, any reason it clearly cannot take a
    referral: it is full (a waiting list still can), or it takes no referral of this kind."""
    facts = [("Age", _age(activity))]
    if audiences:
        facts.append(("Specifically for", ", ".join(audiences)))
    if activity.who_for:
        facts.append(("Who it suits", activity.who_for))
    if activity.not_suitable_for:
        facts.append(("It may not suit someone who", activity.not_suitable_for))
    facts.append(("How people join", joining))
    facts.append(("Places", activity.get_capacity_status_display()))
    if activity.referrer_needs:
        facts.append(("What the organisation needs to know", activity.referrer_needs))

    misfits = []
    if activity.capacity_status == FULL:
        misfits.append(f"{activity.title} is full just now and is not taking new people.")
    if route == Route.SELF and not activity.self_referral:
        misfits.append(
            f"{activity.title} needs a referral from a professional or a GP. Ask your GP or "
            "link worker to refer you, or ask our navigators to help."
        )
    elif route == Route.REFERRER and not (activity.self_referral or activity.professional_referral):
        misfits.append(f"{activity.title} only takes GP referrals, not referrals through us.")
    return Fit(facts=facts, misfits=misfits)
