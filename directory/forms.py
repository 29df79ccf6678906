"""Admin page forms: rich text that is not Draftail contentstate is an error (see
directory.richtext, whose widget marks what it could not read), and a provider's name is its
own (directory.names)."""

from __future__ import annotations

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.forms.pages import CopyForm

from .names import provider_name_key

NOT_CONTENTSTATE = "This text could not be read: use the editor's toolbar, or paste plain text."
NAME_TAKEN = (
    "Another organisation already uses this name. Add a word to tell them apart, such as "
    "your area (“Mind North”), or ask a city admin if this is your organisation."
)


class RichTextCheckedPageForm(WagtailAdminPageForm):
    """A page form whose rich-text fields refuse what is not contentstate, with a message."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if getattr(field.widget, "rejected", False) and name not in self.errors:
                self.add_error(name, NOT_CONTENTSTATE)
        return cleaned


class ProviderPageForm(RichTextCheckedPageForm):
    """A provider's name may not be another organisation's (ignoring case and spaces)."""

    def clean_title(self):
        title = self.cleaned_data["title"]
        others = self._meta.model.objects.filter(name_key=provider_name_key(title))
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(NAME_TAKEN)
        return title


class ProviderCopyForm(CopyForm):
    """Copying (or aliasing, which keeps the title) a provider needs a name of its own."""

    def clean(self):
        cleaned = super().clean()
        title = self.page.title if cleaned.get("alias") else cleaned.get("new_title")
        if (
            title
            and self.page.specific_class.objects.filter(name_key=provider_name_key(title)).exists()
        ):
            self.add_error("new_title", NAME_TAKEN)
        return cleaned
