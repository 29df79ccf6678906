"""The search box on a seeded timetable: each kind of word finds what a person means, and
nothing else; browse, the CSV export, the calendar feed and the finder agree; the index stays
current when activities are published or imported."""

import csv
import io

import icalendar
import pytest

from activities.imports.services import timetable_import
from activities.models import ActivityPage
from tests.factories import ActivityFactory, AudienceFactory, CategoryFactory, ProviderFactory
from tests.support.browse import browse_titles
from tests.support.schedules import weekly
from tests.support.timetables import timetable_row

pytestmark = pytest.mark.django_db

TIMETABLE = [
    ("Walk and Talk", "A gentle hour in the park, then a cuppa.", ["Walking"], []),
    ("Wellbeing Walks in Sefton Park", "Fresh air and company at an easy pace.", [], []),
    ("Women's Walking Group", "A walking group for women.", ["Walking"], ["women"]),
    ("Understanding Anxiety", "A six-week course on anxiety and panic.", ["Courses"], []),
    ("Keeping Well Peer Group", "For people living with low mood.", ["Peer support"], []),
    ("Low-impact Exercise", "Chair-based exercise for stiff joints.", ["Physical activity"], []),
    ("Dutch Barn Gardening Group", "Growing vegetables together.", ["Outdoors"], []),
    ("Art Group", "Drawing and painting for beginners.", ["Creative"], []),
    ("Sleep Well", "A workshop on sleeping better.", ["Courses"], []),
    ("Cook and Eat", "Make a meal together and share it.", ["Cookery"], []),
    ("Knit and Natter", "Knitting, crochet and a chat.", ["Crafts"], []),
    ("Bereavement Café", "Talk about the person you have lost.", ["Social"], []),
    ("Women's Art Club", "Painting and crafts for women.", ["Creative"], ["women"]),
]


@pytest.fixture
def seeded():
    provider = ProviderFactory(title="Hope Wellbeing")
    for title, description, topics, audiences in TIMETABLE:
        weekly(
            ActivityFactory(
                title=title,
                description=description,
                parent=provider,
                categories=[
                    CategoryFactory(name=t, slug=t.lower().replace(" ", "-")) for t in topics
                ],
                audiences=[AudienceFactory(name=a, slug=a) for a in audiences],
            )
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # word forms
        ("walks", {"Walk and Talk", "Wellbeing Walks in Sefton Park", "Women's Walking Group"}),
        ("walking", {"Walk and Talk", "Wellbeing Walks in Sefton Park", "Women's Walking Group"}),
        ("anxious", {"Understanding Anxiety"}),
        ("sleeping", {"Sleep Well"}),
        # everyday synonyms (the seeded list)
        ("depression", {"Keeping Well Peer Group"}),
        ("grief", {"Bereavement Café"}),
        ("can't sleep", {"Sleep Well"}),
        ("cookery", {"Cook and Eat"}),
        # several words: every one must match
        ("walking women", {"Women's Walking Group"}),
        ("art for women", {"Women's Art Club"}),
        (
            "a walking group",
            {"Walk and Talk", "Wellbeing Walks in Sefton Park", "Women's Walking Group"},
        ),
    ],
)
def test_search_finds_what_a_person_means_and_nothing_else(client, seeded, query, expected):
    assert set(browse_titles(client, f"q={query}")) == expected


def test_search_misspelling_uses_the_nearest_word_and_says_so(client, seeded):
    response = client.get("/activities/", {"q": "gardning"})

    html = response.content.decode()
    assert [r.activity.title for r in response.context["result"].rows] == [
        "Dutch Barn Gardening Group"
    ]
    assert "Showing results for <strong>gardening</strong>" in html
    assert 'href="?q=gardning&amp;exact=1#results"' in html
    assert "Search instead for “gardning”" in html


def test_search_exact_searches_what_was_typed(client, seeded):
    response = client.get("/activities/", {"q": "gardning", "exact": "1"})

    assert response.context["result"].count == 0
    assert "Showing results for" not in response.content.decode()


def test_search_ranks_title_then_topic_then_description(client, seeded):
    weekly(ActivityFactory(title="Tuesday Social", description="Sometimes we go walking."))

    titles = browse_titles(client, "q=walking")

    assert titles[-1] == "Tuesday Social"
    # "Walk and Talk" and the women's group match in the title and the topic
    assert set(titles[:3]) == {
        "Walk and Talk",
        "Wellbeing Walks in Sefton Park",
        "Women's Walking Group",
    }


def test_search_zero_results_offer_nearest_without_one_filter_and_navigators(client, seeded):
    response = client.get("/activities/", {"q": "walks", "day": "sun"})

    html = response.content.decode()
    assert response.context["result"].count == 0
    relaxed = response.context["relaxed"]
    assert relaxed.dropped == "the days"
    assert relaxed.count == 3
    assert "Without the days: 3 activities" in html
    assert 'href="?q=walks#results">See all 3 without the days</a>' in html
    assert 'href="/referrals/navigators/"' in html


def test_search_zero_results_with_nothing_else_chosen_still_offers_navigators(client, seeded):
    response = client.get("/activities/", {"q": "xylophone"})

    html = response.content.decode()
    assert response.context["result"].count == 0
    assert "Ask our navigators" in html
    assert response.context["relaxed"].dropped == "your search words"


def _export_titles(client, query: str) -> set[str]:
    response = client.get(f"/activities/export.csv?{query}")
    assert response.status_code == 200
    return {row["title"] for row in csv.DictReader(io.StringIO(response.content.decode()))}


def _feed_titles(client, query: str) -> set[str]:
    response = client.get(f"/activities/feed.ics?{query}")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


@pytest.mark.parametrize("query", ["q=walks", "q=gardning", "q=depression", "q=walking+women"])
def test_search_browse_export_and_feed_agree(client, seeded, query):
    shown = set(browse_titles(client, query))

    assert shown
    assert _export_titles(client, query) == shown
    assert _feed_titles(client, query) == shown


def test_search_index_is_current_after_a_publish(client, seeded):
    activity = ActivityPage.objects.get(title="Knit and Natter")
    activity.title = "Ukulele Strummers"
    activity.save_revision().publish()

    assert browse_titles(client, "q=ukulele") == ["Ukulele Strummers"]
    assert browse_titles(client, "q=natter") == []


def test_search_index_is_current_after_a_topic_change(client, seeded):
    activity = ActivityPage.objects.get(title="Art Group")
    activity.categories.set([CategoryFactory(name="Printmaking", slug="printmaking")])
    activity.save_revision().publish()

    assert browse_titles(client, "q=printmaking") == ["Art Group"]


def test_search_index_is_current_after_an_import(client, seeded):
    timetable_import(
        rows=[
            timetable_row(
                ref="TC-1",
                provider="Hope Wellbeing",
                title="Tai Chi in the Park",
                category="Qigong",
                description="Slow movements for balance.",
            )
        ]
    )

    assert browse_titles(client, "q=tai+chi") == ["Tai Chi in the Park"]
    assert browse_titles(client, "q=qigong") == ["Tai Chi in the Park"]
    assert browse_titles(client, "q=balance") == ["Tai Chi in the Park"]


def test_search_synonym_added_in_the_admin_is_used_at_once(client, admin_client, seeded):
    assert browse_titles(client, "q=needlework") == []

    response = admin_client.post(
        "/admin/snippets/activities/searchsynonym/add/",
        {"term": "needlework", "means": "knitting, crochet"},
    )

    assert response.status_code == 302
    assert browse_titles(client, "q=needlework") == ["Knit and Natter"]


@pytest.mark.parametrize("words", ["walks", "depression", "gardning"])
def test_search_finder_own_words_agree_with_browse(client, seeded, words):
    response = client.get("/find/", {"words": words, "postcode": "L1 4DN", "radius": "10"})

    assert response.status_code == 200
    result = response.context["result"]
    found = {a.row.activity.title for a in [*result.good, *result.near]}
    assert found == set(browse_titles(client, f"q={words}"))
