"""Referral test data: the person's details as the form collects them, and a sent referral."""

from referrals.enums import ActorKind, ConsentBy, Route
from referrals.services import Actor, referral_submit

# Distinctive strings, so a test can look for them in raw columns, emails and logs.
PERSON_NAME = "Zebedee Quixotic-Marchbanks"
PERSON_PHONE = "07700 900123"
PERSON_EMAIL = "zebedee.person@example.net"
PERSON_HOPES = "Meet people after my bereavement"


def person_details(**overrides) -> dict:
    details = {
        "name": PERSON_NAME,
        "contact_method": "email",
        "phone": PERSON_PHONE,
        "email": PERSON_EMAIL,
        "address": "",
        "best_times": "Weekday mornings",
        "may_leave_message": True,
        "language": "",
        "interpreter": False,
        "access_needs": ["step_free_entrance"],
        "first_visit": ["meet_at_door"],
        "hopes": PERSON_HOPES,
        "answers": "",
        "referrer_organisation": "",
        "referrer_role": "",
        "referrer_contact": "",
    }
    details.update(overrides)
    return details


def referral_send(*, activities=(), to_navigators=False, now=None, **details):
    """A self-referral from the person to these activities (or the navigators)."""
    return referral_submit(
        route=Route.SELF,
        details=person_details(**details),
        activities=list(activities),
        to_navigators=to_navigators,
        consent_given_by=ConsentBy.PERSON,
        actor=Actor(ActorKind.PERSON),
        now=now,
    )
