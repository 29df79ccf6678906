"""Checking a timetable file against the database: the plan of what importing it would change.

``timetable_plan`` parses the rows (activities.imports.rows), then matches them to what is
stored: organisations, activities by provider + ref, venues, categories and audiences, the
activities ``part_of`` and ``next_steps`` name. It collects every problem (raising ImportFailed
listing them all) and the warnings, and says what each row would do (ImportResult). It reads
the database and writes nothing; activities.imports.write applies the plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils.text import slugify
from wagtail.models import Page

from directory.models import ProviderIndexPage, ProviderPage
from directory.names import provider_name_key
from directory.services import provider_find

from .. import recurrence
from ..enums import ActivityKind
from ..models import ActivityFeature, ActivityPage, Cancellation, Schedule
from .columns import ImportFailed, Problem
from .rows import ParsedFile, ParsedRow, Progress, parse_rows
from .shared_data import TaxonomyPlan, VenuePlan, feature_changes, taxonomy_plan, venues_plan
from .slots import SlotChanges, slots_plan

ActivityKey = tuple[str, str]  # (provider key, ref)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    venues_created: int = 0
    providers_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Spreadsheet row number -> "new", "update" or "unchanged" (for the admin preview).
    row_actions: dict[int, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        text = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.venues_created} venue{'' if self.venues_created == 1 else 's'} created"
        )
        if self.providers_created:
            text += f", organisations created: {', '.join(self.providers_created)}"
        return text


@dataclass
class ProviderPlan:
    title: str
    page: ProviderPage | None  # None until created (timetable_write)
    # Fixed when planning, so plan keys stay valid after a new provider is created.
    key: str = ""

    def __post_init__(self) -> None:
        self.key = f"p{self.page.pk}" if self.page else f"new:{self.title.casefold()}"

    @property
    def slug(self) -> str:
        return self.page.slug if self.page else slugify(self.title)[:255]


@dataclass
class ActivityPlan:
    provider: ProviderPlan
    ref: str
    row: ParsedRow | None  # the activity's own row; None when only part_of rows name it
    existing: ActivityPage | None
    page: ActivityPage | None = None
    part_rows: list[ParsedRow] = field(default_factory=list)
    venue: VenuePlan | None = None
    action: str = "unchanged"
    changed_fields: set[str] = field(default_factory=set)
    categories: set[str] | None = None  # slugs
    audiences: set[str] | None = None
    next_steps: set[ActivityKey] | None = None
    # Relation writes.
    slots: SlotChanges = field(default_factory=SlotChanges)
    feature_creates: list[ActivityFeature] = field(default_factory=list)
    feature_updates: list[ActivityFeature] = field(default_factory=list)
    feature_deletes: list[int] = field(default_factory=list)
    relation_changes: set[str] = field(default_factory=set)

    @property
    def key(self) -> ActivityKey:
        return (self.provider.key, self.ref)


@dataclass
class ImportPlan:
    """Everything timetable_write needs: what to create and change, keyed as planned."""

    providers: list[ProviderPlan]
    activities: dict[ActivityKey, ActivityPlan]
    venues: dict[tuple[str, str], VenuePlan]
    taxonomy: TaxonomyPlan
    # Stored activities a next step may point to (the providers' own, and others' named).
    stored: dict[ActivityKey, ActivityPage]
    result: ImportResult


def _index_slugs() -> dict[str, str]:
    """Slug -> title of every page under the organisations index (a new one needs its own)."""
    index = ProviderIndexPage.objects.first()
    if index is None:
        return {}
    return dict(Page.objects.child_of(index).values_list("slug", "title"))


def timetable_plan(
    *,
    rows: list[dict[str, str]],
    only_provider: ProviderPage | None,
    create_providers: bool,
    today: date,
    progress: Progress | None = None,
    create_taxonomy: bool = True,
    venues_owner: ProviderPage | None = None,
) -> ImportPlan:
    """Check every row against the database; raises ImportFailed listing every problem.

    ``only_provider`` restricts the file to that organisation; ``create_providers`` plans
    organisations the directory does not know (else each is a problem); ``create_taxonomy``
    plans topics and audiences it does not know (else each is a problem, listing the known).
    ``venues_owner``: only the venues this organisation owns may change (None: any venue).
    """
    planner = _Planner(
        only_provider=only_provider,
        create_providers=create_providers,
        create_taxonomy=create_taxonomy,
        today=today,
    )
    planner.venues_owner = venues_owner
    return planner.plan(rows, progress)


class _Planner:
    def __init__(self, *, only_provider, create_providers, create_taxonomy, today):
        self.only_provider = only_provider
        self.create_providers = create_providers
        self.create_taxonomy = create_taxonomy
        self.today = today
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.providers: dict[str, ProviderPlan] = {}  # casefolded name -> provider
        self.row_provider: dict[int, ProviderPlan] = {}
        self.plans: dict[ActivityKey, ActivityPlan] = {}
        self.existing: dict[ActivityKey, ActivityPage] = {}
        self.outside_activities: dict[ActivityKey, ActivityPage] = {}
        self.invalid_refs: set[ActivityKey] = set()
        self.venues_owner: ProviderPage | None = None  # see timetable_plan

    def plan(self, rows: list[dict[str, str]], progress: Progress | None) -> ImportPlan:
        parsed = parse_rows(rows, progress=progress)
        self.parsed: ParsedFile = parsed
        self.problems += parsed.problems
        self.warnings += parsed.warnings
        if not parsed.rows:
            raise ImportFailed([Problem(0, "", "There are no activities in this file.")])
        self._resolve_providers()
        main_rows, part_rows = self._index_refs()
        self._load_existing()
        self.venues = venues_plan(
            main_rows, problems=self.problems, warnings=self.warnings, owner=self.venues_owner
        )
        self.taxonomy = taxonomy_plan(
            main_rows,
            problems=self.problems,
            warnings=self.warnings,
            may_create=self.create_taxonomy,
        )
        for row in main_rows:
            provider = self.row_provider[row.number]
            key = (provider.key, row.ref)
            self.plans[key] = ActivityPlan(
                provider=provider, ref=row.ref, row=row, existing=self.existing.get(key)
            )
        self._attach_part_rows(part_rows)
        self._resolve_next_steps()
        for plan in self.plans.values():
            self._plan_activity(plan)
        if self.problems:
            raise ImportFailed(self.problems)
        return ImportPlan(
            providers=list({id(p): p for p in self.providers.values()}.values()),
            activities=self.plans,
            venues=self.venues,
            taxonomy=self.taxonomy,
            stored={**self.outside_activities, **self.existing},
            result=self._result(),
        )

    def _fail(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def _resolve_providers(self) -> None:
        names: dict[str, str] = {}
        for row in self.parsed.rows:
            if row.provider:
                names.setdefault(provider_name_key(row.provider), row.provider)
        found: dict[str, ProviderPlan] = {}
        by_page: dict[int, ProviderPlan] = {}
        refused: dict[str, str] = {}  # casefolded name -> why it cannot be created
        taken: dict[str, str] | None = None  # slug -> title, of the organisations index
        for folded, text in names.items():
            page = provider_find(name_or_slug=text)
            if self.only_provider is not None and (
                page is None or page.pk != self.only_provider.pk
            ):
                continue
            if page is not None:
                found[folded] = by_page.setdefault(page.pk, ProviderPlan(page.title, page))
            elif self.create_providers:
                if taken is None:
                    taken = _index_slugs()
                planned = ProviderPlan(title=text, page=None)
                if not planned.slug:
                    refused[folded] = "an organisation's name needs at least one letter or number."
                elif planned.slug in taken:
                    refused[folded] = (
                        f"a new organisation “{text}” would have the web address "
                        f"“{planned.slug}”, which “{taken[planned.slug]}” already has. Use "
                        "that organisation's exact name, or another name."
                    )
                else:
                    taken[planned.slug] = text
                    found[folded] = planned
        self.providers = found
        for row in self.parsed.rows:
            if not row.provider:
                continue
            provider = found.get(provider_name_key(row.provider))
            if provider_name_key(row.provider) in refused:
                self._fail(row.number, "provider", refused.pop(provider_name_key(row.provider)))
            elif provider is None and self.create_providers:
                continue  # its first row says why it cannot be created
            elif provider is not None:
                self.row_provider[row.number] = provider
            elif self.only_provider is not None:
                self._fail(
                    row.number,
                    "provider",
                    f"this file has rows for “{row.provider}”; you can only import your own "
                    f"organisation's timetable (“{self.only_provider.title}”).",
                )
            else:
                self._fail(
                    row.number,
                    "provider",
                    f"We do not know the organisation “{row.provider}”. Check it is spelt as "
                    "in the directory, or ask a city admin to add it.",
                )

    def _index_refs(self) -> tuple[list[ParsedRow], list[ParsedRow]]:
        seen: dict[ActivityKey, int] = {}
        main_rows, part_rows = [], []
        for row in self.parsed.rows:
            provider = self.row_provider.get(row.number)
            if provider is None or not row.ref:
                continue
            key = (provider.key, row.ref)
            if key in seen:
                self._fail(
                    row.number,
                    "ref",
                    f"The ref “{row.ref}” is also on row {seen[key]}: each row needs its own "
                    "ref within an organisation.",
                )
                continue
            seen[key] = row.number
            if not row.valid:
                self.invalid_refs.add(key)
                continue
            (part_rows if row.part_of else main_rows).append(row)
        return main_rows, part_rows

    def _load_existing(self) -> None:
        pages = {p.page.pk: p for p in self.providers.values() if p.page is not None}
        if not pages:
            return
        activities = (
            ActivityPage.objects.filter(provider_id__in=pages)
            .select_related("venue")
            .prefetch_related(
                Prefetch("schedules", queryset=Schedule.objects.order_by("sort_order", "pk")),
                Prefetch("cancellations", queryset=Cancellation.objects.order_by("date")),
                Prefetch("features", queryset=ActivityFeature.objects.order_by("sort_order", "pk")),
            )
        )
        by_pk: dict[int, ActivityPage] = {}
        for activity in activities:
            self.existing[(pages[activity.provider_id].key, activity.ref)] = activity
            by_pk[activity.pk] = activity
            activity.category_slugs = set()
            activity.audience_slugs = set()
            activity.next_step_keys = set()
        for model, attribute, column in (
            (ActivityPage.categories.through, "category_slugs", "category__slug"),
            (ActivityPage.audiences.through, "audience_slugs", "audience__slug"),
        ):
            for activity_id, slug in model.objects.filter(activitypage_id__in=by_pk).values_list(
                "activitypage_id", column
            ):
                getattr(by_pk[activity_id], attribute).add(slug)
        steps = ActivityPage.next_steps.through.objects.filter(from_activitypage_id__in=by_pk)
        for activity_id, provider_id, ref in steps.values_list(
            "from_activitypage_id", "to_activitypage__provider_id", "to_activitypage__ref"
        ):
            by_pk[activity_id].next_step_keys.add((f"p{provider_id}", ref))

    # ------------------------------------------------------------------ part_of, next steps

    def _attach_part_rows(self, rows: list[ParsedRow]) -> None:
        part_refs = {(self.row_provider[r.number].key, r.ref): r.number for r in rows}
        for row in rows:
            provider = self.row_provider[row.number]
            key = (provider.key, row.part_of)
            if row.part_of == row.ref:
                self._fail(row.number, "part_of", "A row cannot be a time slot of itself.")
                continue
            if key in self.invalid_refs:
                continue  # the activity's own row is wrong, and says so
            if key in part_refs:
                self._fail(
                    row.number,
                    "part_of",
                    f"“{row.part_of}” is itself an extra time slot (row {part_refs[key]}): "
                    "give the ref of the activity's own row.",
                )
                continue
            plan = self.plans.get(key)
            if plan is None and key in self.existing:
                plan = self.plans[key] = ActivityPlan(
                    provider=provider, ref=row.part_of, row=None, existing=self.existing[key]
                )
            if plan is None:
                self._fail(
                    row.number,
                    "part_of",
                    f"There is no activity with the ref “{row.part_of}” for {provider.title}, "
                    "in this file or in the directory.",
                )
                continue
            plan.part_rows.append(row)

    def _resolve_next_steps(self) -> None:
        if not self.parsed.has("next_steps"):
            return
        slugs = {p.slug: p for p in self.providers.values()}
        for slug, pk, title in ProviderPage.objects.values_list("slug", "pk", "title"):
            if slug not in slugs:
                slugs[slug] = ProviderPlan(title=title, page=ProviderPage(pk=pk, slug=slug))
        in_file = {p.key for p in self.providers.values()}
        wanted: list[tuple[ActivityPlan, list[tuple[ProviderPlan, str]]]] = []
        outside: dict[int, set[str]] = defaultdict(set)
        for plan in self.plans.values():
            if plan.row is None or plan.row.next_steps is None:
                continue
            targets = []
            for entry in plan.row.next_steps:
                prefix, colon, rest = entry.partition(":")
                provider = slugs.get(prefix) if colon else None
                target = (provider, rest.strip()) if provider else (plan.provider, entry)
                targets.append(target)
                if target[0].key not in in_file:
                    outside[target[0].page.pk].add(target[1])
            wanted.append((plan, targets))
        for provider_pk, refs in outside.items():
            for activity in ActivityPage.objects.filter(provider_id=provider_pk, ref__in=refs):
                self.outside_activities[(f"p{provider_pk}", activity.ref)] = activity
        for plan, targets in wanted:
            keys = set()
            for provider, ref in targets:
                key = (provider.key, ref)
                if key == plan.key:
                    self._fail(
                        plan.row.number, "next_steps", "An activity cannot be its own next step."
                    )
                elif key in self.plans or key in self.existing or key in self.outside_activities:
                    keys.add(key)
                else:
                    self._fail(
                        plan.row.number,
                        "next_steps",
                        f"There is no activity with the ref “{ref}” for {provider.title}, "
                        "in this file or in the directory.",
                    )
            plan.next_steps = keys

    # ------------------------------------------------------------------ one activity

    def _plan_activity(self, plan: ActivityPlan) -> None:
        row, existing = plan.row, plan.existing
        if row is None:
            plan.page = existing
        else:
            self._plan_page(plan)
            self._check_activity(plan)
        plan.slots = slots_plan(
            ref=plan.ref,
            row=row,
            part_rows=plan.part_rows,
            existing=existing,
            reasons_given=self.parsed.has("cancelled_reasons"),
        )
        if plan.slots:
            plan.relation_changes.add("schedules")
        if row is not None:
            self._plan_features(plan)
            self._plan_links(plan)
            self._warn_if_republished(plan)
        if existing is None:
            plan.action = "new"
        elif plan.changed_fields or plan.relation_changes:
            plan.action = "update"
        self._warn_if_over(plan)

    def _plan_page(self, plan: ActivityPlan) -> None:
        """The page with the row's values, noting which fields (and the venue) change."""
        row, existing = plan.row, plan.existing
        page = existing or ActivityPage(
            ref=row.ref, slug="", kind=ActivityKind.GROUP, description=""
        )
        plan.page = page
        for name, value in row.fields.items():
            if getattr(page, name) != value:
                setattr(page, name, value)
                plan.changed_fields.add(name)
        plan.venue = self.venues.get(row.venue.key) if row.venue else None
        venue_existing = plan.venue.existing if plan.venue else None
        if existing is None or (
            (venue_existing.pk if venue_existing else None) != existing.venue_id
            or (plan.venue is not None and venue_existing is None)
        ):
            plan.changed_fields.add("venue")

    def _check_activity(self, plan: ActivityPlan) -> None:
        """Rules that depend on values the file may leave to the database."""
        page, row = plan.page, plan.row
        ages = (page.age_min, page.age_max)
        # When both ages are in the row the parser compared them; here one comes from the DB.
        if None not in ages and ages[0] > ages[1] and not {"age_min", "age_max"} <= set(row.fields):
            self._fail(
                row.number,
                "age_max" if "age_max" in row.fields else "age_min",
                f"The ages would run from {ages[0]} to {ages[1]}: the oldest must not be lower "
                "than the youngest.",
            )
        has_venue = plan.venue is not None
        if not has_venue and not page.online and page.kind != ActivityKind.SERVICE:
            self._fail(
                row.number,
                "venue_name",
                "Give where it meets (venue_name, address and postcode), or set online to yes.",
            )
        if page.online and not page.meeting_link and not page.booking_url:
            # The layout makes booking_url optional: many groups send the link after a call.
            # The page says "Ask <provider> for the joining link" with the contact details.
            self.warnings.append(
                f"Row {row.number}: an online activity with no meeting link or booking_url; "
                "its page will ask people to contact you for the joining link."
            )

    def _plan_features(self, plan: ActivityPlan) -> None:
        wanted = plan.row.activity_features
        if wanted is None:
            return
        stored = {f.code: f for f in plan.existing.features.all()} if plan.existing else {}
        plan.feature_creates, plan.feature_updates = feature_changes(
            ActivityFeature, wanted, stored
        )
        plan.feature_deletes = [f.pk for code, f in stored.items() if code not in wanted]
        if plan.feature_creates or plan.feature_updates or plan.feature_deletes:
            plan.relation_changes.add("features")

    def _plan_links(self, plan: ActivityPlan) -> None:
        """Categories, audiences and next steps: replaced when the file gives them."""
        row, existing = plan.row, plan.existing
        for attribute, wanted, stored in (
            ("categories", row.categories, "category_slugs"),
            ("audiences", row.audiences, "audience_slugs"),
        ):
            if wanted is None:
                continue
            setattr(plan, attribute, set(wanted))
            if existing is None or set(wanted) != getattr(existing, stored):
                plan.relation_changes.add(attribute)
        if plan.next_steps is not None and (
            existing is None or plan.next_steps != existing.next_step_keys
        ):
            plan.relation_changes.add("next_steps")

    def _warn_if_republished(self, plan: ActivityPlan) -> None:
        existing, number = plan.existing, plan.row.number
        if existing is None:
            return
        if not existing.live:
            plan.changed_fields.add("live")
            self.warnings.append(
                f"Row {number}: “{existing.title}” was unpublished; the import publishes it again."
            )
        if existing.has_unpublished_changes:
            plan.changed_fields.add("has_unpublished_changes")
            self.warnings.append(
                f"Row {number}: “{existing.title}” had unpublished changes in the "
                "editor; the import replaced them with the spreadsheet's values."
            )

    def _warn_if_over(self, plan: ActivityPlan) -> None:
        if plan.row is None or plan.row.slot is None:
            return
        ends = [recurrence.series_end(plan.row.slot)] + [
            recurrence.series_end(r.slot) for r in plan.part_rows
        ]
        if all(end is not None and end < self.today for end in ends):
            self.warnings.append(
                f"Row {plan.row.number}: “{plan.page.title}” has no sessions after "
                f"{max(ends).isoformat()}, so it will not be listed."
            )

    def _result(self) -> ImportResult:
        result = ImportResult(warnings=self.warnings)
        for plan in self.plans.values():
            if plan.action == "new":
                result.created += 1
            elif plan.action == "update":
                result.updated += 1
            else:
                result.unchanged += 1
            numbers = ([plan.row.number] if plan.row else []) + [r.number for r in plan.part_rows]
            for number in numbers:
                result.row_actions[number] = plan.action
        result.venues_created = sum(1 for v in self.venues.values() if v.existing is None)
        result.providers_created = [p.title for p in self.providers.values() if p.page is None]
        result.row_actions = dict(sorted(result.row_actions.items()))
        return result
