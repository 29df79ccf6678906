"""Activities: the courses, groups and drop-ins each provider publishes, with their time slots."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.models import Orderable, Page
from wagtail.search import index

from directory.models import ProviderPage
from venues.accessibility import ACTIVITY_FEATURE_CHOICES, FEATURES, FeatureStatus

from .. import recurrence
from ..duplicates.panel import SimilarActivitiesPanel
from ..enums import ActivityKind, CapacityStatus, Frequency, ReferralRoute, SupportLevel
from ..widgets import NextStepsChooser
from ..wording import long_date
from .taxonomy import Audience, Category

# Which boolean field says an activity takes each referral route (ReferralRoute values).
ROUTE_FIELDS = {
    ReferralRoute.SELF: "self_referral",
    ReferralRoute.PROFESSIONAL: "professional_referral",
    ReferralRoute.GP: "gp_referral",
}


def new_ref() -> str:
    """A provider-side reference for activities created in the admin (imports bring their own)."""
    return "NWD-" + uuid.uuid4().hex[:8].upper()


class ActivityPage(Page):
    ref = models.CharField(
        "Reference",
        max_length=60,
        default=new_ref,
        help_text="Your own identifier for this activity, unique within your organisation. "
        "The timetable spreadsheet uses it to update rather than duplicate.",
    )
    # Denormalised from the parent page so that browse can filter and join in SQL.
    provider = models.ForeignKey(
        "directory.ProviderPage",
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    kind = models.CharField(max_length=10, choices=ActivityKind.choices, default=ActivityKind.GROUP)
    categories = ParentalManyToManyField(Category, blank=True, related_name="activities")
    description = models.TextField(help_text="Plain text: what happens and who it is for.")
    who_for = models.TextField("Who it suits", blank=True)
    not_suitable_for = models.TextField(
        "Who it may not suit",
        blank=True,
        help_text="For example: peer-led, not a crisis service; "
        "not for people who need one-to-one support.",
    )
    support_level = models.CharField(max_length=12, choices=SupportLevel.choices, blank=True)
    audiences = ParentalManyToManyField(Audience, blank=True, related_name="activities")
    languages = models.CharField(
        "Languages other than English",
        max_length=200,
        blank=True,
        help_text="Languages sessions are run in besides English, separated by commas "
        "(e.g. Arabic, Somali). Leave blank if sessions are in English only.",
    )
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    cost = models.CharField(max_length=60, blank=True, help_text="“Free” or a price such as £2.")

    self_referral = models.BooleanField("Just come along / refer yourself", default=True)
    professional_referral = models.BooleanField("Professionals can refer", default=False)
    gp_referral = models.BooleanField("GP referral", default=False)
    booking_required = models.BooleanField("Booking needed", default=False)
    how_to_join = models.TextField(blank=True)
    referrer_needs = models.TextField(
        "What we need from a referrer",
        blank=True,
        help_text="What a social prescriber or GP should tell you when referring someone.",
    )

    capacity_status = models.CharField(
        max_length=12, choices=CapacityStatus.choices, default=CapacityStatus.PLACES
    )
    capacity_updated = models.DateField("Places last updated", null=True, blank=True)
    last_checked = models.DateField(
        null=True, blank=True, help_text="When someone last confirmed this listing is right."
    )

    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    booking_url = models.URLField(blank=True)

    venue = models.ForeignKey(
        "venues.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    online = models.BooleanField("Online session", default=False)
    meeting_link = models.URLField(blank=True)

    engagement_limit_weeks = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The longest someone can attend, in weeks, if you set a limit (e.g. 26).",
    )
    next_steps = ParentalManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="previous_steps",
        help_text="What people can go on to afterwards (e.g. a course leads to a peer group).",
    )

    content_panels = [
        *Page.content_panels,
        SimilarActivitiesPanel(),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("ref")]),
        FieldPanel("description"),
        FieldPanel("categories"),
        MultiFieldPanel(
            [
                FieldPanel("who_for"),
                FieldPanel("not_suitable_for"),
                FieldPanel("support_level"),
                FieldPanel("audiences"),
                FieldPanel("languages"),
                FieldRowPanel([FieldPanel("age_min"), FieldPanel("age_max")]),
            ],
            heading="Who it is for",
        ),
        MultiFieldPanel(
            [FieldPanel("venue"), FieldPanel("online"), FieldPanel("meeting_link")],
            heading="Where",
        ),
        InlinePanel("schedules", heading="When", label="Time slot", min_num=0),
        InlinePanel("cancellations", heading="Cancelled dates", label="Cancelled date"),
        MultiFieldPanel(
            [
                FieldPanel("engagement_limit_weeks"),
                FieldPanel("next_steps", widget=NextStepsChooser()),
            ],
            heading="Time limits and what next",
        ),
        MultiFieldPanel(
            [
                FieldPanel("cost"),
                FieldRowPanel(
                    [
                        FieldPanel("self_referral"),
                        FieldPanel("professional_referral"),
                        FieldPanel("gp_referral"),
                        FieldPanel("booking_required"),
                    ]
                ),
                FieldPanel("how_to_join"),
                FieldPanel("referrer_needs"),
                FieldRowPanel([FieldPanel("capacity_status"), FieldPanel("capacity_updated")]),
            ],
            heading="Cost and how to join",
        ),
        InlinePanel("features", heading="How sessions are run (accessibility)", label="Feature"),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("booking_url"),
                FieldPanel("last_checked"),
            ],
            heading="Contact",
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.FilterField("kind"),
        index.FilterField("provider"),
    ]
    parent_page_types = ["directory.ProviderPage"]
    subpage_types: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "ref"], name="activity_ref_unique_per_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="activity_age_range_valid",
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = "The oldest age must not be lower than the youngest."
        if self.online and not self.meeting_link and not self.booking_url:
            errors["meeting_link"] = (
                "Online sessions need a meeting link (or a booking link that sends it)."
            )
        if not self.online and self.venue_id is None and self.kind != ActivityKind.SERVICE:
            errors["venue"] = "Choose where it meets, or tick “Online session”."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.provider_id is None and self.path:
            parent_path = self.path[: -self.steplen]
            self.provider = ProviderPage.objects.filter(path=parent_path).first()
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import activity_detail  # noqa: PLC0415 -- thin page method

        context = super().get_context(request, *args, **kwargs)
        context.update(activity_detail(activity=self))
        return context

    @property
    def is_free(self) -> bool:
        return self.cost.strip().lower().startswith("free")

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]

    @property
    def referral_routes(self) -> list[str]:
        return [route.value for route, name in ROUTE_FIELDS.items() if getattr(self, name)]

    @property
    def display_phone(self) -> str:
        """The number to call: the activity's own, else its provider's."""
        return self.contact_phone or (self.provider.contact_phone if self.provider else "")


class Schedule(Orderable):
    """One regular time slot. Expanded into dates only by activities.recurrence."""

    activity = ParentalKey(ActivityPage, on_delete=models.CASCADE, related_name="schedules")
    ref = models.CharField(
        max_length=60,
        blank=True,
        editable=False,
        help_text="The spreadsheet row this slot came from, so re-imports update it in place.",
    )
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY)
    first_date = models.DateField(
        help_text="The date of the first session; its weekday is the meeting day."
    )
    start_time = models.TimeField()
    end_time = models.TimeField()
    sessions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a course: how many sessions."
    )
    last_date = models.DateField(null=True, blank=True, help_text="No sessions after this date.")
    # Derived on save, for filtering in SQL.
    weekday = models.PositiveSmallIntegerField(editable=False, default=0)
    ends_on = models.DateField(null=True, editable=False)
    # Calendar identity: the UID survives renames and re-imports; SEQUENCE rises on timing changes.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("frequency"), FieldPanel("first_date")]),
        FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldRowPanel([FieldPanel("sessions"), FieldPanel("last_date")]),
    ]

    class Meta(Orderable.Meta):
        indexes = [
            # activity first: the day filter is a correlated EXISTS per activity.
            models.Index(fields=["activity", "weekday", "start_time"]),
            models.Index(fields=["ends_on"]),
        ]

    def __str__(self) -> str:
        return recurrence.describe_rule(self.rule)

    @property
    def rule(self) -> recurrence.Rule:
        return recurrence.rule_of(self)

    def clean(self):
        if None in (self.first_date, self.start_time, self.end_time):
            return  # the required-field errors already say what is missing
        try:
            recurrence.validate_rule(self.rule)
        except recurrence.RuleError as exc:
            raise ValidationError(str(exc)) from exc

    def derive(self) -> Schedule:
        """Fill the fields derived from the rule (bulk writes skip save, so they call this)."""
        self.weekday = self.first_date.weekday()
        self.ends_on = recurrence.series_end(self.rule)
        return self

    def save(self, *args, **kwargs):
        self.derive()
        return super().save(*args, **kwargs)


class Cancellation(Orderable):
    """A date when no session runs (holidays, closures). Applies to every slot that day."""

    activity = ParentalKey(ActivityPage, on_delete=models.CASCADE, related_name="cancellations")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("reason")])]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["activity", "date"], name="cancellation_once_per_day")
        ]

    def __str__(self) -> str:
        day = long_date(self.date)
        return f"{day}: {self.reason}" if self.reason else day


class ActivityFeature(Orderable):
    """How a session is run (BSL interpreter, small group...). No row means "not known"."""

    activity = ParentalKey(ActivityPage, on_delete=models.CASCADE, related_name="features")
    code = models.CharField("Feature", max_length=40, choices=ACTIVITY_FEATURE_CHOICES)
    status = models.CharField(
        max_length=12, choices=FeatureStatus.choices, default=FeatureStatus.YES
    )
    details = models.CharField(max_length=255, blank=True)

    panels = [FieldRowPanel([FieldPanel("code"), FieldPanel("status")]), FieldPanel("details")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["activity", "code"], name="activity_feature_once")
        ]
        indexes = [models.Index(fields=["code", "status"])]

    def __str__(self) -> str:
        return f"{FEATURES[self.code].label}: {self.get_status_display()}"
