"""Listings read in from an ORUK feed are read-only for editors (directory.permissions)."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks

from directory.permissions import outside_listing_editable

from .services import is_sourced

READ_ONLY = (
    "“{title}” comes from {provider}'s Open Referral feed, so it is read-only here: change it "
    "where the feed is published, and the next read of the feed brings the change in."
)


def _refuse_outside_listing(request, page):
    if not is_sourced(page) or outside_listing_editable(request.user):
        return None
    provider = getattr(page.specific, "provider", None)
    messages.error(
        request, READ_ONLY.format(title=page.title, provider=provider or "another organisation")
    )
    return redirect("wagtailadmin_explore", page.get_parent().pk)


@hooks.register("before_edit_page")
def outside_listing_edit_refused(request, page):
    return _refuse_outside_listing(request, page)


@hooks.register("before_delete_page")
def outside_listing_delete_refused(request, page):
    return _refuse_outside_listing(request, page)


@hooks.register("before_copy_page")
def outside_listing_copy_refused(request, page):
    return _refuse_outside_listing(request, page)


@hooks.register("before_move_page")
def outside_listing_move_refused(request, page, *args):
    return _refuse_outside_listing(request, page)
