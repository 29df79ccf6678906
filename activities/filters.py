"""The browse filters (/activities/ and everything that shares its query string).

Everything narrows in SQL: the same FilterSet serves the page, the CSV export and the feeds, so a
shared URL means the same list everywhere.
"""

from datetime import date, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django_filters import fields as filter_fields

from directory.models import ProviderPage
from directory.names import provider_name_key
from venues.accessibility import AVAILABLE_STATUSES, FEATURE_CHOICES, FEATURES
from venues.geo import Location, PostcodeError, locate_postcode
from venues.models import VenueFeature
from venues.selectors import near

from . import recurrence
from .enums import TIME_RANGES, WEEKDAY_CODES, ActivityKind, ReferralRoute, TimeOfDay, When
from .models import ActivityFeature, ActivityPage, Audience, Cancellation, Category, Schedule
from .models.activity import ROUTE_FIELDS
from .search.selectors import RANK, SearchOutcome, activity_search, understand
from .wording import DAY_NAMES, audience_label

# The day checkboxes: URL codes with their names.
DAY_CHOICES = list(zip(WEEKDAY_CODES, DAY_NAMES, strict=True))
RADIUS_CHOICES = [
    ("1", "1 mile"),
    ("2", "2 miles"),
    ("3", "3 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
]
CHECKBOXES = forms.CheckboxSelectMultiple
SORT_CHOICES = [
    ("", "Best match"),
    ("soonest", "Soonest first"),
    ("title", "Name (A to Z)"),
    ("distance", "Nearest first"),
]
# The furthest ahead "On a date" looks: sessions are expanded for real, so the window is bounded.
WHEN_MAX_DAYS_AHEAD = 366


class BoundedValues:
    """Repeated values count once, and a parameter may repeat at most FILTER_MAX_VALUES times.

    Each value can become one SQL condition (every access need is an EXISTS), so an unbounded
    repeat would let one request hold the database; the vocabulary is far smaller than the cap.
    """

    def clean(self, value):
        if value and len(value) > settings.FILTER_MAX_VALUES:
            raise forms.ValidationError(
                f"Choose at most {settings.FILTER_MAX_VALUES} options here.", code="too_many"
            )
        return super().clean(list(dict.fromkeys(value)) if value else value)


class BoundedMultipleChoiceField(BoundedValues, filter_fields.MultipleChoiceField):
    pass


class BoundedModelMultipleChoiceField(BoundedValues, filter_fields.ModelMultipleChoiceField):
    pass


class BoundedFormMultipleChoiceField(BoundedValues, forms.MultipleChoiceField):
    pass


class BoundedFormModelMultipleChoiceField(BoundedValues, forms.ModelMultipleChoiceField):
    pass


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = BoundedMultipleChoiceField


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = BoundedModelMultipleChoiceField


class ProviderField(BoundedValues, forms.Field):
    """Organisations by slug (the links other pages make), by name, or by part of a name.

    Cleans to a list of (slug, title) pairs, best first. The browse page renders a text box
    (search-as-you-type with JavaScript, a plain box without), so a visitor without JavaScript
    types "mind" and gets every organisation whose name contains it; repeated values (the
    chosen ones kept as checkboxes) each add their matches. A value nothing matches is an
    error that says so, never an empty list that looks like "no activities".
    """

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [text.strip()[:100] for text in value if text and text.strip()]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        texts = super().clean(value)
        return providers_matching(texts)


PROVIDER_MATCH_LIMIT = 50


def providers_matching(texts: list[str]) -> list[tuple[str, str]]:
    """(slug, title) of the live organisations each text names: its slug or name exactly, else
    those whose name contains it (at most PROVIDER_MATCH_LIMIT). Two queries at most."""
    if not texts:
        return []
    live = ProviderPage.objects.live()
    keys = {provider_name_key(text): text for text in texts}
    exact = list(
        live.filter(Q(slug__in=texts) | Q(name_key__in=list(keys))).values_list(
            "slug", "title", "name_key"
        )
    )
    found = {slug: title for slug, title, _ in exact}
    named = {slug for slug, _, _ in exact} | {key for _, _, key in exact}
    rest = [text for text in texts if text not in named and provider_name_key(text) not in named]
    if rest:
        partial = Q()
        for text in rest:
            partial |= Q(title__icontains=text)
        matches = list(
            live.filter(partial)
            .order_by("title")
            .values_list("slug", "title")[: PROVIDER_MATCH_LIMIT + 1]
        )
        if len(matches) > PROVIDER_MATCH_LIMIT:
            raise forms.ValidationError(
                "More than %(limit)s organisations match: type more of the name.",
                code="too_many",
                params={"limit": PROVIDER_MATCH_LIMIT},
            )
        lowered = [(text, text.casefold()) for text in rest]
        for text, folded in lowered:
            if not any(folded in title.casefold() for _, title in matches):
                raise forms.ValidationError(
                    "No organisation's name contains “%(text)s”.",
                    code="no_match",
                    params={"text": text},
                )
        found.update(matches)
    return list(found.items())


class ProviderFilter(django_filters.Filter):
    field_class = ProviderField

    def filter(self, qs, value):
        if not value:
            return qs
        # One IN over the provider's id (no join, no DISTINCT).
        ids = ProviderPage.objects.filter(slug__in=[slug for slug, _ in value]).values("pk")
        return qs.filter(provider_id__in=ids)


class PostcodeField(forms.CharField):
    """Cleans to a venues.geo.Location, or says clearly what is wrong with the postcode.

    Always the offline lookup: a public search box must not forward visitors' postcodes to a
    third-party geocoder.
    """

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return locate_postcode(value)
        except PostcodeError as exc:
            raise forms.ValidationError(str(exc), code="postcode") from exc


class PostcodeFilter(django_filters.Filter):
    field_class = PostcodeField


class YesFilter(django_filters.BooleanFilter):
    """A checkbox: present means yes, absent means "don't filter"."""

    field_class = forms.BooleanField


def accepts_routes(routes) -> Q:
    """Activities that take any of the referral routes (ReferralRoute values)."""
    condition = Q()
    for route in routes:
        condition |= Q(**{ROUTE_FIELDS[route]: True})
    return condition


def active_schedules(*, today) -> QuerySet[Schedule]:
    return Schedule.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def has_feature(code: str) -> Q:
    """True where the venue (venue features) or the session (activity features) has `code`."""
    if FEATURES[code].on_session:
        return Q(
            Exists(
                ActivityFeature.objects.filter(
                    activity=OuterRef("pk"), code=code, status__in=AVAILABLE_STATUSES
                )
            )
        )
    return Q(
        Exists(
            VenueFeature.objects.filter(
                venue=OuterRef("venue"), code=code, status__in=AVAILABLE_STATUSES
            )
        )
    )


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text")
    postcode = PostcodeFilter(label="Postcode", method="noop")
    radius = django_filters.ChoiceFilter(
        choices=RADIUS_CHOICES, label="Within", empty_label="Any distance", method="noop"
    )
    day = MultipleChoiceFilter(choices=DAY_CHOICES, label="Day", method="noop", widget=CHECKBOXES)
    time = MultipleChoiceFilter(
        choices=TimeOfDay.choices, label="Time of day", method="noop", widget=CHECKBOXES
    )
    category = ModelMultipleChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        label="Topic",
        method="filter_related",
        widget=CHECKBOXES,
    )
    # distinct=False: a value of the page's own column joins nothing, so DISTINCT (over every
    # selected column, on PostgreSQL a sort of wide rows) could only cost.
    kind = MultipleChoiceFilter(
        choices=ActivityKind.choices, label="Type", widget=CHECKBOXES, distinct=False
    )
    access = MultipleChoiceFilter(
        choices=FEATURE_CHOICES, label="Access needs", method="filter_access", widget=CHECKBOXES
    )
    online = django_filters.ChoiceFilter(
        choices=[("yes", "Online"), ("no", "In person")],
        label="Online or in person",
        empty_label="Either",
        method="filter_online",
    )
    free = YesFilter(label="Free only", method="filter_free")
    referral = MultipleChoiceFilter(
        choices=ReferralRoute.choices,
        label="How to join",
        method="filter_referral",
        widget=CHECKBOXES,
    )
    audience = ModelMultipleChoiceFilter(
        queryset=Audience.objects.all(),
        to_field_name="slug",
        label="For",
        method="filter_related",
        widget=CHECKBOXES,
    )
    provider = ProviderFilter(label="Organisation")
    when = django_filters.ChoiceFilter(
        choices=When.choices,
        label="When",
        empty_label="Any time",
        method="noop",
        widget=forms.RadioSelect,
    )
    on = django_filters.DateFilter(label="Date", method="noop")
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, label="Sort by", empty_label=None, method="noop"
    )

    def __init__(self, data=None, *args, today=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()
        self.search_outcome: SearchOutcome | None = None
        # Display labels ("Women", "LGBTQ+ people"); the URL values stay the stored slugs.
        self.form.fields["audience"].label_from_instance = lambda a: audience_label(a.name)

    # Fields handled together in filter_queryset (day and time must match the same slot).
    def noop(self, queryset, name, value):
        return queryset

    def filter_text(self, queryset, name, value):
        """People's words (activities.search): word forms, synonyms, a misspelling corrected
        unless `exact=1` ("search for what I typed"); best matches first."""
        self.search_outcome = understand(value, exact=self.data.get("exact") == "1")
        return activity_search(queryset, self.search_outcome)

    def filter_related(self, queryset, name, value):
        """Any of the chosen topics (or audiences), without joining rows twice."""
        if not value:
            return queryset
        through = {"category": ActivityPage.categories, "audience": ActivityPage.audiences}[name]
        links = through.through.objects.filter(
            activitypage=OuterRef("pk"), **{f"{name}__in": value}
        )
        return queryset.filter(Exists(links))

    def filter_access(self, queryset, name, value):
        for code in value:  # every chosen need must be met
            queryset = queryset.filter(has_feature(code))
        return queryset

    def filter_online(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(online=True)
        return queryset.filter(venue__isnull=False)

    def filter_free(self, queryset, name, value):
        return queryset.filter(cost__istartswith="free") if value else queryset

    def filter_referral(self, queryset, name, value):
        return queryset.filter(accepts_routes(value))

    def is_valid(self) -> bool:
        return super().is_valid() and self.window() is not False

    def window(self) -> tuple[date, date] | None | bool:
        """The dates the "when" filter asks for (first, last), None for any time, or False
        (with a form error added) when they cannot be used. A date on its own means that date."""
        if not hasattr(self, "_window"):
            self._window = self._find_window() if self.form.is_valid() else None
        return self._window

    def _find_window(self) -> tuple[date, date] | None | bool:
        data = self.form.cleaned_data
        when, on = data.get("when"), data.get("on")
        if not when and on is None:
            return None
        if when and when != When.DATE and on is not None:
            on = None  # "This week" chosen with a stale date left in the box: the choice wins
        window = When(when or When.DATE).window(today=self.today, on=on)
        if window is None:
            self.form.add_error("on", "Enter the date you want, or choose another “when”.")
            return False
        if on is not None and not (
            self.today <= on <= self.today + timedelta(days=WHEN_MAX_DAYS_AHEAD)
        ):
            self.form.add_error(
                "on", "Choose a date from today to a year ahead: past sessions are not listed."
            )
            return False
        return window

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        queryset = self._filter_slots(queryset, days=data.get("day"), times=data.get("time"))
        window = self.window()
        if window:
            queryset = queryset.filter(
                pk__in=meeting_between(
                    queryset, *window, days=data.get("day"), times=data.get("time")
                )
            )
        location: Location | None = data.get("postcode")
        if location is not None:
            queryset = self._filter_distance(queryset, location, data.get("radius"))
        return self._order(queryset, data.get("sort"), location)

    def _filter_slots(self, queryset, *, days, times):
        if not days and not times:
            return queryset
        slots = slots_matching(active_schedules(today=self.today), days=days, times=times)
        return queryset.filter(Exists(slots.filter(activity=OuterRef("pk"))))

    def _filter_distance(self, queryset, location: Location, radius: str | None):
        # The SQL distance orders and narrows; geopy gives the exact figure shown on the page.
        return near(queryset, location.point, float(radius) if radius else None)

    def _order(self, queryset, sort: str | None, location: Location | None):
        if location is not None and sort in ("", None, "distance"):
            return queryset.order_by(F("distance_sq").asc(nulls_last=True), "title", "pk")
        if self.search_outcome is not None and sort in ("", None):
            return queryset.order_by(F(RANK).desc(nulls_last=True), "title", "pk")
        return queryset.order_by("title", "pk")


def slots_matching(slots: QuerySet[Schedule], *, days, times) -> QuerySet[Schedule]:
    """Time slots on any of the chosen days (URL codes) and in any chosen part of the day."""
    if days:
        slots = slots.filter(weekday__in=[WEEKDAY_CODES.index(d) for d in days])
    if times:
        window = Q()
        for name in times:
            start, end = TIME_RANGES[name]
            window |= Q(start_time__gte=start, start_time__lt=end)
        slots = slots.filter(window)
    return slots


def meeting_between(queryset, first: date, last: date, *, days=None, times=None) -> set[int]:
    """Ids of activities in `queryset` with a session (not cancelled) from `first` to `last`
    inclusive, on the chosen days and times.

    SQL narrows to slots that run in those dates on one of their weekdays; each is then
    expanded by activities.recurrence (a fortnightly or monthly slot, or a cancelled date,
    is decided there, never guessed in SQL). The window is at most a week or one date.
    """
    weekdays = {(first + timedelta(days=n)).weekday() for n in range((last - first).days + 1)}
    slots = slots_matching(
        Schedule.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=first),
            activity__in=queryset.order_by().values("pk"),
            first_date__lte=last,
            weekday__in=weekdays,
        ),
        days=days,
        times=times,
    )
    rows = list(slots.values_list("activity_id", *recurrence.RULE_FIELDS))
    cancelled: dict[int, dict[date, str]] = {}
    for activity_id, day in Cancellation.objects.filter(
        activity__in={row[0] for row in rows}, date__range=(first, last)
    ).values_list("activity_id", "date"):
        cancelled.setdefault(activity_id, {})[day] = ""
    return {
        activity_id
        for activity_id, *fields in rows
        if recurrence.occurrences(
            recurrence.Rule(*fields),
            start=first,
            end=last,
            cancellations=cancelled.get(activity_id),
        )
    }


def filter_errors_text(filterset: ActivityFilter) -> str:
    """Every problem with a browse query string on one line, for plain-text answers."""
    return "; ".join(
        f"{field}: {' '.join(errors)}" for field, errors in filterset.form.errors.items()
    )
