"""The honeypot every public form shares: a box people never see (hidden with CSS, skipped by
the keyboard and by autofill in the templates) that bots fill in."""

from __future__ import annotations

from django import forms


class HoneypotForm(forms.Form):
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("Leave the “Leave this empty” box empty.")
        return ""
