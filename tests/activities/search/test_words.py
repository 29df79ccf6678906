"""What typed words are taken to mean (activities.search.words: pure, no database)."""

from activities.search.words import MAX_WORDS, Synonyms, Vocabulary, expand

VOCABULARY = Vocabulary.of(
    {
        "walk": 3,
        "walks": 1,
        "walking": 5,
        "anxiety": 6,
        "gardening": 4,
        "garden": 2,
        "depression": 3,
        "low": 4,
        "mood": 4,
        "art": 5,
        "arts": 2,
        "women": 3,
        "sleep": 2,
        "group": 20,
    }
)
SYNONYMS = Synonyms.of(
    [
        ("depression", ["low mood", "depressed"]),
        ("cant sleep", ["sleep", "insomnia"]),
    ]
)


def alternatives(query: str, **kwargs) -> list[list[tuple[str, ...]]]:
    expansion = expand(query, vocabulary=VOCABULARY, synonyms=SYNONYMS, **kwargs)
    return [c.alternatives for c in expansion.concepts]


def test_expand_word_forms_share_a_stem():
    assert alternatives("walks") == [[("walk",), ("walking",), ("walks",)]]
    assert alternatives("Walking") == alternatives("walks")


def test_expand_curated_form_joins_anxious_and_anxiety():
    assert alternatives("anxious") == [[("anxiety",)]]


def test_expand_synonym_adds_phrase_and_words_of_the_list():
    # "depressed" is not indexed, so only indexed alternatives are searched.
    assert alternatives("depression") == [[("depression",), ("low", "mood")]]


def test_expand_synonym_phrase_typed_with_apostrophe():
    expansion = expand("can't sleep", vocabulary=VOCABULARY, synonyms=SYNONYMS)

    assert [c.typed for c in expansion.concepts] == ["cant sleep"]
    assert expansion.concepts[0].alternatives == [("sleep",)]


def test_expand_misspelling_uses_nearest_indexed_word_and_says_so():
    expansion = expand("gardning", vocabulary=VOCABULARY, synonyms=SYNONYMS)

    assert expansion.corrections == [("gardning", "gardening")]
    assert expansion.concepts[0].alternatives == [("garden",), ("gardening",)]


def test_expand_exact_keeps_the_misspelling():
    expansion = expand("gardning", vocabulary=VOCABULARY, synonyms=SYNONYMS, correct=False)

    assert expansion.corrections == []
    assert expansion.concepts[0].alternatives == [("gardning",)]


def test_expand_unknown_word_far_from_everything_stays_as_typed():
    expansion = expand("xylophone", vocabulary=VOCABULARY, synonyms=SYNONYMS)

    assert expansion.corrections == []
    assert expansion.concepts[0].alternatives == [("xylophone",)]


def test_expand_short_words_are_never_corrected():
    assert expand("arr", vocabulary=VOCABULARY, synonyms=SYNONYMS).corrections == []


def test_expand_several_words_are_each_a_concept_and_fillers_drop():
    expansion = expand("a walking group for women", vocabulary=VOCABULARY, synonyms=SYNONYMS)

    assert [c.typed for c in expansion.concepts] == ["walking", "women"]


def test_expand_only_generic_words_are_kept():
    assert [
        c.typed for c in expand("group", vocabulary=VOCABULARY, synonyms=SYNONYMS).concepts
    ] == ["group"]


def test_expand_reads_at_most_max_words():
    query = " ".join(f"word{n}" for n in range(50))

    assert len(expand(query, vocabulary=VOCABULARY, synonyms=SYNONYMS).concepts) == MAX_WORDS


def test_expand_empty_or_punctuation_only_query_is_empty():
    assert expand("  !!  ", vocabulary=VOCABULARY, synonyms=SYNONYMS).empty
