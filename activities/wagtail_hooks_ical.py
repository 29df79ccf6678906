"""Calendar pieces of the admin: the .ics import screens and the SEQUENCE receiver.

Imported from the bottom of activities/wagtail_hooks.py, which Wagtail loads at start-up
(before any page can be saved), so the receiver is connected in every process.

The import works like the spreadsheet upload (activities.admin_views): step 1 reads the
calendar, checks it against the chosen organisation and previews every event, writing
nothing; the rows wait in the session under a random token; step 2 imports them in one
transaction. Both steps re-check that the user may edit that organisation.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_save
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from wagtail import hooks

from directory.models import ProviderPage

from .admin_views import (
    ImportMenuItem,
    import_finished,
    importable_providers,
    pending_load,
    pending_save,
)
from .ical_import import (
    CalendarPlan,
    CalendarRefused,
    PlannedEvent,
    calendar_fetch,
    calendar_import,
    calendar_plan,
    import_limits,
)
from .ical_sequence import on_activity_pre_save
from .importing import ImportFailed
from .models import ActivityPage

pre_save.connect(on_activity_pre_save, sender=ActivityPage, dispatch_uid="activities.ical_sequence")

SESSION_KEY = "ical_import"
_ACTION_LABELS = {"new": "New", "update": "Update", "unchanged": "No change"}


class CalendarUploadForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=ProviderPage.objects.none(),
        label="Organisation",
        empty_label=None,
        help_text="The activities are added to this organisation.",
    )
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

    def __init__(self, *args, providers: list[ProviderPage], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = ProviderPage.objects.filter(
            pk__in=[p.pk for p in providers]
        ).order_by("title")
        if not import_limits()["ICAL_FETCH_ALLOWED"]:
            del self.fields["url"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = import_limits()["ICAL_IMPORT_MAX_BYTES"]
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


def _context(**extra) -> dict:
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
        return render(request, "activities/admin/ical_form.html", _context(form=form))
    provider = form.cleaned_data["provider"]
    upload = form.cleaned_data.get("file")
    source = upload.name if upload else form.cleaned_data["url"]
    request.session.pop(SESSION_KEY, None)
    context = _context(provider=provider, source=source)
    try:
        data = upload.read() if upload else calendar_fetch(url=form.cleaned_data["url"])
        plan = calendar_plan(data=data, provider=provider, today=timezone.localdate())
    except CalendarRefused as exc:
        return render(
            request, "activities/admin/ical_preview.html", {**context, "refused": exc.problems}
        )
    context.update(plan=plan, skipped=plan.skipped)
    try:
        result = calendar_import(plan=plan, provider=provider, dry_run=True)
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
        key=SESSION_KEY,
        provider=provider,
        source=source,
        rows=plan.rows,
        events=[{"summary": e.summary, "rows": e.rows} for e in plan.events],
    )
    return render(
        request,
        "activities/admin/ical_preview.html",
        {**context, "result": result, "token": token, "events": _event_rows(plan, result)},
    )


@require_POST
def ical_import_confirm(request):
    pending, provider = pending_load(request, key=SESSION_KEY)
    if pending is None:
        messages.error(request, "That calendar check has expired. Please upload it again.")
        return redirect("ical_import")
    events = [
        PlannedEvent(
            uid="", ref="", summary=e["summary"], slots=[], where="", cancelled=[], rows=e["rows"]
        )
        for e in pending["events"]
    ]
    plan = CalendarPlan(rows=pending["rows"], events=events, skipped=[])
    try:
        result = calendar_import(plan=plan, provider=provider)
    except ImportFailed as exc:
        # The directory changed since the check (e.g. a ref was taken): nothing was written.
        return render(
            request,
            "activities/admin/ical_preview.html",
            _context(provider=provider, source=pending["source"], problems=exc.problems),
        )
    return import_finished(
        request, key=SESSION_KEY, source=pending["source"], provider=provider, result=result
    )


@hooks.register("register_admin_urls")
def register_ical_import_urls():
    return [
        path("calendar-import/", ical_import_upload, name="ical_import"),
        path("calendar-import/confirm/", ical_import_confirm, name="ical_import_confirm"),
    ]


@hooks.register("register_admin_menu_item")
def register_ical_import_menu_item():
    return ImportMenuItem(
        "Import calendar (.ics)", reverse("ical_import"), icon_name="calendar", order=231
    )
