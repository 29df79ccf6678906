"""What people can go on to when a course or an engagement limit ends.

`what_next()` is the one read the activity page makes: the provider's own "what next" links
first, then ongoing activities nearby on a shared topic, each with a one-line reason built only
from facts checked for that pair. It runs a fixed handful of queries whatever the data size.

Nearby suggestions are only ones the same person could go to (`could_attend`): a women-only
(or men's) group only after a women-only (or men's) activity, never after a mixed one; one run
in another language only when this one is run in it too (one in English, the default, is always
possible); and, when this activity gives ages, only one that takes every age it takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Case, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Value, When

from venues.geo import distance_miles
from venues.selectors import distance_sq, within

from . import time_limits
from .enums import ActivityKind
from .models import ActivityPage, Audience, Category, Schedule
from .wording import join_words

ONGOING_REASON = "ongoing, no time limit"
_ONLY_WORDS = {"women": "for women", "men": "for men"}


@dataclass(frozen=True)
class Suggestion:
    activity: ActivityPage
    reason: str
    from_provider: bool = False


@dataclass(frozen=True)
class NextIntake:
    """A future run of a finished activity: a same-titled activity of its provider."""

    activity: ActivityPage
    starts: date


@dataclass
class WhatNext:
    time_limited: bool
    ended_on: date | None = None
    next_intake: NextIntake | None = None
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def has_ended(self) -> bool:
        return self.ended_on is not None


def is_time_limited(activity: ActivityPage) -> bool:
    """A course, an engagement limit, or a slot with a session count or a last date.

    Reads `activity.schedules.all()`, so prefetch schedules for lists.
    """
    if activity.kind == ActivityKind.COURSE or activity.engagement_limit_weeks:
        return True
    return any(s.sessions or s.last_date for s in activity.schedules.all())


def ongoing(queryset: QuerySet[ActivityPage]) -> QuerySet[ActivityPage]:
    """Only activities with no time limit: no course, no one-off, no engagement limit, and no
    slot that ends (a session count, a last date or a single date all set `ends_on`)."""
    ending_slot = Schedule.objects.filter(activity=OuterRef("pk"), ends_on__isnull=False)
    return queryset.exclude(kind__in=[ActivityKind.COURSE, ActivityKind.ONE_OFF]).filter(
        ~Exists(ending_slot), engagement_limit_weeks__isnull=True
    )


def ended_on(activity: ActivityPage, *, today: date) -> date | None:
    """The last session's date when every slot has finished, else None."""
    if not time_limits.has_ended(activity, today=today):
        return None
    return max(s.ends_on for s in activity.schedules.all())


def _kind_noun(activity: ActivityPage) -> str:
    return "course" if activity.kind == ActivityKind.COURSE else activity.get_kind_display().lower()


def next_intake(activity: ActivityPage, *, today: date) -> NextIntake | None:
    """The soonest future run of a finished activity: a live activity of the same provider with
    the same title (or that title plus more words, such as "Managing anxiety (January)") with a
    slot starting after today. One query.

    A future slot of the activity itself never counts here: it would mean the activity has not
    finished, and its page already says when the next run starts (time_limits.summary).
    """
    if activity.provider_id is None:
        return None
    title = " ".join(activity.title.split())
    other = (
        ActivityPage.objects.live()
        .filter(provider_id=activity.provider_id)
        .filter(Q(title__iexact=title) | Q(title__istartswith=f"{title} "))
        .exclude(pk=activity.pk)
        .annotate(starts=Min("schedules__first_date", filter=Q(schedules__first_date__gt=today)))
        .filter(starts__isnull=False)
        .order_by("starts", "pk")
        .first()
    )
    return NextIntake(activity=other, starts=other.starts) if other else None


def _restrictions(activity: ActivityPage) -> set[str]:
    """Its audiences' restrictions ("women", "men"). Reads `activity.audiences.all()`."""
    return {a.restriction for a in activity.audiences.all() if a.restriction}


_RESTRICTIONS = (Audience.Restriction.WOMEN, Audience.Restriction.MEN)


def _restriction_flags() -> dict[str, Exists]:
    """Annotations saying whether an activity is for women only, or men only (no extra query)."""
    audiences = ActivityPage.audiences.through.objects.filter(activitypage=OuterRef("pk"))
    return {
        f"for_{r}_only": Exists(audiences.filter(audience__restriction=r)) for r in _RESTRICTIONS
    }


def _flagged(row: ActivityPage) -> set[str]:
    """The restrictions `_restriction_flags` found on `row`."""
    return {r for r in _RESTRICTIONS if getattr(row, f"for_{r}_only")}


def _speaks(language: str) -> Q:
    """`languages` (comma-separated) lists `language`, in any case."""
    return Q(languages__iregex=rf"(^|,)\s*{re.escape(language)}\s*(,|$)")


def could_attend(activity: ActivityPage) -> Q:
    """Activities the person who went to `activity` could go to (see the module docstring).

    Reads `activity.audiences.all()` (prefetch it).
    """
    restrictions = _restrictions(activity)
    unwanted = {Audience.Restriction.WOMEN, Audience.Restriction.MEN} - (
        restrictions if len(restrictions) == 1 else set()
    )
    audiences = ActivityPage.audiences.through.objects.filter(
        activitypage=OuterRef("pk"), audience__restriction__in=unwanted
    )
    fits = ~Exists(audiences)
    language = Q(languages="")
    for spoken in activity.language_list:
        language |= _speaks(spoken)
    fits &= language
    if activity.age_min is not None or activity.age_max is not None:
        fits &= ~Q(age_min__gt=activity.age_min or 0)
        if activity.age_max is None:
            fits &= Q(age_max__isnull=True)
        else:
            fits &= ~Q(age_max__lt=activity.age_max)
    return fits


def _who_words(activity: ActivityPage, row: ActivityPage, noun: str) -> list[str]:
    """What the pair share of audience and language, e.g. "for women, like this course"."""
    words = []
    restrictions = _flagged(row)
    if restrictions:
        who = "women" if Audience.Restriction.WOMEN in restrictions else "men"
        words.append(f"for {who}, like this {noun}")
    shared = [lang for lang in row.language_list if lang.casefold() in _spoken(activity)]
    if shared:
        words.append(f"in {' and '.join(shared)}, like this {noun}")
    return words


def _spoken(activity: ActivityPage) -> set[str]:
    return {lang.casefold() for lang in activity.language_list}


def _own_steps(activity: ActivityPage, *, candidates: QuerySet[ActivityPage]) -> list[Suggestion]:
    """The provider's "what next" links that are in `candidates` (so live, and not finished)."""
    steps = (
        candidates.filter(pk__in=activity.next_steps.values("pk"))
        .exclude(pk=activity.pk)
        .select_related("provider")
        .annotate(**_restriction_flags())
        .order_by("title", "pk")
    )
    name = activity.provider.title if activity.provider else "the organisation"
    own = _restrictions(activity)
    found = []
    for step in steps:
        reason = f"Suggested by {name} as a next step"
        # The provider's own choice stays, but a single-sex step after a mixed one says so.
        if (restrictions := _flagged(step)) and restrictions != own:
            who = join_words(_ONLY_WORDS[r] for r in sorted(restrictions))
            reason += f"; {who} only"
        found.append(Suggestion(activity=step, reason=reason, from_provider=True))
    return found


def _nearby(
    activity: ActivityPage,
    *,
    candidates: QuerySet[ActivityPage],
    categories: list[Category],
    exclude: set[int],
    limit: int,
    radius: float,
) -> list[Suggestion]:
    """Ongoing activities sharing a topic, within `radius` miles of the venue (or online when
    this one is online), nearest first."""
    if limit <= 0 or not categories:
        return []
    coords = activity.venue.coordinates if activity.venue else None
    place = Q()
    if coords is not None:
        candidates = candidates.annotate(distance_sq=distance_sq(coords))
        place |= within(coords, radius)
    if activity.online:
        place |= Q(online=True)
    if not place:
        return []
    topics = ActivityPage.categories.through.objects
    order = [F("distance_sq").asc(nulls_last=True)] if coords is not None else []
    if activity.language_list:  # one in the same language before one in English
        same = Q(pk__in=[])
        for spoken in activity.language_list:
            same |= _speaks(spoken)
        candidates = candidates.annotate(
            same_language=Case(When(same, then=Value(0)), default=Value(1))
        )
        order.insert(0, F("same_language").asc())
    rows = (
        ongoing(candidates)
        .filter(place, could_attend(activity))
        .filter(Exists(topics.filter(activitypage=OuterRef("pk"), category__in=categories)))
        .exclude(pk__in=exclude | {activity.pk})
        .annotate(**_restriction_flags())
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("name")))
        .order_by(*order, "title", "pk")[:limit]
    )
    own_topics = {c.pk for c in categories}
    noun = _kind_noun(activity)
    found = []
    for row in rows:
        shared = [c.name for c in row.categories.all() if c.pk in own_topics]
        label = "Same topic" if len(shared) == 1 else "Same topics"
        parts = [f"{label}: {', '.join(shared)}"]
        row_coords = row.venue.coordinates if row.venue else None
        if coords is not None and row_coords is not None:
            miles = distance_miles(coords, row_coords)
            if miles < 0.05:
                parts.append(f"at the same venue as this {noun}")
            else:
                parts.append(f"{miles:.1f} miles from this {noun}'s venue")
        elif row.online:
            parts.append(f"online, like this {noun}" if activity.online else "online")
        parts += _who_words(activity, row, noun)
        parts.append(ONGOING_REASON)
        found.append(Suggestion(activity=row, reason="; ".join(parts)))
    return found


def what_next(
    *,
    activity: ActivityPage,
    candidates: QuerySet[ActivityPage],
    today: date,
    limit: int | None = None,
    radius: float | None = None,
) -> WhatNext:
    """Suggestions for after a time-limited activity; empty for one without a time limit.

    `activity` must have its schedules and categories prefetched and its provider and venue
    loaded (activities.selectors.with_display_data does this). `candidates` is the pool of
    activities that may be suggested (the current published list), so callers decide what
    "current" means. The provider's own links come first (those among the candidates, in title
    order), then
    up to `limit` in all (never fewer than the provider's links) with nearby ongoing ones.
    """
    if not is_time_limited(activity):
        return WhatNext(time_limited=False)
    limit = settings.WHAT_NEXT_LIMIT if limit is None else limit
    radius = settings.WHAT_NEXT_RADIUS_MILES if radius is None else radius
    own = _own_steps(activity, candidates=candidates)
    nearby = _nearby(
        activity,
        candidates=candidates,
        categories=list(activity.categories.all()),
        exclude={s.activity.pk for s in own},
        limit=limit - len(own),
        radius=radius,
    )
    finished = ended_on(activity, today=today)
    return WhatNext(
        time_limited=True,
        ended_on=finished,
        next_intake=next_intake(activity, today=today) if finished else None,
        suggestions=own + nearby,
    )
