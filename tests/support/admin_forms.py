"""Wagtail's page edit view and what its form posts for an activity, for tests of real edits."""

from __future__ import annotations

from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from activities.models import ActivityPage, Cancellation, Schedule

# Added to an edit form's data, the edit publishes instead of saving a draft.
PUBLISH = {"action-publish": "action-publish"}


def edit_url(page: Page) -> str:
    """The admin's edit view of `page` (GET shows the form, POST saves or publishes)."""
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def slot_row(schedule: Schedule, **changes) -> dict:
    """One row of the edit form's time-slot formset, as it posts `schedule`, with `changes`."""
    row = {
        "id": schedule.pk,
        "frequency": schedule.frequency,
        "first_date": schedule.first_date.isoformat(),
        "start_time": schedule.start_time.strftime("%H:%M"),
        "end_time": schedule.end_time.strftime("%H:%M"),
        "sessions": schedule.sessions or "",
        "last_date": schedule.last_date.isoformat() if schedule.last_date else "",
    }
    row.update(changes)
    return row


def activity_form_data(
    activity: ActivityPage,
    *,
    slots: list[dict] | None = None,
    cancellations: list[Cancellation] | tuple[()] = (),
    **changes,
) -> dict:
    """What the admin's ActivityPage edit form posts for `activity`, with `changes` applied.

    `slots` are the time-slot rows (``slot_row``); by default every stored slot, unchanged.
    `cancellations` are existing Cancellation rows to post back (none by default). Topics,
    audiences and next steps are posted as stored.
    """
    if slots is None:
        slots = [slot_row(schedule) for schedule in activity.schedules.all()]
    cancelled = [
        {"id": c.pk, "date": c.date.isoformat(), "reason": c.reason} for c in cancellations
    ]
    data = nested_form_data(
        {
            "title": activity.title,
            "slug": activity.slug,
            "kind": activity.kind,
            "ref": activity.ref,
            "description": activity.description,
            "venue": activity.venue_id or "",
            "cost": activity.cost,
            "capacity_status": activity.capacity_status,
            "cancelled_sessions": activity.cancelled_sessions,
            "self_referral": "on" if activity.self_referral else "",
            "schedules": inline_formset(slots, initial=len(slots)),
            "cancellations": inline_formset(cancelled, initial=len(cancelled)),
            "features": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    # A multiple choice posts one value per choice under one name; nested_form_data would
    # number the keys instead.
    data["categories"] = [category.pk for category in activity.categories.all()]
    data["audiences"] = [audience.pk for audience in activity.audiences.all()]
    data["next_steps"] = [step.pk for step in activity.next_steps.all()]
    data.update(changes)
    return data
