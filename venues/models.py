"""Venues: shared places any provider can choose, with their accessibility."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from .accessibility import FEATURES, VENUE_FEATURE_CHOICES, FeatureStatus
from .geo import PostcodeError, normalise_postcode


class Venue(index.Indexed, ClusterableModel):
    name = models.CharField("Name", max_length=200, help_text="For example: Toxteth Library.")
    slug = models.SlugField(
        "Web address name",
        max_length=220,
        unique=True,
        help_text="Used in the venue's web address; made from the name if left blank.",
    )
    address = models.CharField(max_length=400, help_text="Street address, without the postcode.")
    postcode = models.CharField(
        "Postcode", max_length=10, blank=True, help_text="People search by it, e.g. L8 1YA."
    )
    latitude = models.FloatField(
        "Latitude", null=True, blank=True, help_text="Optional: we find it from the postcode."
    )
    longitude = models.FloatField(
        "Longitude", null=True, blank=True, help_text="Optional: we find it from the postcode."
    )
    access_guide_url = models.URLField(
        "Detailed access guide",
        blank=True,
        help_text="A link to a detailed access guide (for example AccessAble or Euan's Guide).",
    )
    access_notes = models.TextField(
        blank=True, help_text="Anything else about getting in and around, in plain words."
    )
    phone = models.CharField("Phone", max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("postcode"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("phone"),
            ],
            heading="Where it is",
        ),
        MultiFieldPanel(
            [FieldPanel("access_guide_url"), FieldPanel("access_notes")], heading="Access"
        ),
        InlinePanel("features", heading="Accessibility features", label="Feature"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("address"),
        index.AutocompleteField("name"),
        index.FilterField("postcode"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="venue_coordinates_valid",
            )
        ]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return f"{self.name}, {self.postcode}" if self.postcode else self.name

    def clean(self):
        errors = {}
        if self.postcode:
            try:
                self.postcode = normalise_postcode(self.postcode)
            except PostcodeError as exc:
                errors["postcode"] = str(exc)
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Give both latitude and longitude, or neither (we then use the postcode)."
            )
        if not self.slug:
            self.slug = slugify(f"{self.name} {self.postcode}")[:220]
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("venue_detail", kwargs={"slug": self.slug})

    @property
    def full_address(self) -> str:
        return ", ".join(part for part in (self.address, self.postcode) if part)

    @property
    def coordinates(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


class VenueFeature(Orderable):
    """One recorded accessibility feature. A feature with no row is "not known"."""

    venue = ParentalKey(Venue, on_delete=models.CASCADE, related_name="features")
    code = models.CharField("Feature", max_length=40, choices=VENUE_FEATURE_CHOICES)
    status = models.CharField(
        "Is it there?", max_length=12, choices=FeatureStatus.choices, default=FeatureStatus.YES
    )
    details = models.CharField(
        "Details", max_length=255, blank=True, help_text="For example: portable ramp, ring ahead."
    )
    checked_on = models.DateField("Checked on", null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("status")]),
        FieldRowPanel([FieldPanel("details"), FieldPanel("checked_on")]),
    ]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["venue", "code"], name="venue_feature_once")]
        indexes = [models.Index(fields=["code", "status"])]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_status_display()}"

    @property
    def label(self) -> str:
        return FEATURES[self.code].label
