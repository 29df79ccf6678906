"""The two upload forms: a timetable spreadsheet, and a calendar (.ics) file or address."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from directory.models import ProviderPage


class _ProviderUploadForm(forms.Form):
    """An upload for one of `providers` (the organisations the user may import for)."""

    provider_help = ""
    provider = forms.ModelChoiceField(
        queryset=ProviderPage.objects.none(), label="Organisation", empty_label=None
    )

    def __init__(self, *args, providers: list[ProviderPage], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = ProviderPage.objects.filter(
            pk__in=[p.pk for p in providers]
        ).order_by("title")
        self.fields["provider"].help_text = self.provider_help


class UploadForm(_ProviderUploadForm):
    provider_help = "The file may only contain this organisation's activities."
    file = forms.FileField(
        label="Timetable spreadsheet",
        help_text="A .csv (UTF-8) or .xlsx file in the timetable spreadsheet layout.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the largest we accept is "
                f"{filesizeformat(limit)}. Split it into smaller files."
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload


class CalendarUploadForm(_ProviderUploadForm):
    provider_help = "The activities are added to this organisation."
    file = forms.FileField(
        label="Calendar file (.ics)",
        required=False,
        help_text="Export it from Google Calendar, Outlook or Apple Calendar.",
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"}),
    )
    url = forms.CharField(
        label="…or the calendar's address",
        required=False,
        max_length=2000,
        help_text="A public or secret .ics address (https:// or webcal://).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.ICAL_FETCH_ALLOWED:
            del self.fields["url"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.ICAL_IMPORT_MAX_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the largest calendar we accept is "
                f"{filesizeformat(limit)}."
            )
        return upload

    def clean(self):
        data = super().clean()
        given = [name for name in ("file", "url") if data.get(name)]
        if len(given) != 1:
            raise forms.ValidationError(
                "Choose a calendar file"
                + (", or give its address (not both)." if "url" in self.fields else ".")
            )
        return data
