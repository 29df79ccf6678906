"""The shortlist pages: the list, its large-print sheet, its calendar, and the buttons.

- ``/shortlist/`` shows the visitor's own list (the cookie), or with ``?ids=12,34`` a shared
  list exactly as it was shared, in the same order, in any browser;
- ``/shortlist/print/`` (same ``?ids=``) is the large-print A4 sheet;
- ``/shortlist/feed.ics?ids=12,34`` and ``/shortlist/feed/12-34.ics`` are its calendar, served
  by the same machinery as every other feed (activities.feeds.responses);
- ``/shortlist/add/``, ``remove/``, ``clear/`` and ``save/`` are plain POST forms that change
  the cookie and go back to where the visitor was. Nothing is written to the database.
"""

from __future__ import annotations

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import ical
from ..feeds.links import CalendarLinks, links_for
from ..feeds.responses import feed_description, serve_feed
from ..feeds.selectors import feed_cutoff
from ..models import ActivityPage
from ..navigation import safe_next
from ..selectors import activity_list_current
from .forms import ItemForm, SaveForm
from .ids import (
    MAX_ITEMS,
    format_path,
    format_query,
    ids_from_cookie,
    parse_ids,
    store,
    with_added,
    without,
)
from .qr import share_qr_svg
from .selectors import ShortlistResult, shortlist_entries


def _requested_ids(request: HttpRequest) -> tuple[list[int], bool]:
    """The ids to show and whether they came from a shared link rather than the cookie."""
    if "ids" in request.GET:
        return parse_ids(request.GET["ids"]), True
    return ids_from_cookie(request), False


def _with_ids(path: str, ids: list[int]) -> str:
    return f"{path}?ids={format_query(ids)}" if ids else path


def _calendar_links(ids: list[int]) -> CalendarLinks | None:
    if not ids:
        return None
    return links_for(
        reverse("feed_shortlist"),
        subject="the activities on this shortlist",
        query=f"ids={format_query(ids)}",
        google_path=reverse("feed_shortlist_path", args=[format_path(ids)]),
    )


def _context(request: HttpRequest) -> tuple[dict, ShortlistResult, bool]:
    ids, shared = _requested_ids(request)
    result = shortlist_entries(ids=ids, today=timezone.localdate())
    kept = result.ids
    context = {
        "entries": result.entries,
        "missing": result.missing,
        "shared": shared,
        # A shared list the visitor could keep: differs from what this device already holds.
        "can_save": shared and bool(kept) and kept != ids_from_cookie(request),
        "ids_query": format_query(kept),
        "share_url": f"{settings.SITE_URL}{_with_ids(reverse('shortlist'), kept)}",
        "print_url": _with_ids(reverse("shortlist_print"), kept),
        "page_url": _with_ids(reverse("shortlist"), kept),
        "calendar": _calendar_links(kept),
        "max_items": MAX_ITEMS,
        "nav": "shortlist",
    }
    return context, result, shared


# --------------------------------------------------------------------------- pages


@require_safe
def shortlist_page(request: HttpRequest) -> HttpResponse:
    context, result, shared = _context(request)
    context["full"] = request.GET.get("full") == "1"
    response = render(request, "activities/shortlist.html", context)
    if result.missing and not shared:
        store(response, result.ids, request=request)  # tidy the cookie: the note said so
    return response


@require_safe
def shortlist_print(request: HttpRequest) -> HttpResponse:
    context, _result, _shared = _context(request)
    context["printed_on"] = timezone.localdate()
    context["qr_svg"] = share_qr_svg(context["share_url"]) if context["entries"] else ""
    return render(request, "activities/shortlist_print.html", context)


@require_safe
def shortlist_feed(request: HttpRequest, ids: str | None = None) -> HttpResponse:
    """The shortlist as a calendar; ids from the path (``ids``) or the query string."""
    chosen = parse_ids(ids if ids is not None else request.GET.get("ids"))
    queryset = activity_list_current(today=feed_cutoff()).filter(pk__in=chosen)
    info = ical.FeedInfo(
        name=f"{settings.WAGTAIL_SITE_NAME}: shortlist",
        description=feed_description("The activities on a shortlist"),
        url=f"{settings.SITE_URL}{_with_ids(reverse('shortlist'), chosen)}",
    )
    return serve_feed(
        request,
        queryset=queryset,
        info=info,
        key=f"shortlist:{format_query(sorted(chosen))}",
        filename="shortlist.ics",
    )


# --------------------------------------------------------------------------- buttons


def _back(request: HttpRequest, url: str) -> HttpResponseRedirect:
    """Redirect to `url` when it is on this site, otherwise to the shortlist."""
    return HttpResponseRedirect(safe_next(request, url) or reverse("shortlist"))


def _bad_request() -> HttpResponse:
    return HttpResponseBadRequest(
        "That did not work: go back and try again.\n", content_type="text/plain; charset=utf-8"
    )


@require_POST
def shortlist_add(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _bad_request()
    pk = form.cleaned_data["activity"]
    if not ActivityPage.objects.live().public().filter(pk=pk).exists():
        raise Http404("No such activity.")
    ids = ids_from_cookie(request)
    if pk not in ids and len(ids) >= MAX_ITEMS:
        return HttpResponseRedirect(f"{reverse('shortlist')}?full=1")
    response = _back(request, form.cleaned_data["next"])
    store(response, with_added(ids, pk), request=request)
    return response


@require_POST
def shortlist_remove(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _bad_request()
    ids = without(ids_from_cookie(request), form.cleaned_data["activity"])
    response = _back(request, form.cleaned_data["next"])
    store(response, ids, request=request)
    return response


@require_POST
def shortlist_clear(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(reverse("shortlist"))
    store(response, [], request=request)
    return response


@require_POST
def shortlist_save(request: HttpRequest) -> HttpResponse:
    """Keep a shared list on this device (it replaces the list the cookie held)."""
    form = SaveForm(request.POST)
    if not form.is_valid():
        return _bad_request()
    response = HttpResponseRedirect(reverse("shortlist"))
    store(response, parse_ids(form.cleaned_data["ids"]), request=request)
    return response
