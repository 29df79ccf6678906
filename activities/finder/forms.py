"""The "Find a group for someone" form: plain-English questions, answered in the query string.

Nothing here is stored: the form only turns the query string into a `Situation`.
"""

from django import forms

from venues.accessibility import FEATURE_CHOICES, GROUPS

from ..enums import WEEKDAY_CODES, SingleSex, SupportLevel, TimeOfDay, Where
from ..filters import (
    DAY_CHOICES,
    RADIUS_CHOICES,
    BoundedFormModelMultipleChoiceField,
    BoundedFormMultipleChoiceField,
    PostcodeField,
)
from ..models import Category
from ..wording import ROUTE_QUESTIONS
from .rules import Situation
from .search import language_choices

DEFAULT_RADIUS = "3"
DEFAULTS = {
    "where": Where.EITHER.value,
    "radius": DEFAULT_RADIUS,
    "single_sex": SingleSex.ALL.value,
}
SUPPORT_CHOICES = [
    ("", "Not sure, or no preference"),
    (SupportLevel.PEER.value, "Light touch: happy in a peer-led group"),
    (SupportLevel.FACILITATED.value, "Some support: a group run by staff or trained volunteers"),
    (SupportLevel.STRUCTURED.value, "More support: a structured course with trained facilitators"),
    (SupportLevel.ONE_TO_ONE.value, "A lot of support: one-to-one help"),
]
CHECKBOXES = forms.CheckboxSelectMultiple
RADIOS = forms.RadioSelect

# Links made before the single-sex question was one question asked two: "Groups for"
# (groups_for: "", women, men) and "Women-only and men's groups" (single_sex: "", prefer, only,
# avoid). Their answers, as the one question now asks them. Anyone with no preference, once
# "only groups open to everyone" by default, now sees every group, each single-sex one marked.
OLD_SINGLE_SEX = {
    ("women", ""): SingleSex.WOMEN,
    ("women", "prefer"): SingleSex.WOMEN,
    ("women", "only"): SingleSex.WOMEN_ONLY,
    ("women", "avoid"): SingleSex.MIXED,
    ("men", ""): SingleSex.MEN,
    ("men", "prefer"): SingleSex.MEN,
    ("men", "only"): SingleSex.MEN_ONLY,
    ("men", "avoid"): SingleSex.MIXED,
    ("", "avoid"): SingleSex.MIXED,
}
OLD_SINGLE_SEX_VALUES = {"prefer", "only", "avoid"}


def new_single_sex(data) -> str | None:
    """The one question's answer for an old link's two answers, or None if it is not old."""
    groups_for = data.get("groups_for")
    single_sex = data.get("single_sex", "")
    if groups_for is None and single_sex not in OLD_SINGLE_SEX_VALUES:
        return None
    return OLD_SINGLE_SEX.get((groups_for or "", single_sex), SingleSex.ALL)


class FinderForm(forms.Form):
    # Where
    postcode = PostcodeField(
        label="Their postcode",
        required=False,
        max_length=20,
        help_text="Or just the first part, like L8. Not needed for online only.",
    )
    where = forms.ChoiceField(
        label="How would they like to take part?",
        choices=Where.choices,
        initial=Where.EITHER,
        required=False,
        widget=RADIOS,
    )
    radius = forms.ChoiceField(
        label="How far can they travel?",
        choices=RADIUS_CHOICES,
        initial=DEFAULT_RADIUS,
        required=False,
    )
    # When
    days = BoundedFormMultipleChoiceField(
        label="Days they can manage",
        choices=DAY_CHOICES,
        required=False,
        widget=CHECKBOXES,
    )
    times = BoundedFormMultipleChoiceField(
        label="Times of day they can manage",
        choices=TimeOfDay.choices,
        required=False,
        widget=CHECKBOXES,
    )
    # What
    interests = BoundedFormModelMultipleChoiceField(
        label="What are they interested in?",
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        widget=CHECKBOXES,
    )
    words = forms.CharField(
        label="Or in their own words",
        max_length=200,
        required=False,
        help_text="For example “walking”, “feeling low” or “gardening”.",
    )
    # About them
    age = forms.IntegerField(label="Their age", min_value=0, max_value=120, required=False)
    single_sex = forms.ChoiceField(
        label="Women-only and men's groups",
        choices=SingleSex.choices,
        initial=SingleSex.ALL,
        required=False,
        widget=RADIOS,
    )
    language = forms.ChoiceField(
        label="A language other than English they would like sessions in",
        required=False,
    )
    # Access
    access = BoundedFormMultipleChoiceField(
        label="Access needs", choices=FEATURE_CHOICES, required=False, widget=CHECKBOXES
    )
    # Joining
    free_only = forms.BooleanField(label="Free activities only", required=False)
    referral = BoundedFormMultipleChoiceField(
        label="How can they join?",
        choices=list(ROUTE_QUESTIONS.items()),
        required=False,
        widget=CHECKBOXES,
    )
    support = forms.ChoiceField(
        label="How much support do they need?",
        choices=SUPPORT_CHOICES,
        required=False,
        widget=RADIOS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:  # a hand-made or shortened link: show the defaults it gets
            data = self.data.copy()
            for name, value in DEFAULTS.items():
                if not data.get(name):
                    data[name] = value
            old = new_single_sex(data)
            if old is not None:
                data.pop("groups_for", None)
                data["single_sex"] = old
            self.data = data
        self.fields["language"].choices = [("", "English is fine")] + [
            (name, name) for name in language_choices()
        ]

    def clean(self):
        data = super().clean()
        online_only = data.get("where") == Where.ONLINE
        if not online_only and not data.get("postcode") and "postcode" not in self.errors:
            self.add_error(
                "postcode",
                "Enter their postcode (or the first part, like L8), or choose “Online only”.",
            )
        return data

    def access_groups(self) -> list[tuple[str, list[tuple[str, str, bool, str]]]]:
        """The access checkboxes in the vocabulary's groups: (value, label, checked, id)."""
        chosen = set(self["access"].value() or [])
        groups = []
        for g, (group, features) in enumerate(GROUPS):
            groups.append(
                (
                    group,
                    [
                        (f.code, f.label, f.code in chosen, f"id_access_{g}_{i}")
                        for i, f in enumerate(features)
                    ],
                )
            )
        return groups

    def error_links(self) -> list[tuple[str, str, str]]:
        """(element id, field label, message) for the error summary; choices link to the first."""
        links = []
        for name, errors in self.errors.items():
            bound = self[name]
            widget = bound.field.widget
            anchor = bound.auto_id
            if name == "access":
                anchor = "id_access_0_0"
            elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                anchor = f"{anchor}_0"
            for error in errors:
                links.append((anchor, bound.label, error))
        return links

    def situation(self) -> Situation:
        """The cleaned answers as a `Situation` (call after is_valid())."""
        d = self.cleaned_data
        return Situation(
            location=d.get("postcode"),
            where=d["where"],
            radius_miles=float(d["radius"]),
            days=frozenset(WEEKDAY_CODES.index(code) for code in d.get("days") or []),
            times=frozenset(d.get("times") or []),
            access=tuple(d.get("access") or []),
            interests=tuple(c.slug for c in d.get("interests") or []),
            words=d.get("words") or "",
            age=d.get("age"),
            single_sex=d.get("single_sex") or SingleSex.ALL,
            language=d.get("language") or "",
            free_only=bool(d.get("free_only")),
            referral=frozenset(d.get("referral") or []),
            support=d.get("support") or "",
        )
