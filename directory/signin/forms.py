"""The second factor's forms: a code from the app, or a recovery code."""

from __future__ import annotations

from django import forms

from .second_factor import normalise_code


def _code_field(*, label: str, hint: str, required: str, max_length: int, **attrs) -> forms.Field:
    """A code box that password managers and phones fill from an app or an SMS."""
    base = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=max_length,
        error_messages={"required": required},
        widget=forms.TextInput(attrs={**base, **attrs}),
    )


class AppCodeForm(forms.Form):
    code = _code_field(
        label="Code from your authenticator app",
        hint="Six digits, for example 123456. A new one appears every 30 seconds.",
        required="Enter the six-digit code from your authenticator app.",
        max_length=20,
        inputmode="numeric",
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Enter the six digits the app shows, for example 123456.")
        return code


class RecoveryCodeForm(forms.Form):
    recovery_code = _code_field(
        label="Recovery code",
        hint="One of the ten codes you were given when you set up the app. Each works once.",
        required="Enter one of your recovery codes.",
        max_length=40,
    )
