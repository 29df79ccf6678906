"""The provider page's admin form: rich text that is not Draftail contentstate is an error
(see directory.richtext, whose widget marks what it could not read)."""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminPageForm

NOT_CONTENTSTATE = "This text could not be read: use the editor's toolbar, or paste plain text."


class RichTextCheckedPageForm(WagtailAdminPageForm):
    """A page form whose rich-text fields refuse what is not contentstate, with a message."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if getattr(field.widget, "rejected", False) and name not in self.errors:
                self.add_error(name, NOT_CONTENTSTATE)
        return cleaned
