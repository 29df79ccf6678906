"""Admin uploads of a timetable spreadsheet and of a calendar (.ics): check, then import.

Step 1 (``timetable_import_upload``, ``ical_import_upload``) reads the file, checks every row
against the chosen organisation and shows what would change, writing nothing. The parsed rows
wait in the session under a random token; step 2 (``timetable_import_confirm``,
``ical_import_confirm``) imports them in one transaction. Both steps re-check that the user may
edit that organisation (directory.permissions.providers_importable).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.models import ProviderPage
from directory.permissions import is_city_admin, providers_importable

from . import layout
from .calendar import CalendarPlan, CalendarRefused, calendar_import, calendar_plan
from .columns import ImportFailed, Problem
from .fetch import calendar_fetch
from .forms import CalendarUploadForm, UploadForm
from .plan import ImportResult
from .services import timetable_check, timetable_import, timetable_read

SESSION_KEY = "timetable_import"
WARNINGS_SHOWN = 20
CALENDAR_SESSION_KEY = "ical_import"
_ACTION_LABELS = {"new": "New", "update": "Update", "unchanged": "No change"}


def importable_providers(*, user) -> list[ProviderPage]:
    """Organisations whose timetable this user may replace (see directory.permissions)."""
    return list(providers_importable(user).order_by("title"))


# --- shared by the spreadsheet and calendar (.ics) uploads: check, then confirm -------------


def pending_save(request, *, key: str, provider: ProviderPage, **data) -> str:
    """Keep a checked upload in the session until it is confirmed; returns the form's token.

    One pending upload per session and kind: a new upload replaces the old one.
    """
    token = secrets.token_urlsafe(24)
    request.session[key] = {"token": token, "provider": provider.pk, **data}
    return token


def pending_load(request, *, key: str) -> tuple[dict | None, ProviderPage | None]:
    """The checked upload the confirm form names, and its provider; (None, None) when it has
    expired. PermissionDenied when the user may no longer import for that provider."""
    pending = request.session.get(key)
    token = request.POST.get("token", "")
    # A failed check is stored with no token: it cannot be confirmed.
    if not pending or not pending["token"] or not secrets.compare_digest(pending["token"], token):
        return None, None
    provider = ProviderPage.objects.filter(pk=pending["provider"]).first()
    if provider is None or provider not in importable_providers(user=request.user):
        raise PermissionDenied
    return pending, provider


def import_finished(request, *, key: str, source: str, provider: ProviderPage, result):
    """Forget the pending upload, say what changed, and show the provider's pages."""
    del request.session[key]
    messages.success(request, f"Imported {source} for {provider.title}: {result.summary}.")
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect(reverse("wagtailadmin_explore", args=[provider.pk]))


# --- the timetable spreadsheet -----------------------------------------------------------------


def _context(**extra) -> dict:
    return {"page_title": "Import timetable", "header_icon": "upload", **extra}


def _preview_rows(numbered: list[tuple[int, dict[str, str]]], actions: dict[int, str]) -> list:
    preview = []
    for number, row in numbered:
        preview.append(
            {
                "number": number,
                "action": _ACTION_LABELS.get(actions.get(number, ""), ""),
                "ref": row.get("ref", ""),
                "title": row.get("title", ""),
                "part_of": row.get("part_of", ""),
                "when": " ".join(
                    part
                    for part in (
                        row.get("frequency", ""),
                        row.get("first_date", ""),
                        row.get("start_time", ""),
                    )
                    if part
                ),
                "venue": row.get("venue_name", "")
                or ("Online" if row.get("online", "").strip().lower() in {"yes", "y"} else ""),
            }
        )
    return preview


def _checked_save(
    request, *, provider, filename, rows, result=None, problems=(), similar=()
) -> None:
    """Keep a check in the session, for its preview's pages and (when it passed) the confirm.

    A failed check keeps no token, so it can be looked at but not imported."""
    stored = {
        "filename": filename,
        "rows": rows,
        "problems": [[p.row, p.column, p.message] for p in problems],
        # Lists of pairs: the session's JSON would turn the row numbers into strings.
        "result": None if result is None else {**asdict(result), "row_actions": []},
        "row_actions": list(result.row_actions.items()) if result else [],
        "similar": [asdict(found) for found in similar],
    }
    if result is None:
        request.session[SESSION_KEY] = {"token": "", "provider": provider.pk, **stored}
    else:
        pending_save(request, key=SESSION_KEY, provider=provider, **stored)


def _checked_preview(request, *, provider: ProviderPage, pending: dict):
    """One page of a stored check: its summary, then a page of problems or of rows."""
    problems = [Problem(*problem) for problem in pending["problems"]]
    result = ImportResult(**pending["result"]) if pending["result"] else None
    rows = pending["rows"]
    if problems:
        items, paged = problems, "problems"
    else:
        items, paged = list(enumerate(rows, start=2)), "rows"
    page = Paginator(items, settings.IMPORT_PREVIEW_PAGE_SIZE).get_page(request.GET.get("p"))
    return render(
        request,
        "activities/admin/import_preview.html",
        _context(
            provider=provider,
            filename=pending["filename"],
            row_count=len(rows),
            problem_count=len(problems),
            problem_rows=len({p.row for p in problems if p.row > 0}),
            problems=page.object_list if paged == "problems" else [],
            rows=_preview_rows(page.object_list, dict(pending["row_actions"]))
            if paged == "rows"
            else [],
            page=page,
            result=result,
            warnings=result.warnings[:WARNINGS_SHOWN] if result else [],
            warnings_hidden=max(len(result.warnings) - WARNINGS_SHOWN, 0) if result else 0,
            token=pending["token"],
            similar=pending.get("similar", []),
        ),
    )


@require_http_methods(["GET", "POST"])
def timetable_import_upload(request):
    providers = importable_providers(user=request.user)
    if not providers:
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, providers=providers)
    if request.method != "POST" or not form.is_valid():
        return render(
            request,
            "activities/admin/import_form.html",
            _context(form=form, template_provider=providers[0]),
        )
    provider = form.cleaned_data["provider"]
    upload = form.cleaned_data["file"]
    rows: list[dict[str, str]] = []
    try:
        rows = timetable_read(file=upload, filename=upload.name)
        result, similar = timetable_check(
            rows=rows,
            only_provider=provider,
            create_taxonomy=is_city_admin(request.user),
            any_venue=is_city_admin(request.user),
        )
    except ImportFailed as exc:
        _checked_save(
            request, provider=provider, filename=upload.name, rows=rows, problems=exc.problems
        )
    else:
        _checked_save(
            request,
            provider=provider,
            filename=upload.name,
            rows=rows,
            result=result,
            similar=similar,
        )
    return _checked_preview(request, provider=provider, pending=request.session[SESSION_KEY])


@require_GET
def timetable_import_layout(request):
    """The timetable spreadsheet layout in words: every column, required or not, its meaning."""
    if not importable_providers(user=request.user):
        raise PermissionDenied
    return render(
        request,
        "activities/admin/import_layout.html",
        _context(
            page_title="The timetable spreadsheet layout",
            header_title="The timetable spreadsheet layout",
            columns=layout.column_help(),
        ),
    )


@require_GET
def timetable_import_template(request, extension: str):
    """A template to fill in (CSV or .xlsx): the layout's headers and one example row for the
    user's organisation, which imports as it is."""
    providers = importable_providers(user=request.user)
    if not providers:
        raise PermissionDenied
    chosen = request.GET.get("provider", "")
    provider = next((p for p in providers if str(p.pk) == chosen), providers[0])
    today = timezone.localdate()
    if extension == "xlsx":
        response = HttpResponse(
            layout.template_xlsx(provider=provider.title, today=today),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            layout.template_csv(provider=provider.title, today=today),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="timetable-template.{extension}"'
    return response


@require_http_methods(["GET"])
def timetable_import_preview(request):
    """Another page of the last check's preview (links, so no JavaScript is needed)."""
    pending = request.session.get(SESSION_KEY)
    if not pending or "problems" not in pending:
        messages.error(request, "That check has expired. Please upload the file again.")
        return redirect("timetable_import")
    provider = ProviderPage.objects.filter(pk=pending["provider"]).first()
    if provider is None or provider not in importable_providers(user=request.user):
        raise PermissionDenied
    return _checked_preview(request, provider=provider, pending=pending)


@require_POST
def timetable_import_confirm(request):
    pending, provider = pending_load(request, key=SESSION_KEY)
    if pending is None:
        messages.error(
            request,
            "That upload has already been imported, or has expired. Please upload the file again.",
        )
        return redirect("timetable_import")
    try:
        result = timetable_import(
            rows=pending["rows"],
            only_provider=provider,
            create_taxonomy=is_city_admin(request.user),
            any_venue=is_city_admin(request.user),
            user=request.user,
        )
    except ImportFailed as exc:
        # The directory changed since the check (e.g. a ref was taken): nothing was written.
        _checked_save(
            request,
            provider=provider,
            filename=pending["filename"],
            rows=pending["rows"],
            problems=exc.problems,
        )
        return _checked_preview(request, provider=provider, pending=request.session[SESSION_KEY])
    return import_finished(
        request, key=SESSION_KEY, source=pending["filename"], provider=provider, result=result
    )


# --- the calendar (.ics) -----------------------------------------------------------------------


def _calendar_context(**extra) -> dict:
    return {"page_title": "Import a calendar", "header_icon": "calendar", **extra}


def _event_rows(plan: CalendarPlan, result) -> list[dict]:
    rows = []
    for event in plan.events:
        action = result.row_actions.get(event.rows[0], "") if result else ""
        rows.append({"event": event, "action": _ACTION_LABELS.get(action, "")})
    return rows


@require_http_methods(["GET", "POST"])
def ical_import_upload(request):
    providers = importable_providers(user=request.user)
    if not providers:
        raise PermissionDenied
    form = CalendarUploadForm(request.POST or None, request.FILES or None, providers=providers)
    if request.method != "POST" or not form.is_valid():
        return render(request, "activities/admin/ical_form.html", _calendar_context(form=form))
    provider = form.cleaned_data["provider"]
    upload = form.cleaned_data.get("file")
    source = upload.name if upload else form.cleaned_data["url"]
    request.session.pop(CALENDAR_SESSION_KEY, None)
    context = _calendar_context(provider=provider, source=source)
    try:
        data = upload.read() if upload else calendar_fetch(url=form.cleaned_data["url"])
        plan = calendar_plan(data=data, provider=provider, today=timezone.localdate())
    except CalendarRefused as exc:
        return render(
            request, "activities/admin/ical_preview.html", {**context, "refused": exc.problems}
        )
    context.update(plan=plan, skipped=plan.skipped)
    try:
        result = calendar_import(
            rows=plan.rows,
            summaries=plan.summaries,
            provider=provider,
            dry_run=True,
            any_venue=is_city_admin(request.user),
        )
    except CalendarRefused as exc:
        return render(
            request, "activities/admin/ical_preview.html", {**context, "refused": exc.problems}
        )
    except ImportFailed as exc:
        return render(
            request,
            "activities/admin/ical_preview.html",
            {**context, "problems": exc.problems, "events": _event_rows(plan, None)},
        )
    token = pending_save(
        request,
        key=CALENDAR_SESSION_KEY,
        provider=provider,
        source=source,
        rows=plan.rows,
        # A list of pairs: the session's JSON would turn the row numbers into strings.
        summaries=list(plan.summaries.items()),
    )
    return render(
        request,
        "activities/admin/ical_preview.html",
        {**context, "result": result, "token": token, "events": _event_rows(plan, result)},
    )


@require_POST
def ical_import_confirm(request):
    pending, provider = pending_load(request, key=CALENDAR_SESSION_KEY)
    # A check stored by an older version (events, not summaries) is treated as expired.
    if pending is None or "summaries" not in pending:
        messages.error(request, "That calendar check has expired. Please upload it again.")
        return redirect("ical_import")
    try:
        result = calendar_import(
            rows=pending["rows"],
            summaries=dict(pending["summaries"]),
            provider=provider,
            user=request.user,
            any_venue=is_city_admin(request.user),
        )
    except ImportFailed as exc:
        # The directory changed since the check (e.g. a ref was taken): nothing was written.
        return render(
            request,
            "activities/admin/ical_preview.html",
            _calendar_context(provider=provider, source=pending["source"], problems=exc.problems),
        )
    return import_finished(
        request,
        key=CALENDAR_SESSION_KEY,
        source=pending["source"],
        provider=provider,
        result=result,
    )


# --- an editor's form opened before an import changed the page ---------------------------------


def stale_edit_refused(request, page):
    """The ``before_edit_page`` hook: refuse to save an edit form opened before the page's
    latest revision (an import's, or another editor's), so it cannot silently replace it.

    Wagtail itself checks only its autosave (JSON) requests; this applies the same test,
    loaded_revision_id and loaded_revision_created_at against the latest revision, to the
    form's own submit. Returns None (go on) or a redirect to the page as it now is.
    """
    loaded = request.POST.get("loaded_revision_id") if request.method == "POST" else None
    if not loaded or not request.accepts("text/html"):
        return None  # Wagtail answers autosave requests itself
    latest = page.specific_class.objects.filter(pk=page.pk).values_list(
        "latest_revision_id", "latest_revision__created_at"
    )
    latest_id, created_at = latest.first() or (None, None)
    if latest_id is None:
        return None
    if loaded == str(latest_id) and request.POST.get("loaded_revision_created_at") == (
        created_at.isoformat()
    ):
        return None
    messages.error(
        request,
        f"“{page.title}” was changed after you opened it (by a timetable import or another "
        "editor), so your changes were not saved: they would have replaced the newer "
        "version. Here is the page as it is now; make your changes again.",
    )
    return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
