"""The inbox's action forms: decline (with where it goes next), outcome, forward, close."""

from __future__ import annotations

from django import forms

from activities.models import ActivityPage

from .enums import DeclineReason, Outcome
from .invites import email_taken, former_referrer

ONWARD = [("forward", "Forward it to another group"), ("navigators", "Hand it to the navigators")]


class ActivityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.provider.title})"


class ActivitiesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.provider.title})"


def _consent() -> forms.BooleanField:
    return forms.BooleanField(
        label="The person agreed to their details going to the new organisation",
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you declining?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason."},
    )
    note = forms.CharField(
        label="Note (needed for “Other”; seen by the navigators and the next organisation)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    onward = forms.ChoiceField(
        label="Where should it go next? (declining is never a dead end)",
        choices=ONWARD,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the referral goes next."},
    )
    activity = ActivityChoice(
        label="Group to forward it to (suggestions first)",
        queryset=ActivityPage.objects.none(),
        required=False,
    )
    consent_confirmed = _consent()

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("onward") == "forward" and not cleaned.get("activity"):
            self.add_error("activity", "Choose the group to forward it to.")
        return cleaned


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened?", choices=Outcome.choices, widget=forms.RadioSelect
    )


class ForwardForm(forms.Form):
    activities = ActivitiesChoice(
        label="Forward to these groups",
        queryset=ActivityPage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one group."},
    )
    consent_confirmed = forms.BooleanField(
        label="The person agreed to their details going to these organisations",
        error_messages={"required": "Confirm the person agreed first."},
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why close it?", choices=DeclineReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CountsPeriodForm(forms.Form):
    """The counts screen's period (a GET form, no JavaScript)."""

    DAYS = {"all": None, "365": 365, "90": 90, "30": 30}
    period = forms.ChoiceField(
        label="Referrals sent in",
        choices=[
            ("all", "All time"),
            ("365", "The last 12 months"),
            ("90", "The last 3 months"),
            ("30", "The last 30 days"),
        ],
        required=False,
        error_messages={"invalid_choice": "Choose a period from the list."},
    )

    def days(self) -> int | None:
        """The period's length in days; None for all time or a period not on the list."""
        if not self.is_valid():
            return None
        return self.DAYS.get(self.cleaned_data["period"] or "all")


class InviteReferrerForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    organisation = forms.CharField(
        label="Organisation", max_length=200, help_text="For example, a GP practice or NHS trust."
    )
    role = forms.CharField(
        label="Role", max_length=100, required=False, help_text="For example, link worker."
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email_taken(email) and former_referrer(email) is None:
            raise forms.ValidationError(
                "Someone already has an account with this email address. "
                "Find them in the list to re-send their invitation."
            )
        return email
