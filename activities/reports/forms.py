"""The public "report a problem with this listing" form."""

from __future__ import annotations

from django import forms

from directory.spam import HoneypotForm

from ..models import ProblemReport
from .services import TokenError, report_token_use

DETAILS_MAX = 2000


class ProblemReportForm(HoneypotForm):
    kind = forms.ChoiceField(
        label="What is wrong?",
        choices=ProblemReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what is wrong with the listing.",
            "invalid_choice": "Choose one of the listed problems.",
        },
    )
    details = forms.CharField(
        label="Details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Optional, unless you chose “Something else”. For example, the new day or "
        "time, or what is wrong about access. Please do not include anyone's personal or "
        "health information.",
    )
    reply_to = forms.EmailField(
        label="Your email, if you would like a reply (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address like name@example.com, or leave it empty."
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Spam traps: the shared honeypot (`website`) and a signed timing token.
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, activity_id: int, now: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity_id = activity_id
        self.now = now

    def clean_details(self):
        details = self.cleaned_data["details"].strip()
        if len(details) > DETAILS_MAX:
            raise forms.ValidationError(
                f"Keep the details to {DETAILS_MAX:,} characters or fewer "
                f"(you wrote {len(details):,})."
            )
        return details

    def clean_token(self):
        try:
            report_token_use(self.cleaned_data["token"], activity_id=self.activity_id, now=self.now)
        except TokenError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ProblemReport.Kind.OTHER and not cleaned.get("details"):
            self.add_error("details", "Tell us what is wrong in the details box.")
        return cleaned
