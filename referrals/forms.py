"""The public referral form: one small form per question page (GOV.UK pattern), the spam
token, and the rows of "check your answers".

Answers are kept in the session, encrypted (see `views`), until the person sends them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import signing

from directory.spam import HoneypotForm
from venues.accessibility import GROUPS

from .enums import ContactMethod, FirstVisit, Route

TEXT_MAX = 1000
TOKEN_SALT = "nwd.referral-token"
YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label: str, *, required: bool = False, help_text: str = "", rows: int = 0, **kw):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(attrs=kw)
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=widget,
        error_messages={
            "required": f"Enter {label[:1].lower()}{label[1:]}".rstrip("?"),
            "max_length": f"Keep this to {TEXT_MAX:,} characters or fewer.",
        },
    )


def _yes_no(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no.", "invalid_choice": "Choose yes or no."},
    )


class NameForm(forms.Form):
    name = _text("Full name", required=True, autocomplete="name")


class ContactForm(forms.Form):
    contact_method = forms.ChoiceField(
        label="How should the organisation get in touch?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how to get in touch."},
    )
    phone = _text("Phone number", autocomplete="tel")
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    address = _text("Postal address", rows=3)

    NEEDS = {"phone": "phone", "text": "phone", "email": "email", "letter": "address"}

    def clean(self):
        cleaned = super().clean()
        needed = self.NEEDS.get(cleaned.get("contact_method", ""))
        if needed and not cleaned.get(needed):
            label = self.fields[needed].label.lower()
            self.add_error(needed, f"Enter a {label}, or choose another way to get in touch.")
        return cleaned


class TimesForm(forms.Form):
    best_times = _text(
        "Best days and times to get in touch (optional)", help_text="For example, weekday mornings"
    )
    may_leave_message = _yes_no("May the organisation leave a message?")


class LanguageForm(forms.Form):
    language = _text(
        "Preferred language, if not English (optional)", help_text="For example, Arabic or BSL"
    )
    interpreter = _yes_no("Would an interpreter help?")


class AccessForm(forms.Form):
    access_needs = forms.MultipleChoiceField(
        label="Access needs (choose any that matter)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(group, [(f.code, f.label) for f in items]) for group, items in GROUPS],
    )


class FirstVisitForm(forms.Form):
    first_visit = forms.MultipleChoiceField(
        label="What would help with the first visit? (choose any)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=FirstVisit.choices,
    )


class HopesForm(forms.Form):
    hopes = _text("What would you like to get from it? (optional)", rows=4)
    answers = _text(
        "Anything the organisation asks to know (optional)",
        rows=4,
        help_text="See “What the organisation needs to know” above. Please share only what "
        "is needed.",
    )


class ReferrerForm(forms.Form):
    referrer_organisation = _text("Your organisation", required=True, autocomplete="organization")
    referrer_role = _text("Your role", required=True, autocomplete="organization-title")
    referrer_contact = _text(
        "Your work phone or email", required=True, help_text="So the organisation can reply"
    )


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label="I agree to my details being shared like this",
        error_messages={"required": "Tick the box to agree, or the referral cannot be sent."},
    )


class ReferrerConsentForm(forms.Form):
    consent = forms.BooleanField(
        label="I confirm the person has agreed to this referral and to their details being "
        "shared like this",
        error_messages={"required": "Confirm you have the person's agreement to send this."},
    )


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # as a referrer reads it
    form: type[forms.Form]
    routes: tuple[str, ...] = (Route.SELF, Route.REFERRER)
    self_title: str = ""  # as the person reads it, when it differs

    def title_for(self, route: str) -> str:
        return self.self_title if route == Route.SELF and self.self_title else self.title


STEPS = [
    Step(
        "name",
        "What is the name of the person who would like to join?",
        NameForm,
        self_title="What is your name?",
    ),
    Step("contact", "How should the organisation get in touch?", ContactForm),
    Step("times", "When is best to get in touch?", TimesForm),
    Step("language", "Language", LanguageForm),
    Step("access", "Access needs", AccessForm),
    Step("first-visit", "The first visit", FirstVisitForm),
    Step("hopes", "What they hope for", HopesForm, self_title="What you hope for"),
    Step("referrer", "About you, the referrer", ReferrerForm, routes=(Route.REFERRER,)),
    Step("consent", "Sharing your details", ConsentForm, routes=(Route.SELF,)),
    Step(
        "referrer-consent",
        "The person's agreement",
        ReferrerConsentForm,
        routes=(Route.REFERRER,),
    ),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def steps_for(route: str) -> list[Step]:
    return [step for step in STEPS if route in step.routes]


def _shown(field: forms.Field, value) -> str:
    if value in (None, "", []):
        return "Not given"
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, forms.ChoiceField):
        labels = {}
        for key, label in field.choices:
            labels.update(dict(label) if isinstance(label, list | tuple) else {key: label})
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(v, v)) for v in values)
    return str(value)


def answer_rows(*, route: str, answers: dict) -> list[tuple[Step, str, str]]:
    """(step, question, answer as shown) for check-your-answers, in page order."""
    rows = []
    for step in steps_for(route):
        if step.form in (ConsentForm, ReferrerConsentForm):
            continue
        for name, field in step.form.base_fields.items():
            rows.append((step, str(field.label), _shown(field, answers.get(name))))
    return rows


def details_from(*, answers: dict) -> dict:
    """The person's details as stored (encrypted) with the referral."""
    return {
        "name": answers.get("name", ""),
        "contact_method": answers.get("contact_method", ""),
        "phone": answers.get("phone", ""),
        "email": answers.get("email", ""),
        "address": answers.get("address", ""),
        "best_times": answers.get("best_times", ""),
        "may_leave_message": answers.get("may_leave_message") == "yes",
        "language": answers.get("language", ""),
        "interpreter": answers.get("interpreter") == "yes",
        "access_needs": answers.get("access_needs", []),
        "first_visit": answers.get("first_visit", []),
        "hopes": answers.get("hopes", ""),
        "answers": answers.get("answers", ""),
        "referrer_organisation": answers.get("referrer_organisation", ""),
        "referrer_role": answers.get("referrer_role", ""),
        "referrer_contact": answers.get("referrer_contact", ""),
    }


# --- spam protection on the last page (the approach of problem reports) ----------------------


def token_make(*, now: float | None = None) -> str:
    return signing.dumps({"t": int(now if now is not None else time.time())}, salt=TOKEN_SALT)


class SendForm(HoneypotForm):
    """Check your answers: a honeypot (hidden with CSS) and a signed note of when the journey
    began (people take more than a few seconds; bots do not)."""

    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, now: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now if now is not None else time.time()

    def clean_token(self):
        try:
            started = int(signing.loads(self.cleaned_data["token"] or "", salt=TOKEN_SALT)["t"])
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise forms.ValidationError("The form could not be checked. Send it again.") from exc
        age = self.now - started
        if age < settings.REPORT_MIN_SECONDS:
            raise forms.ValidationError(
                "That was sent too quickly for us to tell you are not a robot. Send it again."
            )
        if age > settings.REPORT_MAX_AGE_SECONDS:
            raise forms.ValidationError(
                "These answers are more than a day old. Check them and send them again."
            )
        return ""
