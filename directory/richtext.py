"""Rich text that cannot crash the admin: Draftail posts JSON contentstate, and anything else
(raw HTML from a script, a broken paste, a hand-made request) becomes a form error.

``CheckedDraftailRichTextArea`` is the admin's default rich-text widget
(``WAGTAILADMIN_RICH_TEXT_EDITORS`` in settings). When the posted value is not contentstate it
returns what was posted, unconverted, and remembers that it did; ``RichTextCheckedPageForm``
(directory.forms, the provider page's form base) turns that into an error on the field.
Re-shown, the editor converts what was posted as HTML (Wagtail's whitelist applies), so
nothing typed is lost.
"""

from __future__ import annotations

from wagtail.admin.rich_text import DraftailRichTextArea


class CheckedDraftailRichTextArea(DraftailRichTextArea):
    rejected = False

    def value_from_datadict(self, data, files, name):
        posted = data.get(name)
        self.rejected = False
        try:
            return super().value_from_datadict(data, files, name)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            # json.loads fails on HTML; valid JSON of the wrong shape fails in the exporter.
            self.rejected = True
            return posted
