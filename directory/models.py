"""Site-wide pages: the home page and the providers (each the parent of its activities)."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .enums import ProposalStatus
from .forms import ProviderCopyForm, ProviderPageForm
from .names import provider_name_key
from .panels import edit_tabs


class HomePage(Page):
    intro = models.TextField(
        blank=True,
        default="Find a course, group or drop-in near you. Everything here is free or low cost, "
        "and many welcome you without a referral.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["directory.ProviderIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .selectors import home_context  # noqa: PLC0415 -- thin page method

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(request=request))
        return context


class ProviderIndexPage(Page):
    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["directory.ProviderPage"]
    parent_page_types = ["directory.HomePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["providers"] = ProviderPage.objects.child_of(self).live().order_by("title")
        return context


class ProviderPage(Page):
    """One organisation. Its editors group may change only this page and what is under it."""

    about = RichTextField(
        "About your organisation",
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="A few sentences: who you are and what you offer.",
    )
    contact_email = models.EmailField(
        "Contact email", blank=True, help_text="Used for every activity that gives none."
    )
    contact_phone = models.CharField(
        "Contact phone",
        max_length=40,
        blank=True,
        help_text="Used for every activity that gives none.",
    )
    website = models.URLField("Website", blank=True)
    address = models.CharField("Postal address", max_length=300, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Logo",
    )
    editors_group = models.OneToOneField(
        Group, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    # The provider's image collection, held by id: collection names follow titles, which an
    # editor can change to another organisation's, so a lookup by name could hand over
    # someone else's images.
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The title folded (directory.names): a second organisation cannot take the same name.
    name_key = models.CharField(
        max_length=255,
        unique=True,
        editable=False,
        error_messages={"unique": "Another organisation already uses this name."},
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("about"),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("website"),
                FieldPanel("address"),
            ],
            heading="Contact",
        ),
        FieldPanel("logo"),
    ]
    edit_handler = edit_tabs(content_panels, heading="Organisation")
    search_fields = [*Page.search_fields, index.SearchField("about")]
    base_form_class = ProviderPageForm
    copy_form_class = ProviderCopyForm
    subpage_types = ["activities.ActivityPage"]
    parent_page_types = ["directory.ProviderIndexPage"]

    def clean(self):
        # Before Django's unique checks, so a clash is a ValidationError, not an IntegrityError.
        self.name_key = provider_name_key(self.title or "")
        super().clean()

    def save(self, *args, **kwargs):
        self.name_key = provider_name_key(self.title or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from activities.selectors import provider_timetable  # noqa: PLC0415 -- thin page method

        context = super().get_context(request, *args, **kwargs)
        context["timetable"] = provider_timetable(provider=self)
        return context


class VenueOwner(models.Model):
    """A provider that owns a shared venue: its editors may change the venue; other
    providers' editors may only propose changes (VenueProposal). See README "Shared venues"."""

    venue = models.ForeignKey("venues.Venue", on_delete=models.CASCADE, related_name="ownerships")
    provider = models.ForeignKey(
        ProviderPage, on_delete=models.CASCADE, related_name="venue_ownerships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["venue", "provider"], name="venue_owner_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} owns {self.venue}"


class VenueProposal(models.Model):
    """A change to a venue proposed by an editor who does not own it, until an owner's editor
    or a city admin approves (and so applies) or rejects it. ``values`` holds the proposed
    field values and ``features`` (code -> status, "" for not known)."""

    venue = models.ForeignKey("venues.Venue", on_delete=models.CASCADE, related_name="proposals")
    provider = models.ForeignKey(
        ProviderPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    values = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["status", "venue"])]

    def __str__(self) -> str:
        return f"Change to {self.venue} ({self.get_status_display()})"
