"""Reports from the public that a listing is wrong: spam checks, the write, the emails.

Nothing identifying is kept about the reporter. The rate limit keys on an HMAC of the client
address (keyed by SECRET_KEY, so the cache holds no address and the key cannot be reversed by
trying addresses without the secret), in the cache only, for at most a day.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from directory import ratelimits
from directory.permissions import city_admin_users

from ..models import ActivityPage, ProblemReport

logger = logging.getLogger(__name__)

TOKEN_SALT = "nwd.report-token"
HOUR, DAY = 3600, 86400


class TokenError(ValueError):
    """The form's timing token is missing, forged, too fresh or too old; str() says which."""


def report_token_make(*, activity_id: int, now: float | None = None) -> str:
    """A signed note of when the form was shown, for which activity, and a random nonce that
    makes it single-use (see ``report_token_use``)."""
    return signing.dumps(
        {
            "a": activity_id,
            "t": int(now if now is not None else time.time()),
            "n": secrets.token_urlsafe(12),
        },
        salt=TOKEN_SALT,
    )


def _token_data(token: str) -> tuple[int, int, str]:
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT)
        return int(data["t"]), int(data["a"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise TokenError("The form could not be checked. Please send it again.") from exc


def report_token_check(token: str, *, activity_id: int, now: float | None = None) -> None:
    """Raise TokenError unless the form was shown for this activity between
    REPORT_MIN_SECONDS and REPORT_MAX_AGE_SECONDS ago (people take a few seconds; bots do not).
    Checks only: ``report_token_use`` also spends the token."""
    now = now if now is not None else time.time()
    shown, activity, _nonce = _token_data(token)
    if activity != activity_id:
        raise TokenError("The form could not be checked. Please send it again.")
    age = now - shown
    if age < settings.REPORT_MIN_SECONDS:
        raise TokenError(
            "That was sent too quickly for us to tell you are not a robot. "
            "Please check your report and send it again."
        )
    if age > settings.REPORT_MAX_AGE_SECONDS:
        raise TokenError("This form was open for more than a day. Please send it again.")


def report_token_use(token: str, *, activity_id: int, now: float | None = None) -> None:
    """``report_token_check``, then spend the token: its nonce is recorded in the cache with
    ``add()`` (atomic: of two simultaneous posts of one form, exactly one gets through) until
    the token would have expired anyway. A second use, or a cache that cannot be reached,
    raises TokenError with a polite message."""
    report_token_check(token, activity_id=activity_id, now=now)
    _shown, _activity, nonce = _token_data(token)
    try:
        first = cache.add(f"report:nonce:{nonce}", 1, timeout=settings.REPORT_MAX_AGE_SECONDS + 60)
    except Exception:  # noqa: BLE001 - any cache failure: refuse politely, never 500
        logger.warning("Report token cache unavailable; refusing the report", exc_info=True)
        first = False
    if not first:
        raise TokenError(
            "This report has already been sent (or we could not check it). If you want to "
            "send another, check the form and send it again."
        )


def report_accept_allowed(*, request, now: float | None = None) -> bool:
    """Take one of this client's reports for the hour; False when it has had its share (or the
    cache is down). Atomic: a burst of simultaneous reports gets exactly the limit."""
    limit = ratelimits.Limit("report:client", settings.REPORT_RATE_LIMIT_PER_HOUR, HOUR)
    return ratelimits.take([(limit, ratelimits.client_key(request))], now=now)


def report_notify_allowed(*, activity_id: int, now: float | None = None) -> bool:
    """Whether this report of the activity may still email its editors today. The cap limits
    emails, never acceptance: a few clients must not be able to silence reports on a listing."""
    limit = ratelimits.Limit("report:activity", settings.REPORT_RATE_LIMIT_PER_ACTIVITY_DAY, DAY)
    return ratelimits.take([(limit, str(activity_id))], now=now)


@transaction.atomic
def problem_report_create(
    *, activity: ActivityPage, kind: str, details: str = "", reply_to: str = ""
) -> ProblemReport:
    report = ProblemReport(activity=activity, kind=kind, details=details, reply_to=reply_to)
    report.full_clean()
    report.save()
    return report


def report_recipients(*, activity: ActivityPage) -> QuerySet:
    """Active users with an email in the provider's editors group or the City admins group."""
    people = Q(pk__in=city_admin_users().values("pk"))
    if activity.provider is not None and activity.provider.editors_group_id is not None:
        people |= Q(groups__pk=activity.provider.editors_group_id)
    return (
        get_user_model()
        .objects.filter(people, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("email")
    )


@dataclass(frozen=True)
class Notified:
    recipients: list[str]
    sent: int


def problem_report_notify(*, report: ProblemReport) -> Notified:
    """Email each recipient separately (no one sees the others' addresses). A mail failure is
    logged, never raised: the report is already saved and listed in the admin."""
    activity = report.activity
    recipients = sorted({u.email for u in report_recipients(activity=activity)})
    context = {
        "report": report,
        "activity": activity,
        "admin_url": settings.SITE_URL + reverse("problem_reports"),
        "edit_url": settings.SITE_URL + reverse("wagtailadmin_pages:edit", args=[activity.pk]),
        # Built from SITE_URL like the admin links: the Wagtail Site's hostname is often
        # "localhost" and is not the public address.
        "page_url": settings.SITE_URL + activity.get_url_parts()[2] if activity.live else "",
    }
    # One line, no user text: header injection is impossible and the subject stays honest.
    subject = " ".join(f"Problem reported with “{activity.title}”".split())
    text = render_to_string("activities/email/problem_report.txt", context)
    html = render_to_string("activities/email/problem_report.html", context)
    messages = []
    for address in recipients:
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[address],
            reply_to=[report.reply_to] if report.reply_to else None,
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    sent = 0
    if messages:
        try:
            sent = get_connection().send_messages(messages) or 0
        except Exception:  # noqa: BLE001 - the report is saved; mail is best effort
            logger.exception("Could not email problem report %s", report.pk)
    return Notified(recipients=recipients, sent=sent)


@transaction.atomic
def problem_report_resolve(*, report: ProblemReport, user) -> ProblemReport:
    report.status = ProblemReport.Status.RESOLVED
    report.resolved_at = timezone.now()
    report.resolved_by = user
    report.save(update_fields=["status", "resolved_at", "resolved_by"])
    return report
