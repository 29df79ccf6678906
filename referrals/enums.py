"""Every set of choices in referrals. Values are stored and counted: keep them stable."""

from __future__ import annotations

from django.db import models


class Route(models.TextChoices):
    SELF = "self", "Self-referral"
    REFERRER = "referrer", "Referral by a professional"
    NAVIGATOR = "navigator", "Referral by a navigator"


class State(models.TextChoices):
    NEW = "new", "New"
    SEEN = "seen", "Seen"
    ACCEPTED = "accepted", "Accepted"
    # Only ever a moment inside a transaction (and an event in the history): a declined
    # destination is always stored as Forwarded or With navigators (a check constraint says so).
    DECLINED = "declined", "Declined"
    FORWARDED = "forwarded", "Forwarded"
    WITH_NAVIGATORS = "with_navigators", "With the navigators"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


# Waiting for an answer: reminded, then escalated, never silently declined.
UNANSWERED = (State.NEW, State.SEEN)
# Nothing more will happen at this destination.
FINISHED = (State.FORWARDED, State.WITH_NAVIGATORS, State.WITHDRAWN, State.CLOSED)


class DeclineReason(models.TextChoices):
    NOT_SUITABLE = "not_suitable", "Not suitable for their needs"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    FULL = "full", "Full"
    NO_CONTACT = "no_contact", "Could not contact them"
    CHANGED_MIND = "changed_mind", "They changed their mind"
    OTHER = "other", "Other (say why in the note)"


class Outcome(models.TextChoices):
    ATTENDED = "attended", "First visit attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    FINISHED = "finished", "Finished"
    LEFT = "left", "Left"


# Outcomes after which the destination is closed (attended: they are still going, so the
# destination stays Accepted and a later outcome may still be recorded).
CLOSING_OUTCOMES = (Outcome.DID_NOT_ATTEND, Outcome.FINISHED, Outcome.LEFT)
# Any outcome is an end state for the referral: the provider's part is done, so the referral
# closes and REFERRAL_RETENTION_DAYS counts from then (an "attended" referral is not kept open
# for as long as the person keeps going).


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class FirstVisit(models.TextChoices):
    MEET_AT_DOOR = "meet_at_door", "Someone to meet me at the door"
    BRING_FRIEND = "bring_friend", "Bring a friend or supporter"
    QUIET_START = "quiet_start", "A quiet start (arrive early or sit near the door)"
    CALL_FIRST = "call_first", "A phone call before the first visit"


class ConsentBy(models.TextChoices):
    PERSON = "person", "The person themselves"
    REFERRER = "referrer", "The referrer, who confirmed they have the person's consent"


class ActorKind(models.TextChoices):
    PERSON = "person", "The person"
    REFERRER = "referrer", "Referrer"
    PROVIDER = "provider", "Provider"
    NAVIGATOR = "navigator", "Navigator"
    ADMIN = "admin", "City admin"
    SYSTEM = "system", "Automatic"


class Action(models.TextChoices):
    SUBMITTED = "submitted", "Sent"
    SENT_TO = "sent_to", "Sent to an organisation"
    SEEN = "seen", "Seen"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    FORWARDED = "forwarded", "Forwarded"
    HANDED_TO_NAVIGATORS = "handed_to_navigators", "Handed to the navigators"
    REMINDED = "reminded", "Reminder sent"
    ESCALATED = "escalated", "Escalated to the navigators"
    WITHDRAWN = "withdrawn", "Withdrawn"
    OUTCOME = "outcome", "Outcome recorded"
    CLOSED = "closed", "Closed"
    RE_REFERRED = "re_referred", "Re-referred"
    ERASED = "erased", "Personal details erased"
    EXPORTED = "exported", "Personal details exported"
    LINK_RENEWED = "link_renewed", "Status link revoked and a fresh one issued"
