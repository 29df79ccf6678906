"""Admin screens for shared venues: the venue snippet narrowed to its owners, proposing a
change to a venue someone else owns, and the proposals an owner or city admin decides.
Registered in directory.wagtail_hooks; every permission question is asked of
directory.permissions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.views.chooser import SnippetChooserViewSet

from venues.accessibility import FEATURES, VENUE_CODES, FeatureStatus
from venues.models import Venue
from venues.viewsets import VenueViewSet

from . import permissions
from .enums import ProposalStatus
from .models import ProviderPage, VenueProposal
from .services import (
    VENUE_PROPOSAL_FIELDS,
    venue_owners_add,
    venue_owners_set,
    venue_proposal_create,
    venue_proposal_decide,
)

FEATURE_CODES = [code for code in FEATURES if code in VENUE_CODES]
NOT_KNOWN = "Not known"
STATUS_CHOICES = [("", NOT_KNOWN), *FeatureStatus.choices]
PROPOSALS_PAGE_SIZE = 25  # proposals to decide on one page of "Venue changes"
MINE_SHOWN = 50  # the newest of the user's own proposals


def owners_text(venue: Venue) -> str:
    names = [p.title for p in permissions.venue_owners(venue)]
    return ", ".join(names) if names else "the city admins (no organisation owns it yet)"


# --- the venue snippet, narrowed to owners ---------------------------------------------------


class OwnedVenueEditView(VenueViewSet.edit_view_class):
    """Only the venue's owners' editors and city admins reach the edit form; anyone else who
    works on listings is sent to propose the change instead (nothing they post is saved)."""

    def dispatch(self, request, *args, **kwargs):
        venue = get_object_or_404(Venue, pk=unquote(str(kwargs["pk"])))
        if not permissions.may_change_venue(request.user, venue):
            if not permissions.may_propose_venue_change(request.user, venue):
                raise PermissionDenied
            # The proposal page says whose it is (no flash message: Wagtail's "info" style
            # misses AA contrast).
            return redirect("venue_propose", venue.pk)
        return super().dispatch(request, *args, **kwargs)


class VenueCreationForm(forms.ModelForm):
    """ "Add a venue" inside the venue chooser: the few fields needed to meet there (the rest,
    and its accessibility, are on the venue's own page afterwards)."""

    class Meta:
        model = Venue
        fields = ["name", "address", "postcode", "phone"]

    def clean(self):
        cleaned = super().clean()
        # Venue.clean makes the slug from name and postcode; keep it unique here, where a
        # clash is a form matter rather than a database error.
        base = slugify(f"{cleaned.get('name', '')} {cleaned.get('postcode', '')}")[:200] or "venue"
        slug, number = base, 2
        while Venue.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        self.instance.slug = slug
        return cleaned


class OwnedVenueChooserCreateView(SnippetChooserViewSet.create_view_class):
    """A venue created from the chooser belongs to the creator's organisation(s), as one
    added from the Venues list does (README "Shared venues")."""

    @transaction.atomic
    def save_form(self, form):
        venue = form.save()
        venue_owners_add(venue=venue, providers=permissions.providers_of_user(self.request.user))
        return venue


class OwnedVenueChooserViewSet(SnippetChooserViewSet):
    creation_form_class = VenueCreationForm
    create_action_label = "Add a venue"
    creation_tab_label = "Add a venue"
    create_view_class = OwnedVenueChooserCreateView


class OwnedVenueViewSet(VenueViewSet):
    edit_view_class = OwnedVenueEditView
    chooser_viewset_class = OwnedVenueChooserViewSet


def venue_listing_buttons(venue: Venue, user) -> list[ListingButton]:
    """The listing's "Propose a change" for a venue the user may not change, and "Owners"
    for city admins."""
    offered = [
        ("Propose a change", "venue_propose", "edit", f"Propose a change to {venue.name}", 5)
        if permissions.may_propose_venue_change(user, venue)
        else None,
        ("Owners", "venue_owners", "group", f"Owners of {venue.name}", 50)
        if permissions.is_city_admin(user)
        else None,
    ]
    return [
        ListingButton(
            label,
            reverse(url_name, args=[venue.pk]),
            icon_name=icon,
            attrs={"aria-label": aria_label},
            priority=priority,
        )
        for label, url_name, icon, aria_label, priority in filter(None, offered)
    ]


class VenueOwnersForm(forms.Form):
    owners = forms.ModelMultipleChoiceField(
        label="Organisations that own this venue",
        queryset=ProviderPage.objects.order_by("title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their editors change the venue and decide others' proposed changes. "
        "With none ticked, only city admins change it.",
    )


@require_http_methods(["GET", "POST"])
def venue_owners(request, pk: int):
    """City admins choose a venue's owners."""
    venue = get_object_or_404(Venue, pk=pk)
    if not permissions.is_city_admin(request.user):
        raise PermissionDenied
    form = VenueOwnersForm(
        request.POST or None, initial={"owners": list(permissions.venue_owners(venue))}
    )
    if request.method == "POST" and form.is_valid():
        venue_owners_set(venue=venue, providers=list(form.cleaned_data["owners"]))
        messages.success(request, f"Saved the owners of “{venue.name}”.")
        return redirect("wagtailsnippets_venues_venue:list")
    return TemplateResponse(
        request,
        "directory/admin/venue_owners.html",
        {
            "page_title": f"Owners of {venue.name}",
            "header_title": f"Owners of {venue.name}",
            "header_icon": "group",
            "venue": venue,
            "form": form,
        },
    )


# --- proposing a change ------------------------------------------------------------------------


class VenueProposalForm(forms.ModelForm):
    """The venue's own fields (so its own validation applies) plus one status per feature."""

    note = forms.CharField(
        label="Why (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the ramp was replaced in May. The owners see this.",
    )

    class Meta:
        model = Venue
        fields = list(VENUE_PROPOSAL_FIELDS)

    access_guide_url = forms.URLField(
        label="Detailed access guide", required=False, assume_scheme="https"
    )

    def __init__(self, *args, venue: Venue, **kwargs):
        super().__init__(*args, instance=Venue(), initial=_initial(venue), **kwargs)
        self.venue = venue
        for code in FEATURE_CODES:
            self.fields[f"feature_{code}"] = forms.ChoiceField(
                label=FEATURES[code].label, choices=STATUS_CHOICES, required=False
            )

    def feature_fields(self):
        return [self[f"feature_{code}"] for code in FEATURE_CODES]

    def venue_fields(self):
        return [self[name] for name in VENUE_PROPOSAL_FIELDS]

    def _post_clean(self):
        # The venue's rules run in the service (on a copy of the venue), not on this instance.
        pass

    def proposal(self) -> tuple[dict, dict]:
        values = {name: self.cleaned_data[name] for name in VENUE_PROPOSAL_FIELDS}
        features = {code: self.cleaned_data[f"feature_{code}"] for code in FEATURE_CODES}
        return values, features


def _initial(venue: Venue) -> dict:
    initial = {name: getattr(venue, name) for name in VENUE_PROPOSAL_FIELDS}
    recorded = {f.code: f.status for f in venue.features.all()}
    initial.update({f"feature_{code}": recorded.get(code, "") for code in FEATURE_CODES})
    return initial


@require_http_methods(["GET", "POST"])
def venue_propose(request, pk: int):
    venue = get_object_or_404(Venue, pk=pk)
    if permissions.may_change_venue(request.user, venue):
        return redirect("wagtailsnippets_venues_venue:edit", venue.pk)
    if not permissions.may_propose_venue_change(request.user, venue):
        raise PermissionDenied
    form = VenueProposalForm(request.POST or None, venue=venue)
    if request.method == "POST" and form.is_valid():
        values, features = form.proposal()
        try:
            venue_proposal_create(
                venue=venue,
                user=request.user,
                values=values,
                features=features,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Your proposed change to “{venue.name}” was sent to {owners_text(venue)}.",
            )
            return redirect("venue_proposals")
    return TemplateResponse(
        request,
        "directory/admin/venue_propose.html",
        {
            "page_title": f"Propose a change to {venue.name}",
            "header_title": f"Propose a change to {venue.name}",
            "header_icon": "site",
            "venue": venue,
            "owners": owners_text(venue),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- deciding ----------------------------------------------------------------------------------


def proposal_changes(proposal: VenueProposal) -> list[tuple[str, str, str]]:
    """(what, now, proposed) for each value the proposal would change."""
    venue = proposal.venue
    changes = []
    for name in VENUE_PROPOSAL_FIELDS:
        if name not in proposal.values:
            continue
        now, proposed = getattr(venue, name), proposal.values[name]
        if (now if now is not None else "") != (proposed if proposed is not None else ""):
            label = Venue._meta.get_field(name).verbose_name
            changes.append((str(label).capitalize(), _shown(now), _shown(proposed)))
    recorded = {f.code: f.status for f in venue.features.all()}
    statuses = dict(FeatureStatus.choices)
    for code, status in proposal.values.get("features", {}).items():
        if code in FEATURES and recorded.get(code, "") != status:
            changes.append(
                (
                    FEATURES[code].label,
                    statuses.get(recorded.get(code, ""), NOT_KNOWN),
                    statuses.get(status, NOT_KNOWN),
                )
            )
    return changes


def _shown(value) -> str:
    return "–" if value in (None, "") else str(value)


@require_GET
def venue_proposal_list(request):
    if not permissions.works_on_listings(request.user):
        raise PermissionDenied
    decidable = (
        permissions.venue_proposals_decidable(request.user)
        .filter(status=ProposalStatus.PENDING)
        .select_related("venue", "provider", "proposed_by")
        .prefetch_related("venue__features")
        .order_by("-proposed_at", "-pk")
    )
    page = Paginator(decidable, PROPOSALS_PAGE_SIZE).get_page(request.GET.get("p"))
    mine = (
        VenueProposal.objects.filter(proposed_by=request.user)
        .select_related("venue", "decided_by")
        .order_by("-proposed_at", "-pk")[:MINE_SHOWN]
    )
    return TemplateResponse(
        request,
        "directory/admin/venue_proposals.html",
        {
            "page_title": "Venue changes",
            "header_title": "Proposed venue changes",
            "header_icon": "site",
            "page_obj": page,
            "to_decide": [(p, proposal_changes(p)) for p in page.object_list],
            "mine": mine,
        },
    )


@require_POST
def venue_proposal_decision(request, pk: int):
    proposal = get_object_or_404(VenueProposal.objects.select_related("venue"), pk=pk)
    if not permissions.may_decide_venue_proposal(request.user, proposal):
        raise PermissionDenied
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in {"approve", "reject"}:
        messages.error(request, "Choose approve or reject.")
        return redirect("venue_proposals")
    try:
        decided = venue_proposal_decide(proposal=proposal, user=request.user, approve=approve)
    except ValidationError as exc:
        messages.error(request, f"This change can no longer be applied: {' '.join(exc.messages)}")
        return redirect("venue_proposals")
    venue_url = AdminURLFinder(request.user).get_edit_url(proposal.venue) or ""
    messages.success(
        request,
        format_html(
            '{} the change to <a href="{}">{}</a>.',
            "Applied" if decided.status == ProposalStatus.APPROVED else "Rejected",
            venue_url,
            proposal.venue.name,
        ),
    )
    return redirect("venue_proposals")
