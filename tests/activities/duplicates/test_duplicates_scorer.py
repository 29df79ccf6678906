"""The pure scorer: reasons are literally true, policy gates hold, bad input never crashes."""

import dataclasses
import re
from datetime import date, time

import pytest
from geopy.distance import geodesic
from rapidfuzz import fuzz

from activities.duplicates import (
    CLASH,
    DEFAULT_POLICY,
    DUPLICATE,
    ActivityRecord,
    BlockingIndex,
    Policy,
    SlotRecord,
    clusters,
    find_matches,
    lexicon,
    match_one,
    normalise_text,
    record_fingerprint,
)
from activities.duplicates.records import FEATURES
from activities.duplicates.scoring import WEIGHTS
from activities.duplicates.text import words_of
from bench.duplicates_eval.loader import load

# Real postcode points: Joseph Lappin Centre (L13 3DL) and Old Swan Library (L13 5XG), 0.36 km
# apart; the Millennium Centre, Belle Vale (L25 2RG), about 4 km from both.
LAPPIN = (53.41456, -2.91396)
OLD_SWAN = (53.41424, -2.90854)
BELLE_VALE = (53.39117, -2.85887)
MONDAY = date(2027, 1, 4)


def slot(weekday=1, start="10:00", end="12:00", frequency="weekly", week=0, ends_on=None):
    first = date.fromordinal(MONDAY.toordinal() + weekday + 7 * week)
    return SlotRecord(
        weekday, time.fromisoformat(start), time.fromisoformat(end), frequency, first, ends_on
    )


def record(key, provider="Roots", **fields) -> ActivityRecord:
    defaults = {
        "provider_key": provider,
        "provider": provider,
        "ref": str(key),
        "title": "Understanding Anxiety and Low Mood",
        "description": "A six-week course on anxiety and low mood, with practical ways to cope.",
        "kind": "course",
        "categories": ("Anxiety and low mood", "Mental health courses"),
        "venue_key": 1,
        "venue_name": "Joseph Lappin Centre",
        "postcode": "L13 3DL",
        "latitude": LAPPIN[0],
        "longitude": LAPPIN[1],
        "slots": (slot(),),
    }
    defaults.update(fields)
    return ActivityRecord(key=key, **defaults)


def pair(a, b, *, policy=DEFAULT_POLICY):
    """The pair as the single check for `a` reports it, or None if it is neither."""
    matches = match_one(a, [b], policy=policy)
    return matches[0] if matches else None


def at(point, venue_key, name, postcode="L13 5XG"):
    return {
        "latitude": point[0],
        "longitude": point[1],
        "venue_key": venue_key,
        "venue_name": name,
        "postcode": postcode,
    }


# --- reasons are literally true ---------------------------------------------------------


def test_match_one_same_venue_same_time_is_clash_with_true_reasons():
    a = record(1, title="Overcoming Anxiety and Depression")
    b = record(2, provider="Life Rooms", slots=(slot(start="10:30", end="12:30"),))

    match = pair(a, b)

    assert match.kind == CLASH
    assert match.reasons[:2] == (
        "same venue: Joseph Lappin Centre",
        "both Tuesday mornings: 10:00–12:00 and 10:30–12:30",
    )
    assert "both about anxiety and low mood" in match.reasons
    assert "both listed under Anxiety and low mood and Mental health courses" in match.reasons


def test_match_one_distance_reason_is_the_geodesic_distance_and_both_venues():
    a = record(1, title="Knit and Natter", categories=("Knitting and crochet",))
    b = record(
        2,
        provider="Imagine",
        title="Knitting & Crochet Circle",
        categories=("Knitting and crochet",),
        slots=(slot(weekday=0),),
        **at(OLD_SWAN, 2, "Old Swan Library"),
    )

    match = pair(a, b)

    km = geodesic(LAPPIN, OLD_SWAN).km
    assert match.reasons[0] == (f"{km:.1f} km apart: Joseph Lappin Centre and Old Swan Library")
    assert match.distance_km == pytest.approx(km, abs=0.001)
    assert match.kind == DUPLICATE
    assert match.differences == ("different days: Tuesday vs Monday",)


def test_match_one_title_reason_quotes_title_likeness():
    a = record(1, title="Walk and Talk, Sefton Park", categories=("Walking",), kind="group")
    b = record(
        2,
        provider="PSS",
        title="Wellbeing Walk in Sefton Park",
        categories=("Walking",),
        kind="group",
        slots=(slot(weekday=4),),
    )

    match = pair(a, b)

    # How alike the titles read, word order aside, as rapidfuzz says.
    likeness = round(fuzz.token_sort_ratio(normalise_text(a.title), normalise_text(b.title)))
    assert 70 <= likeness < 100
    assert f"similar titles ({likeness}% alike)" in match.reasons
    assert "both about walking" in match.reasons


def test_find_matches_concept_reasons_name_words_both_texts_use():
    gold = load()

    checked = 0
    for match in find_matches(gold.records):
        for reason in match.reasons:
            if not reason.startswith("both about "):
                continue
            for concept in re.split(r", | and (?=[a-z])", reason.removeprefix("both about ")):
                concept_words = set(lexicon.CONCEPTS[concept][1])
                for side in (match.a, match.b):
                    # the words as written, after joining phrases such as "low mood"
                    assert concept_words & set(words_of(f"{side.title} {side.description}"))
                checked += 1
    assert checked >= 20


def test_find_matches_every_reason_and_difference_is_checkable_on_eval_set():
    gold = load()

    for match in find_matches(gold.records):
        a, b = match.a, match.b
        place = match.reasons[0]
        if place.startswith("same venue"):
            assert a.venue_key == b.venue_key
        elif place == "both online":
            assert a.online and b.online
        else:
            km = float(place.split(" km apart")[0])
            assert km == round(geodesic(a.point, b.point).km, 1)
            assert geodesic(a.point, b.point).km <= 2.0
        days = {s.weekday for s in a.slots} & {s.weekday for s in b.slots}
        if match.kind == CLASH:
            assert days
        for difference in match.differences:
            if difference.startswith("different days"):
                assert not days


# --- policy gates -----------------------------------------------------------------------


def test_match_one_women_only_and_mens_group_never_match():
    common = {"title": "Wellbeing Group", "kind": "group", "categories": ("Peer support",)}
    women = record(1, audiences=("women",), restrictions=frozenset({"women"}), **common)
    men = record(2, provider="MSH", audiences=("men",), restrictions=frozenset({"men"}), **common)

    assert pair(women, men) is None


def test_match_one_titles_alone_say_women_and_men():
    women = record(1, title="Women's Walking Group", kind="group", categories=("Walking",))
    men = record(
        2, provider="PPN", title="Men's Walking Group", kind="group", categories=("Walking",)
    )

    assert pair(women, men) is None


def test_find_matches_women_and_men_never_pair_in_eval_set():
    gold = load()

    found = {frozenset(m.keys) for m in find_matches(gold.records)}

    hard_negatives = [
        {"DEW-WOMENWALK", "PPN-MENWALK"},
        {"ODW-WOMEN", "WCR-MENTALK"},
        {"PPN-LADIES", "WCR-MENTALK"},
    ]
    assert [pair for pair in hard_negatives if frozenset(pair) in found] == []


def test_match_one_course_and_peer_group_on_same_topic_in_same_building_match():
    course = record(1)
    group = record(2, provider="PPN", title="Anxiety Peer Support Group", kind="group")

    found = pair(course, group)

    assert found is not None
    assert found.reasons[0] == "same venue: Joseph Lappin Centre"
    assert (
        "a course and an ongoing group on the same topic: the course may lead into the group"
        in found.differences
    )


def test_match_one_course_and_peer_group_on_same_topic_in_other_buildings_do_not_match():
    course = record(1)
    group = record(
        2,
        provider="PPN",
        title="Anxiety Peer Support Group",
        kind="group",
        **at(OLD_SWAN, 2, "Old Swan Hub"),
    )

    assert pair(course, group) is None


def test_match_one_online_course_and_online_group_on_same_evening_clash():
    online = {
        "venue_key": None,
        "venue_name": "",
        "postcode": "",
        "latitude": None,
        "longitude": None,
        "online": True,
    }
    course = record(1, **online)
    group = record(2, provider="PPN", title="Anxiety Peer Support Group", kind="group", **online)

    found = pair(course, group)

    assert found is not None
    assert found.kind == CLASH
    assert found.reasons[0] == "both online"


def test_match_one_same_title_far_apart_does_not_match():
    a = record(1)
    b = record(2, provider="Life Rooms", **at(BELLE_VALE, 3, "Millennium Centre", "L25 2RG"))

    assert pair(a, b) is None


def test_match_one_online_and_in_person_do_not_match():
    online = record(2, provider="PSS", online=True, venue_key=None, latitude=None, longitude=None)

    assert pair(record(1), online) is None


def test_match_one_both_online_same_time_is_clash():
    kw = {"online": True, "venue_key": None, "latitude": None, "longitude": None, "postcode": ""}

    match = pair(record(1, **kw), record(2, provider="PSS", **kw))

    assert (match.kind, match.reasons[0]) == (CLASH, "both online")


def test_match_one_same_time_beyond_clash_distance_is_duplicate_with_difference():
    near = (LAPPIN[0] + 0.0162, LAPPIN[1])  # about 1.8 km north
    b = record(2, provider="PSS", **at(near, 9, "Another Hall", "L13 1AA"))

    match = pair(record(1), b, policy=Policy(clash_km=1.5))

    km = geodesic(LAPPIN, near).km
    assert 1.5 < km < 2.0
    assert match.kind == DUPLICATE
    assert match.differences == (f"same time on Tuesday, {km:.1f} km apart",)


def test_match_one_alternate_fortnights_are_not_a_clash():
    a = record(1, slots=(slot(frequency="fortnightly"),))
    b = record(2, provider="PSS", slots=(slot(frequency="fortnightly", week=1),))

    match = pair(a, b)

    assert match.kind == DUPLICATE
    assert match.differences == ("both on Tuesday, but never on the same date",)


def test_match_one_same_day_far_apart_in_time_is_duplicate_not_clash():
    b = record(2, provider="PSS", slots=(slot(start="18:00", end="19:30"),))

    match = pair(record(1), b)

    assert match.kind == DUPLICATE
    assert match.differences == (
        "both on Tuesday but at different times: 10:00–12:00 and 18:00–19:30",
    )


def test_match_one_same_provider_is_not_reported():
    assert pair(record(1), record(2)) is None


def test_match_one_different_topics_same_room_and_time_do_not_match():
    digital = record(
        2,
        provider="BCT",
        title="Digital Skills Drop-in",
        description="Help with phones, tablets and email.",
        kind="drop-in",
        categories=("Digital skills",),
    )
    art = dataclasses.replace(digital, key=3, title="Art Group", kind="course", categories=("Art",))

    assert (pair(record(1), digital), pair(record(1), art)) == (None, None)


# --- bad input ------------------------------------------------------------------------


def test_match_one_no_venue_and_not_online_is_never_a_match():
    nowhere = record(2, provider="PSS", venue_key=None, latitude=None, longitude=None, postcode="")

    assert pair(record(1), nowhere) is None
    assert pair(nowhere, nowhere.__class__(key=3, provider_key="X")) is None


def test_match_one_missing_description_scores_on_title_and_categories():
    b = record(2, provider="PSS", description="", slots=(slot(weekday=3),))

    match = pair(record(1, description=""), b)

    assert match.kind == DUPLICATE
    assert match.features["description"] == 0.0
    assert "similar descriptions" not in match.reasons


def test_match_one_venue_without_coordinates_matches_only_the_same_venue():
    hall = {"latitude": None, "longitude": None, "postcode": "", "venue_name": "St Saviour's Hall"}
    a = record(1, **{**hall, "venue_key": 7})
    same = record(2, provider="PSS", **{**hall, "venue_key": 7}, slots=(slot(weekday=4),))
    other = record(3, provider="PSS", **{**hall, "venue_key": 8}, slots=(slot(weekday=4),))

    assert pair(a, same).reasons[0] == "same venue: St Saviour's Hall"
    assert pair(a, other) is None


def test_match_one_empty_records_do_not_crash():
    empty = ActivityRecord(key=1, provider_key="A")
    other = ActivityRecord(key=2, provider_key="B", title="Walk")

    assert (pair(empty, other), find_matches([empty, other]), match_one(empty, [])) == (
        None,
        [],
        [],
    )


def test_match_one_activity_without_slots_is_duplicate_not_clash():
    b = record(2, provider="PSS", slots=())

    match = pair(record(1), b)

    assert (match.kind, match.differences) == (DUPLICATE, ("one of them has no regular time",))


# --- blocking, clusters, fingerprints ------------------------------------------------------


def test_match_one_agrees_with_full_scan_on_eval_set():
    gold = load()
    scan = {frozenset(m.keys): (m.kind, m.score, m.reasons) for m in find_matches(gold.records)}
    index = BlockingIndex(gold.records)

    single = {}
    for target in gold.records:
        for m in match_one(target, index.candidates(target)):
            single[frozenset(m.keys)] = (m.kind, m.score, m.reasons[:1])

    assert set(single) == set(scan)
    assert all(single[pair][:2] == scan[pair][:2] for pair in scan)


def test_blocking_keeps_every_labelled_pair_of_eval_set():
    gold = load()
    index = BlockingIndex(gold.records)
    by_key = {r.key: r for r in gold.records}

    missed = []
    for pair in gold.labels:
        first, second = sorted(pair)
        if second not in {c.key for c in index.candidates(by_key[first])}:
            missed.append(pair)

    assert missed == []


def test_clusters_joins_linked_pairs():
    gold = load()

    groups = clusters(find_matches(gold.records))

    assert sorted(groups[0]) in (
        ["ODW-CROCHET", "PPN-STITCH", "WCR-KNIT"],
        ["BCT-ALLOT", "ODW-GARDEN", "TRC-GARDEN"],
        # two anxiety courses and the peer group in their building (issue 12's policy)
        ["ODW-ANX", "PPN-ANXPEER", "TRC-ANX"],
    )
    assert sum(len(g) for g in groups) == len({k for g in groups for k in g})


def test_record_fingerprint_changes_only_with_material_facts():
    base = record(1)
    unchanged = dataclasses.replace(base, description="Completely reworded.", ref="NEW")

    changed = [
        dataclasses.replace(base, title="Understanding Stress"),
        dataclasses.replace(base, venue_key=99),
        dataclasses.replace(base, slots=(slot(start="11:00"),)),
        dataclasses.replace(base, audiences=("women",)),
        dataclasses.replace(base, kind="group"),
    ]

    assert record_fingerprint(unchanged) == record_fingerprint(base)
    assert len({record_fingerprint(r) for r in [base, *changed]}) == 6


# --- measured quality --------------------------------------------------------------------


def test_find_matches_precision_and_recall_on_eval_set_at_least_0_9():
    gold = load()

    found = {frozenset(m.keys): m.kind for m in find_matches(gold.records)}

    true_positives = [pair for pair in found if pair in gold.labels]
    precision = len(true_positives) / len(found)
    recall = len(true_positives) / len(gold.labels)
    assert (precision >= 0.9, recall >= 0.9) == (True, True), (precision, recall)
    assert all(found[pair] == gold.labels[pair] for pair in true_positives)


def test_weights_weigh_exactly_the_features_a_match_keeps():
    assert tuple(WEIGHTS) == ("bias", *FEATURES)
