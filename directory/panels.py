"""Edit tabs for the pages providers edit: their content, and the web address in plain words.

Wagtail's Promote tab (SEO title, search description, "show in menus", "domain.com/blog" help)
and Settings tab (scheduled publishing) are not used by this site's pages, so providers see
two tabs: what the listing says, and its web address.
"""

from __future__ import annotations

from wagtail.admin.panels import FieldPanel, ObjectList, TabbedInterface

SLUG_HELP = (
    "The last part of this page's web address, made from the title. Only letters, numbers "
    "and hyphens. Changing it breaks links people have saved."
)


def edit_tabs(content_panels: list, *, heading: str) -> TabbedInterface:
    return TabbedInterface(
        [
            ObjectList(content_panels, heading=heading),
            ObjectList(
                [FieldPanel("slug", heading="Web address", help_text=SLUG_HELP)],
                heading="Web address",
            ),
        ]
    )
