"""What the words someone types in the search box mean (pure: no models, no database).

A query becomes a list of *concepts*, one per thing the person asked for ("walks" and "anxious"
are two). Each concept is a set of alternatives: the word itself, its other forms that are in
the index (walk, walks, walking: one stem), the curated forms stemming cannot join (anxious and
anxiety), everyday synonyms from the admin's list (low, depressed, depression, "low mood"), and,
when the word matches nothing, the nearest indexed word (gardning -> gardening), which the page
then names. An activity matches when it matches one alternative of every concept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

# At most this many words of a query are read (a pasted paragraph must not hold the database).
MAX_WORDS = 8
# How alike (rapidfuzz ratio, 0-100) a typed word and an indexed word must be to correct it.
CORRECTION_SCORE = 80
# Words this short are never corrected (too many near neighbours: "art" / "arts" / "cart").
CORRECTION_MIN_LENGTH = 4

_APOSTROPHES = re.compile(r"[\u2019'`´]")
_WORD = re.compile(r"[a-z0-9]+")

# Words that carry no meaning in a search box; dropped unless the whole query is made of them.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "for",
        "from",
        "i",
        "im",
        "in",
        "is",
        "it",
        "me",
        "my",
        "near",
        "of",
        "on",
        "or",
        "our",
        "so",
        "the",
        "to",
        "with",
        "who",
        "what",
        "where",
        "when",
        "how",
        "want",
        "looking",
        "something",
        "some",
        "any",
    ]
)

# Words that say what kind of thing, not what about: "walking group" means walking. Dropped
# when the query has other words (the Type filter chooses groups, courses or drop-ins).
GENERIC_WORDS = frozenset(
    [
        "group",
        "groups",
        "session",
        "sessions",
        "activity",
        "activities",
        "club",
        "clubs",
        "class",
        "classes",
        "meeting",
        "meetings",
        "meetup",
        "local",
        "liverpool",
    ]
)

# Word forms a stemmer cannot join, in both directions (a small curated list; synonyms that
# an admin may change live in the SearchSynonym snippet instead).
FORMS: dict[str, tuple[str, ...]] = {
    "anxious": ("anxiety", "anxieties"),
    "anxiety": ("anxious",),
    "depressed": ("depression",),
    "depression": ("depressed",),
    "lonely": ("loneliness",),
    "loneliness": ("lonely",),
    "isolated": ("isolation",),
    "isolation": ("isolated",),
    "bereaved": ("bereavement",),
    "bereavement": ("bereaved",),
    "grieving": ("grief",),
    "grief": ("grieving", "grieve"),
    "stressed": ("stress",),
    "sleep": ("sleeping", "slept"),
    "swim": ("swimming",),
    "swimming": ("swim",),
    "run": ("running",),
    "running": ("run",),
    "cookery": ("cooking", "cook"),
    "cooking": ("cookery",),
    "men": ("mens", "man"),
    "mens": ("men",),
    "women": ("womens", "woman"),
    "womens": ("women",),
    "woman": ("women",),
    "man": ("men",),
    "mindful": ("mindfulness",),
    "mindfulness": ("mindful",),
    "creative": ("creativity",),
    "social": ("socialise", "socialising", "socializing"),
}

_stemmer = snowballstemmer.stemmer("english")


def _ascii_lower(text: str) -> str:
    """Lowercase, accents dropped ("Café" -> "cafe"); plain ASCII text takes the fast path."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def normalise(text: str) -> str:
    """Lowercase ASCII words separated by single spaces, apostrophes dropped ("Can't" -> "cant")."""
    text = _APOSTROPHES.sub("", _ascii_lower(text or "")).replace("&", " and ")
    return " ".join(_WORD.findall(text))


def tokens(text: str) -> list[str]:
    """The words of a text as the index splits them (apostrophes split too: "can't" -> can, t)."""
    return _WORD.findall(_ascii_lower(text or ""))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


@dataclass(frozen=True)
class Vocabulary:
    """The words in the search index, by stem, with how often each occurs."""

    counts: Mapping[str, int]
    by_stem: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Vocabulary:
        by_stem: dict[str, set[str]] = {}
        for word in counts:
            by_stem.setdefault(stem(word), set()).add(word)
        return cls(counts=dict(counts), by_stem={s: frozenset(ws) for s, ws in by_stem.items()})

    def forms(self, word: str) -> set[str]:
        """Indexed words with the same stem as `word`, and its curated forms that are indexed."""
        found = set(self.by_stem.get(stem(word), ()))
        for other in FORMS.get(word, ()):
            found |= self.by_stem.get(stem(other), frozenset())
        return found

    def nearest(self, word: str) -> str | None:
        """The indexed word most like `word` (ties: the more common), or None when none is close."""
        if len(word) < CORRECTION_MIN_LENGTH or word.isdigit():
            return None
        choices = [w for w in self.counts if len(w) >= CORRECTION_MIN_LENGTH - 1]
        found = process.extract(
            word, choices, scorer=fuzz.ratio, score_cutoff=CORRECTION_SCORE, limit=5
        )
        if not found:
            return None
        best = max(found, key=lambda match: (match[1], self.counts[match[0]]))
        return best[0]


@dataclass(frozen=True)
class Synonyms:
    """What else a term should find: "low" -> depression, depressed, "low mood" (one way:
    "depression" need not find everything "low", such as low-impact exercise)."""

    entries: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Iterable[str]]]) -> Synonyms:
        """From (term, terms it also means) pairs; repeated terms are merged."""
        entries: dict[str, set[str]] = {}
        for term, means in pairs:
            key = normalise(term)
            others = {t for t in (normalise(m) for m in means) if t and t != key}
            if key and others:
                entries.setdefault(_stems(key), set()).update(others)
        return cls({k: frozenset(v) for k, v in entries.items()})

    @property
    def phrases(self) -> list[str]:
        """Multi-word terms, longest first (matched in the query before single words)."""
        return sorted((t for t in self.entries if " " in t), key=lambda t: (-len(t.split()), t))

    def of_term(self, term: str) -> set[str]:
        """What `term` also means (stems compared, so "walks" finds what "walk" means)."""
        return set(self.entries.get(_stems(term), ()))


def _stems(term: str) -> str:
    return " ".join(stem(w) for w in term.split())


@dataclass
class Concept:
    """One thing the person asked for: what they typed, what we searched for it."""

    typed: str
    searched: str  # `typed`, or the correction
    alternatives: list[tuple[str, ...]] = field(default_factory=list)  # each: words of a phrase

    @property
    def corrected(self) -> bool:
        return self.typed != self.searched

    @property
    def words(self) -> set[str]:
        """Every single word among the alternatives (for ranking title and topic matches)."""
        return {alt[0] for alt in self.alternatives if len(alt) == 1}


@dataclass
class Expansion:
    concepts: list[Concept]

    @property
    def corrections(self) -> list[tuple[str, str]]:
        return [(c.typed, c.searched) for c in self.concepts if c.corrected]

    @property
    def searched_text(self) -> str:
        return " ".join(c.searched for c in self.concepts)

    @property
    def empty(self) -> bool:
        return not self.concepts


def _split_terms(text: str, synonyms: Synonyms) -> list[str]:
    """The query's words, with the synonym list's phrases ("low mood") kept whole."""
    words = text.split()[: MAX_WORDS * 2]
    # Phrases are stored by stem ("low mood" and "feeling low" match "feeling lower" too).
    phrases = [p.split() for p in synonyms.phrases]
    stemmed = [stem(w) for w in words]
    terms: list[str] = []
    i = 0
    while i < len(words):
        for phrase in phrases:
            if stemmed[i : i + len(phrase)] == phrase:
                terms.append(" ".join(words[i : i + len(phrase)]))
                i += len(phrase)
                break
        else:
            terms.append(words[i])
            i += 1
    meaningful = [t for t in terms if t not in STOP_WORDS] or terms
    specific = [t for t in meaningful if t not in GENERIC_WORDS] or meaningful
    return specific[:MAX_WORDS]


def _alternatives(term: str, vocabulary: Vocabulary) -> set[tuple[str, ...]]:
    """A term's searchable forms: indexed forms of a word; a phrase as its index tokens."""
    if " " in term:
        parts = tuple(tokens(term))
        return {parts} if all(p in vocabulary.counts for p in parts) else set()
    return {(w,) for w in vocabulary.forms(term)}


def expand(
    query: str, *, vocabulary: Vocabulary, synonyms: Synonyms, correct: bool = True
) -> Expansion:
    """What to search for `query` (see the module docstring). `correct=False`: no spelling
    correction (the person chose "search for what I typed")."""
    concepts = []
    for term in _split_terms(normalise(query), synonyms):
        concept = Concept(typed=term, searched=term)
        found = _alternatives(term, vocabulary)
        related = synonyms.of_term(term)
        for other in related:
            found |= _alternatives(other, vocabulary)
        if not found and correct and " " not in term:
            nearest = vocabulary.nearest(term)
            if nearest is not None:
                concept.searched = nearest
                found = _alternatives(nearest, vocabulary)
                for other in synonyms.of_term(nearest):
                    found |= _alternatives(other, vocabulary)
        if not found:
            # Nothing indexed matches: keep the word, so the search honestly finds nothing.
            found = {tuple(tokens(term)) or (term,)}
        concept.alternatives = sorted(found)
        concepts.append(concept)
    return Expansion(concepts)
