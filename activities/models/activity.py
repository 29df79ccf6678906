"""Activities: the courses, groups and drop-ins each provider publishes, with their time slots."""

from __future__ import annotations

import uuid

from django import forms
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
from directory.panels import edit_tabs
from venues.accessibility import ACTIVITY_FEATURE_CHOICES, FEATURES, FeatureStatus

from .. import recurrence
from ..duplicates.panel import SimilarActivitiesPanel
from ..enums import (
    ActivityKind,
    CancelledSessions,
    CapacityStatus,
    Frequency,
    ReferralRoute,
    SupportLevel,
)
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
    kind = models.CharField(
        "Type of activity",
        max_length=10,
        choices=ActivityKind.choices,
        default=ActivityKind.GROUP,
        help_text="A course has a set number of sessions; a group or drop-in carries on.",
    )
    categories = ParentalManyToManyField(
        Category,
        blank=True,
        related_name="activities",
        verbose_name="Topics",
        help_text="Tick every topic it covers: people find it under each one.",
    )
    description = models.TextField(
        "What happens",
        help_text="In plain words: what a session is like and who it is for.",
    )
    who_for = models.TextField("Who it suits", blank=True)
    not_suitable_for = models.TextField(
        "Who it may not suit",
        blank=True,
        help_text="For example: peer-led, not a crisis service; "
        "not for people who need one-to-one support.",
    )
    support_level = models.CharField(
        "How much support there is", max_length=12, choices=SupportLevel.choices, blank=True
    )
    audiences = ParentalManyToManyField(
        Audience,
        blank=True,
        related_name="activities",
        verbose_name="Especially for",
        help_text="Tick any groups of people it is run for. Leave all unticked if it is "
        "open to everyone.",
    )
    languages = models.CharField(
        "Languages other than English",
        max_length=200,
        blank=True,
        help_text="Languages sessions are run in besides English, separated by commas "
        "(e.g. Arabic, Somali). Leave blank if sessions are in English only.",
    )
    age_min = models.PositiveSmallIntegerField(
        "Youngest age", null=True, blank=True, help_text="Leave blank if there is no lower limit."
    )
    age_max = models.PositiveSmallIntegerField(
        "Oldest age", null=True, blank=True, help_text="Leave blank if there is no upper limit."
    )
    cost = models.CharField(
        "Cost", max_length=60, blank=True, help_text="“Free” or a price such as £2."
    )

    self_referral = models.BooleanField("Just come along / refer yourself", default=True)
    professional_referral = models.BooleanField("Professionals can refer", default=False)
    gp_referral = models.BooleanField("GP referral", default=False)
    booking_required = models.BooleanField("Booking needed", default=False)
    how_to_join = models.TextField(
        "How to join",
        blank=True,
        help_text="What someone does to start: turn up, ring first, book online…",
    )
    referrer_needs = models.TextField(
        "What we need from a referrer",
        blank=True,
        help_text="What a social prescriber or GP should tell you when referring someone.",
    )

    capacity_status = models.CharField(
        "Places", max_length=12, choices=CapacityStatus.choices, default=CapacityStatus.PLACES
    )
    capacity_updated = models.DateField("Places last updated", null=True, blank=True)
    last_checked = models.DateField(
        "Last checked",
        null=True,
        blank=True,
        help_text="When someone last confirmed this listing is right. Publishing sets it to today.",
    )

    contact_email = models.EmailField(
        "Contact email", blank=True, help_text="Leave blank to use your organisation's."
    )
    contact_phone = models.CharField(
        "Contact phone",
        max_length=40,
        blank=True,
        help_text="Leave blank to use your organisation's.",
    )
    booking_url = models.URLField(
        "Booking link", blank=True, help_text="The web address where people book a place."
    )

    venue = models.ForeignKey(
        "venues.Venue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name="Venue",
        help_text="Where it meets. Not listed? Choose “Add a venue” in the chooser.",
    )
    online = models.BooleanField("Online session", default=False)
    meeting_link = models.URLField(
        "Online meeting link",
        blank=True,
        help_text="The Zoom, Teams or other link to join. If you send the link only after "
        "people get in touch, leave this empty: the page then asks them to contact you for it.",
    )

    engagement_limit_weeks = models.PositiveSmallIntegerField(
        "Longest someone can attend (weeks)",
        null=True,
        blank=True,
        help_text="Only if you set a limit, for example 26. Leave blank if there is none.",
    )
    cancelled_sessions = models.CharField(
        "If a course session is cancelled",
        max_length=8,
        choices=CancelledSessions.choices,
        default=CancelledSessions.FEWER,
        help_text="Only for courses with a number of sessions.",
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
        FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldPanel("who_for"),
                FieldPanel("not_suitable_for"),
                FieldPanel("support_level"),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
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
        MultiFieldPanel(
            [
                FieldPanel("cancelled_sessions", widget=forms.RadioSelect),
                InlinePanel("cancellations", label="Cancelled date"),
            ],
            heading="Cancelled dates",
        ),
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
    edit_handler = edit_tabs(content_panels, heading="Activity")
    # The public search box (activities.search): title and topics weigh most (PostgreSQL's
    # weights; SQLite keeps title apart from the rest, and the browse ranking adds topics).
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.SearchField("who_for"),
        index.RelatedFields("categories", [index.SearchField("name", boost=5)]),
        index.RelatedFields("audiences", [index.SearchField("name")]),
        # Properties, not RelatedFields: SQLite's index takes every field named "title" as
        # the activity's title, the provider's included.
        index.SearchField("provider_name", boost=0.5),
        index.SearchField("venue_name", boost=0.5),
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
        if not self.online and self.venue_id is None and self.kind != ActivityKind.SERVICE:
            errors["venue"] = "Choose where it meets, or tick “Online session”."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.provider_id is None and self.path:
            parent_path = self.path[: -self.steplen]
            self.provider = ProviderPage.objects.filter(path=parent_path).first()
        saved = super().save(*args, **kwargs)
        # Wagtail indexes on post_save, before modelcluster writes the topics (parental
        # many-to-many): index again, so a search by topic finds what was just saved.
        if self.pk:
            index.insert_or_update_object(self)
        return saved

    def get_context(self, request, *args, **kwargs):
        from ..selectors import activity_detail  # noqa: PLC0415 -- thin page method

        context = super().get_context(request, *args, **kwargs)
        context.update(activity_detail(activity=self))
        return context

    @classmethod
    def get_indexed_objects(cls):
        # provider_name and venue_name are indexed: join them, or indexing is a query a row.
        return super().get_indexed_objects().select_related("provider", "venue")

    @property
    def provider_name(self) -> str:
        return self.provider.title if self.provider else ""

    @property
    def venue_name(self) -> str:
        return self.venue.name if self.venue else ""

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
    frequency = models.CharField(
        "How often", max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    first_date = models.DateField(
        "First session", help_text="The date of the first session; its weekday is the meeting day."
    )
    start_time = models.TimeField("Starts at", help_text="For example 10:30.")
    end_time = models.TimeField("Ends at", help_text="For example 12:00.")
    sessions = models.PositiveSmallIntegerField(
        "Number of sessions",
        null=True,
        blank=True,
        help_text="For a course: how many sessions. Leave blank if it carries on.",
    )
    last_date = models.DateField(
        "Last date", null=True, blank=True, help_text="Optional: no sessions after this date."
    )
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
        return recurrence.describe_rule(self.planned_rule)

    @property
    def planned_rule(self) -> recurrence.Rule:
        """The slot as its provider wrote it (what the spreadsheet export writes back)."""
        return recurrence.rule_of(self)

    def _makes_up_cancelled(self) -> bool:
        """Whether the activity adds a session at the end for each one cancelled."""
        if self.sessions is None:
            return False  # the choice is only about courses with a number of sessions
        try:
            activity = self.activity
        except ActivityPage.DoesNotExist:
            return False
        return activity is not None and activity.cancelled_sessions == CancelledSessions.ADD

    @property
    def rule(self) -> recurrence.Rule:
        """The slot as it runs: for a course that makes up cancelled sessions, with one added
        at the end for each (recurrence.made_up). Pages, feeds and next dates use this."""
        rule = self.planned_rule
        if not self._makes_up_cancelled():
            return rule
        return recurrence.made_up(rule, [c.date for c in self.activity.cancellations.all()])

    def describe(self, cancellations, *, today=None) -> str:
        """In words, saying plainly what cancelled dates do to a course ("5 of 6 sessions"),
        and (given `today`) when a course starts, so cohorts read differently."""
        return recurrence.describe_rule(
            self.planned_rule,
            today=today,
            cancellations=cancellations,
            make_up=self._makes_up_cancelled(),
        )

    def clean(self):
        if None in (self.first_date, self.start_time, self.end_time):
            return  # the required-field errors already say what is missing
        try:
            recurrence.validate_rule(self.planned_rule)
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
    date = models.DateField("Date", help_text="A date when no session runs.")
    reason = models.CharField(
        "Reason", max_length=200, blank=True, help_text="Shown to the public, e.g. Bank holiday."
    )

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
        "Is it there?", max_length=12, choices=FeatureStatus.choices, default=FeatureStatus.YES
    )
    details = models.CharField(
        "Details", max_length=255, blank=True, help_text="For example: ask for it when booking."
    )

    panels = [FieldRowPanel([FieldPanel("code"), FieldPanel("status")]), FieldPanel("details")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["activity", "code"], name="activity_feature_once")
        ]
        indexes = [models.Index(fields=["code", "status"])]

    def __str__(self) -> str:
        return f"{FEATURES[self.code].label}: {self.get_status_display()}"
