"""Freshness: when a listing was last confirmed as right, which ones are stale, and confirming.

Reads (`last_checked_text`, `activity_list_stale`) and the one write
(`activity_list_confirm_checked`) live together because they share the staleness rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Revision

from ..models import ActivityPage, ProblemReport
from ..selectors import activity_list_editable
from ..wording import long_date

CONFIRM_ACTION = "nwd.confirm_checked"


@dataclass(frozen=True)
class LastChecked:
    text: str
    stale: bool


def stale_before(*, today: date) -> date:
    """Listings last checked before this date (or never) are stale."""
    return today - timedelta(days=settings.STALE_AFTER_DAYS)


def last_checked_text(last_checked: date | None, *, today: date) -> LastChecked:
    """“Last checked 3 March 2026”, “… – may be out of date” when stale, or “Not checked yet”."""
    if last_checked is None:
        return LastChecked(text="Not checked yet", stale=True)
    text = f"Last checked {long_date(last_checked)}"
    if last_checked < stale_before(today=today):
        return LastChecked(text=f"{text} – may be out of date", stale=True)
    return LastChecked(text=text, stale=False)


def activity_list_stale(*, user: AbstractBaseUser, today: date) -> QuerySet[ActivityPage]:
    """Live activities the user may edit that were not checked for STALE_AFTER_DAYS (or never),
    never-checked first, then oldest first. Editors see their own providers' activities;
    city admins and superusers see every provider's (callers page or slice the result).
    Each carries ``open_reports``: its open problem reports, newest first."""
    return (
        activity_list_editable(user=user)
        .live()
        .filter(Q(last_checked__isnull=True) | Q(last_checked__lt=stale_before(today=today)))
        .select_related("provider")
        .prefetch_related(_open_reports())
        .order_by(F("last_checked").asc(nulls_first=True), "provider__title", "title", "pk")
    )


def _open_reports() -> Prefetch:
    return Prefetch(
        "problem_reports",
        queryset=ProblemReport.objects.filter(status=ProblemReport.Status.OPEN).order_by(
            "-created_at"
        ),
        to_attr="open_reports",
    )


@dataclass
class ConfirmResult:
    confirmed: list[ActivityPage] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    # Listings with an open problem report that were not confirmed "despite the report".
    held: list[ActivityPage] = field(default_factory=list)


@transaction.atomic
def activity_list_confirm_checked(
    *,
    user: AbstractBaseUser,
    page_ids: list[int],
    despite_reports: frozenset[int] | set[int] = frozenset(),
    today: date | None = None,
) -> ConfirmResult:
    """Set last_checked=today on the activities the user may edit; refuse the rest by id.

    A listing with an open problem report (it may have moved or closed) is held back unless
    its id is also in ``despite_reports``: the person said they read the report and the
    listing is still right. Nothing is confirmed silently over a report.

    Revision-safe: `last_checked` is written to the live row *and* to the latest revision's
    content. Wagtail publishes from a revision and the editor opens the latest revision, so
    writing only the row would be undone by the next publish of a draft made before today
    (and the editor's form would show the old date). Writing straight to the row and revision
    with UPDATE rather than saving a new revision keeps the editor's draft as the draft,
    leaves "unpublished changes" as it was, and does not make a confirmation look like an edit.
    """
    today = today or timezone.localdate()
    wanted = set(page_ids)
    pages = list(
        activity_list_editable(user=user)
        .filter(pk__in=wanted)
        .select_related("latest_revision")
        .prefetch_related(_open_reports())
    )
    result = ConfirmResult(refused=sorted(wanted - {p.pk for p in pages}))
    for page in pages:
        if page.open_reports and page.pk not in despite_reports:
            result.held.append(page)
            continue
        ActivityPage.objects.filter(pk=page.pk).update(last_checked=today)
        page.last_checked = today
        _revision_set_last_checked(page.latest_revision, today)
        log(instance=page, action=CONFIRM_ACTION, user=user)
        result.confirmed.append(page)
    return result


@transaction.atomic
def activity_list_mark_checked(*, page_ids, today: date | None = None) -> int:
    """Publishing or importing a listing counts as checking it: set last_checked=today on
    these activities (those not already checked today), on the row and in the latest
    revision, without a new revision or a log entry (the publish or import is the record).
    Returns how many changed. A fixed number of queries however many ids."""
    today = today or timezone.localdate()
    stale = ActivityPage.objects.filter(pk__in=page_ids).filter(
        Q(last_checked__isnull=True) | Q(last_checked__lt=today)
    )
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    ActivityPage.objects.filter(pk__in=ids).update(last_checked=today)
    revisions = list(
        Revision.objects.filter(
            pk__in=ActivityPage.objects.filter(pk__in=ids).values("latest_revision")
        )
    )
    for revision in revisions:
        if isinstance(revision.content, dict):
            revision.content["last_checked"] = today.isoformat()
    Revision.objects.bulk_update(revisions, ["content"], batch_size=500)
    return len(ids)


def _revision_set_last_checked(revision: Revision | None, day: date) -> None:
    if revision is None or not isinstance(revision.content, dict):
        return
    revision.content["last_checked"] = day.isoformat()
    Revision.objects.filter(pk=revision.pk).update(content=revision.content)
