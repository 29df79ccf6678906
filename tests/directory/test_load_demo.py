"""`manage.py load_demo`: the Liverpool demo loads, stays current, and every page renders."""

import csv
import datetime as dt
import io
from itertools import combinations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils.html import escape
from geopy.distance import geodesic

from activities import recurrence
from activities.models import ActivityPage, Audience, Cancellation, Schedule
from activities.selectors import activity_list_current
from directory.demo.dates import (
    REFERENCE_DATE,
    month_shift,
    shift_monthly,
    shift_rows,
    week_shift,
)
from directory.demo.services import TIMETABLE_FILE, demo_providers_spec
from directory.models import ProviderPage
from tests.support.dates import monday_of
from venues.models import Venue

PASSWORD = "demo-Passw0rd-for-tests"
# The day the command loads the demo on here (it takes --today); not in the reference week, so
# the dates really move. The browser tests load it on the site's real today.
DEMO_DAY = dt.date(2027, 2, 14)
# Days the demo may be loaded on: the reference week, next week, a leap day, years later.
LOAD_DAYS = [
    REFERENCE_DATE,
    dt.date(2026, 11, 29),
    dt.date(2026, 11, 30),
    dt.date(2027, 2, 14),
    dt.date(2027, 11, 25),
    dt.date(2028, 2, 29),
    dt.date(2031, 6, 20),
    dt.date(2026, 1, 5),
]


def _csv_rows() -> list[dict[str, str]]:
    with TIMETABLE_FILE.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _rule(row: dict[str, str]) -> recurrence.Rule:
    return recurrence.Rule(
        frequency=row["frequency"],
        first_date=dt.date.fromisoformat(row["first_date"]),
        start_time=dt.time.fromisoformat(row["start_time"]),
        end_time=dt.time.fromisoformat(row["end_time"]),
        sessions=int(row["sessions"]) if row["sessions"] else None,
        last_date=dt.date.fromisoformat(row["last_date"]) if row["last_date"] else None,
    )


def _cancelled(row: dict[str, str]) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in row["cancelled_dates"].split(";") if d]


def _slot_rows(rows):
    return [row for row in rows if row["first_date"]]


# --------------------------------------------------------------------------- date shifting


def test_week_shift_is_zero_throughout_the_reference_week():
    week = [REFERENCE_DATE + dt.timedelta(days=n) for n in range(-2, 5)]

    shifts = [week_shift(today=day) for day in week]

    assert shifts == [0] * 7
    assert week_shift(today=dt.date(2026, 11, 30)) == 1
    assert week_shift(today=dt.date(2027, 11, 25)) == 52


def test_month_shift_counts_calendar_months():
    assert month_shift(today=dt.date(2026, 11, 1)) == 0
    assert month_shift(today=dt.date(2027, 1, 31)) == 2
    assert month_shift(today=dt.date(2026, 10, 31)) == -1


def test_shift_monthly_keeps_the_nth_weekday():
    first_wednesday = dt.date(2025, 10, 1)
    last_friday = dt.date(2026, 1, 30)  # the fifth Friday, which recurrence reads as "last"

    moved_wednesday = shift_monthly(first_wednesday, months=14, weekday=2, week=1)
    moved_friday = shift_monthly(last_friday, months=1, weekday=4, week=-1)

    assert moved_wednesday == dt.date(2026, 12, 2)
    assert moved_friday == dt.date(2026, 2, 27)


def test_shift_rows_in_the_reference_week_changes_nothing():
    rows = _csv_rows()

    shifted = shift_rows(rows, today=REFERENCE_DATE + dt.timedelta(days=3))

    assert shifted == rows


def test_shift_rows_does_not_modify_its_input():
    rows = _csv_rows()
    before = [dict(row) for row in rows]

    shift_rows(rows, today=dt.date(2028, 2, 29))

    assert rows == before


@pytest.mark.parametrize("today", LOAD_DAYS, ids=str)
def test_shift_rows_keeps_weekdays_and_monthly_positions(today):
    rows = _slot_rows(_csv_rows())

    shifted = shift_rows(rows, today=today)

    for old, new in zip(rows, shifted, strict=True):
        old_first = dt.date.fromisoformat(old["first_date"])
        new_first = dt.date.fromisoformat(new["first_date"])
        assert new_first.weekday() == old_first.weekday(), old["ref"]
        if old["frequency"] == "monthly":
            assert recurrence.monthly_week(new_first) == recurrence.monthly_week(old_first)
        else:
            assert (new_first - old_first) == dt.timedelta(weeks=week_shift(today=today))
        for day in _cancelled(new):
            assert day.weekday() == old_first.weekday(), (old["ref"], day)


@pytest.mark.parametrize("today", LOAD_DAYS, ids=str)
def test_shift_rows_keeps_cancellations_on_session_days_with_their_reasons(today):
    rows = [row for row in _slot_rows(_csv_rows()) if row["cancelled_dates"]]

    shifted = shift_rows(rows, today=today)

    assert len(shifted) >= 10
    for old, new in zip(rows, shifted, strict=True):
        rule = _rule(new)
        for day in _cancelled(new):
            assert recurrence.occurrences(rule, start=day, end=day), (new["ref"], day)
        old_reasons = [item.partition("=")[2] for item in old["cancelled_reasons"].split(";")]
        new_reasons = [item.partition("=")[2] for item in new["cancelled_reasons"].split(";")]
        new_reason_days = [item.partition("=")[0] for item in new["cancelled_reasons"].split(";")]
        assert new_reasons == old_reasons
        assert new_reason_days == [day.isoformat() for day in _cancelled(new)]


@pytest.mark.parametrize("today", LOAD_DAYS, ids=str)
def test_shift_rows_keeps_every_schedule_as_current_as_on_the_reference_day(today):
    rows = _slot_rows(_csv_rows())

    shifted = shift_rows(rows, today=today)

    for old, new in zip(rows, shifted, strict=True):
        old_next = recurrence.next_occurrence(_rule(old), after=monday_of(REFERENCE_DATE))
        new_next = recurrence.next_occurrence(_rule(new), after=monday_of(today))
        assert new_next is not None, new["ref"]
        assert recurrence.next_occurrence(_rule(new), after=today) is not None, new["ref"]
        if old["frequency"] == "monthly":
            # Open-ended monthly groups: the next one is never more than five weeks away.
            assert (new_next.date - today).days <= 35, new["ref"]
        else:
            assert (new_next.date - monday_of(today)) == (
                old_next.date - monday_of(REFERENCE_DATE)
            ), new["ref"]


def test_demo_csv_has_nothing_ending_within_a_week_of_the_reference_date():
    rows = _slot_rows(_csv_rows())

    ends = [(row["ref"], recurrence.series_end(_rule(row))) for row in rows]

    too_soon = [
        (ref, end)
        for ref, end in ends
        if end is not None and end <= REFERENCE_DATE + dt.timedelta(days=7)
    ]
    assert too_soon == []


# --------------------------------------------------------------------------- the command


def _load(**options) -> str:
    options.setdefault("today", DEMO_DAY)
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for a class of tests, and roll it back after them.

    Each test still runs in its own transaction inside this one, so a test that changes the
    demo (reset, say) does not affect the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        output = _load(password=PASSWORD)
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db) -> str:
    return demo_output


def _demo_activities():
    slugs = [entry["slug"] for entry in demo_providers_spec()]
    return ActivityPage.objects.filter(provider__slug__in=slugs)


def _overlaps(a: Schedule, b: Schedule) -> bool:
    return a.start_time < b.end_time and b.start_time < a.end_time


def _clashes() -> set[frozenset[str]]:
    """Pairs of refs: same venue, same weekday, overlapping times, different providers."""
    schedules = list(
        Schedule.objects.filter(activity__in=_demo_activities(), activity__venue__isnull=False)
        .select_related("activity")
        .order_by("pk")
    )
    pairs = set()
    for a, b in combinations(schedules, 2):
        if (
            a.activity.venue_id == b.activity.venue_id
            and a.weekday == b.weekday
            and a.activity.provider_id != b.activity.provider_id
            and _overlaps(a, b)
        ):
            pairs.add(frozenset({a.activity.ref, b.activity.ref}))
    return pairs


def test_load_demo_refuses_when_debug_is_off(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", password=PASSWORD, today=DEMO_DAY, stdout=io.StringIO())

    assert ProviderPage.objects.count() == 0


def test_load_demo_runs_with_force_when_debug_is_off(db):
    with override_settings(DEBUG=False):
        call_command(
            "load_demo", password=PASSWORD, force=True, today=DEMO_DAY, stdout=io.StringIO()
        )

    assert ProviderPage.objects.count() == 6


def test_load_demo_random_passwords_differ_per_login(db):
    output = _load()

    rows = [line.split() for line in output.splitlines() if line.startswith(("admin ", "pss-"))]
    passwords = {parts[1] for parts in rows}
    assert len(rows) == 2
    assert len(passwords) == 2
    assert get_user_model().objects.get(username="pss-editor").check_password(rows[1][1])


class TestLoadedDemo:
    """Read-mostly checks of one load of the demo (on DEMO_DAY)."""

    def test_load_demo_creates_the_six_providers(self, demo):
        titles = sorted(ProviderPage.objects.live().values_list("title", flat=True))

        assert titles == [
            "Imagine Independence",
            "Liverpool Roots Trust",
            "Mary Seacole House",
            "Mersey Care Life Rooms",
            "Person Shaped Support (PSS)",
            "Waythrough",
        ]
        assert ProviderPage.objects.get(slug="waythrough").contact_phone == "0151 496 0606"

    def test_load_demo_gives_each_provider_an_editor_in_its_group(self, demo):
        User = get_user_model()

        for entry in demo_providers_spec():
            provider = ProviderPage.objects.get(slug=entry["slug"])
            editor = User.objects.get(username=entry["editor"]["username"])
            assert list(editor.groups.all()) == [provider.editors_group]
            assert editor.check_password(PASSWORD)
            assert not editor.is_superuser

    def test_load_demo_records_languages_other_than_english(self, demo):
        languages = dict(_demo_activities().exclude(languages="").values_list("ref", "languages"))

        assert languages == {
            "PSS-ARABIC": "Arabic",
            "MSH-SOMALI": "Somali",
            "MSH-ARABIC": "Arabic",
            "MSH-CHINESE": "Cantonese, Mandarin",
        }

    def test_load_demo_creates_a_superuser_admin(self, demo):
        admin = get_user_model().objects.get(username="admin")

        assert admin.is_superuser
        assert admin.check_password(PASSWORD)

    def test_load_demo_prints_the_logins_with_a_demo_only_warning(self, demo):
        lines = demo.splitlines()

        assert "DEMO ONLY" in demo
        assert "Sign in at http://testserver/admin/" in lines
        login_lines = [line.split() for line in lines if PASSWORD in line]
        assert [parts[0] for parts in login_lines] == ["admin"] + [
            entry["editor"]["username"] for entry in demo_providers_spec()
        ]
        assert "Person Shaped Support (PSS): its page and activities" in demo

    def test_load_demo_fills_the_timetable(self, demo):
        activities = _demo_activities()

        assert activities.live().count() >= 40
        assert activities.count() == 65
        assert activities.filter(kind="course", schedules__sessions__gt=1).distinct().count() >= 5
        assert activities.filter(engagement_limit_weeks=26).count() >= 10
        assert Cancellation.objects.filter(activity__in=activities).exclude(reason="").count() >= 40
        online = activities.filter(online=True)
        assert online.count() >= 6
        assert online.exclude(meeting_link="").count() >= 4

    def test_load_demo_every_activity_is_current(self, demo):
        current = activity_list_current(today=DEMO_DAY).filter(pk__in=_demo_activities())

        assert current.count() == _demo_activities().count()

    def test_load_demo_records_audiences_and_languages(self, demo):
        arabic = Audience.objects.get(name="Arabic speakers")
        women = Audience.objects.get(name="women")

        assert sorted(a.ref for a in arabic.activities.all()) == ["MSH-ARABIC", "PSS-ARABIC"]
        assert women.restriction == Audience.Restriction.WOMEN
        assert sorted(a.ref for a in women.activities.all()) == [
            "IM-WOMEN",
            "MSH-SOMALI",
            "MSH-WOMEN",
        ]
        assert Audience.objects.get(name="Somali speakers").activities.count() == 1
        assert Audience.objects.get(name="Chinese speakers").activities.count() == 1
        assert Audience.objects.get(name="18-25").activities.count() == 2

    def test_load_demo_links_courses_to_what_comes_next(self, demo):
        course = _demo_activities().get(ref="PSS-OAD")
        food = _demo_activities().get(ref="PSS-FAM")

        assert [a.title for a in course.next_steps.all()] == ["Keeping Well Peer Support Group"]
        assert [a.title for a in food.next_steps.all()] == ["Cook and Eat Together"]
        keeping_well = course.next_steps.get()
        assert keeping_well.schedules.get().frequency == "fortnightly"

    def test_load_demo_course_has_a_second_cohort(self, demo):
        course = _demo_activities().get(ref="PSS-OAD")

        slots = list(course.schedules.order_by("first_date"))

        assert [(s.sessions, s.weekday) for s in slots] == [(6, 1), (6, 1)]

    def test_load_demo_venues_all_have_coordinates(self, demo):
        venues = Venue.objects.filter(activities__in=_demo_activities()).distinct()

        assert venues.count() == 19
        assert list(venues.filter(latitude__isnull=True)) == []
        assert list(venues.filter(longitude__isnull=True)) == []

    def test_load_demo_leaves_some_venue_access_unknown(self, demo):
        venues = Venue.objects.filter(activities__in=_demo_activities()).distinct()

        unknown = sorted(v.name for v in venues if not v.features.exists())

        assert unknown == [
            "Garston Community Hub",
            "Lark Lane Community Centre",
            "Speke Community Centre",
            "Walton Hall Park (cafe entrance)",
        ]

    def test_load_demo_plants_the_belle_vale_anxiety_course_clash(self, demo):
        pss = _demo_activities().get(ref="PSS-OAD")
        life_rooms = _demo_activities().get(ref="LR-UALM")

        clashes = _clashes()

        assert frozenset({"PSS-OAD", "LR-UALM"}) in clashes
        assert pss.venue == life_rooms.venue
        assert pss.venue.name == "The Millennium Centre"

    def test_load_demo_plants_a_women_and_men_hard_negative(self, demo):
        women = _demo_activities().get(ref="MSH-WOMEN")
        men = _demo_activities().get(ref="MSH-MEN")

        restrictions = {a.restriction for a in women.audiences.all()} | {
            a.restriction for a in men.audiences.all()
        }

        assert women.venue == men.venue
        assert _overlaps(women.schedules.get(), men.schedules.get())
        assert women.schedules.get().weekday == men.schedules.get().weekday
        assert restrictions == {Audience.Restriction.WOMEN, Audience.Restriction.MEN}

    def test_load_demo_plants_nearby_knitting_and_walking_duplicates(self, demo):
        refs = ("RT-KNIT", "IM-KNIT", "PSS-WALK", "IM-WALK")
        knit_a, knit_b, walk_a, walk_b = (_demo_activities().get(ref=ref) for ref in refs)

        assert geodesic(knit_a.venue.coordinates, knit_b.venue.coordinates).km < 1
        assert geodesic(walk_a.venue.coordinates, walk_b.venue.coordinates).km < 1
        assert knit_a.schedules.get().weekday != knit_b.schedules.get().weekday
        assert knit_a.provider != knit_b.provider
        assert walk_a.provider != walk_b.provider

    def test_every_demo_page_renders_its_title(self, demo, client):
        pages = [(p.url, p.title) for p in ProviderPage.objects.live()]
        pages += [(a.url, a.title) for a in _demo_activities().live()]
        pages += [
            (v.get_absolute_url(), v.name)
            for v in Venue.objects.filter(activities__in=_demo_activities()).distinct()
        ]

        failures = []
        for url, title in pages:
            response = client.get(url)
            if response.status_code != 200 or escape(title) not in response.content.decode():
                failures.append((url, response.status_code))

        assert len(pages) == 6 + 65 + 19
        assert failures == []

    def test_load_demo_refuses_to_run_twice(self, demo):
        with pytest.raises(CommandError, match="already loaded"):
            _load(password=PASSWORD)

        assert _demo_activities().count() == 65

    def test_load_demo_reset_replaces_the_demo(self, demo):
        old_ids = set(_demo_activities().values_list("pk", flat=True))

        output = _load(reset=True, password="another-Passw0rd-42")

        assert "6 providers, 65 activities, 19 venues" in output
        assert ProviderPage.objects.count() == 6
        assert Venue.objects.count() == 19
        assert set(_demo_activities().values_list("pk", flat=True)).isdisjoint(old_ids)
        assert (
            get_user_model()
            .objects.get(username="pss-editor")
            .check_password("another-Passw0rd-42")
        )


def test_load_demo_a_year_later_is_just_as_current(db):
    next_year = dt.date(2027, 11, 25)

    _load(password=PASSWORD, today=next_year)

    activities = _demo_activities()
    assert activity_list_current(today=next_year).filter(pk__in=activities).count() == 65
    course = activities.get(ref="PSS-OAD").schedules.order_by("first_date").first()
    assert course.first_date == dt.date(2027, 11, 9)
    assert course.weekday == 1
