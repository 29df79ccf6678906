"""The shortlist's buttons: plain POST forms."""

from django import forms


class ItemForm(forms.Form):
    activity = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    next = forms.CharField(required=False, max_length=2000)


class SaveForm(forms.Form):
    ids = forms.CharField(max_length=400)
