"""How the duplicate scorer reads a listing's text: normalised words, the lexicon's phrases and
concepts, the title without place or provider names, and the blocking tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ..wording import MEN_WORDS, WOMEN_WORDS
from . import lexicon
from .records import ActivityRecord

_APOSTROPHES = re.compile(r"[\u2019'`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PHRASE_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(lexicon.PHRASES, key=len, reverse=True)) + r")\b"
)
_WORD_CONCEPTS: dict[str, tuple[str, ...]] = {}
for _label, (_strong, _words) in lexicon.CONCEPTS.items():
    for _word in _words:
        _WORD_CONCEPTS[_word] = (*_WORD_CONCEPTS.get(_word, ()), _label)
_STRONG = frozenset(label for label, (strong, _) in lexicon.CONCEPTS.items() if strong)
_STRONG_WORDS = frozenset(w for w, labels in _WORD_CONCEPTS.items() if set(labels) & _STRONG)
_DESCRIPTION_STOP = lexicon.STOP_WORDS | ENGLISH_STOP_WORDS


def normalise_text(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: "Knit & Natter!" -> "knit and natter"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _APOSTROPHES.sub("", text).replace("&", " and ").replace("+", " plus ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def words_of(text: str) -> list[str]:
    """The words the scorer reads in a text: normalised, with the lexicon's phrases joined into
    one token ("low mood" -> "lowmood"), in order."""
    return _PHRASE_RE.sub(lambda m: lexicon.PHRASES[m.group(1)], normalise_text(text)).split()


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _concepts(words: Iterable[str]) -> tuple[list[str], set[str]]:
    """(words with known ones replaced by their concept labels, the set of concepts named)."""
    mapped: list[str] = []
    found: set[str] = set()
    for word in words:
        labels = _WORD_CONCEPTS.get(word)
        if labels:
            found.update(labels)
            mapped.extend(label.replace(" ", "_") for label in labels)
        else:
            mapped.append(_singular(word))
    return list(dict.fromkeys(mapped)), found


@dataclass(frozen=True)
class Text:
    """What the scorer reads in one record's text, computed once per record."""

    canon_title: str  # concept-mapped title words, for token_set_ratio
    clean_title: str  # title words without stop/place words, for character n-grams
    title_strong: frozenset[str]
    all_strong: frozenset[str]  # title and description
    description: str  # concept-mapped description words, for word n-grams
    title_restrictions: frozenset[str]
    title_audiences: frozenset[str]  # "carers" in "Carers' Cafe"
    title: str  # normalised, for the title reason
    postcode: str  # normalised
    venue_name: str  # normalised


@dataclass(frozen=True)
class _Title:
    raw: list[str]  # every word, phrases joined
    kept: list[str]  # without stop words and place or provider names
    canon: list[str]  # kept, with known words replaced by their concepts
    concepts: set[str]


def _title(record: ActivityRecord) -> _Title:
    raw = words_of(record.title)
    # Place and provider names say where and who, not what: "Walk and Talk, Sefton Park".
    place = set(words_of(f"{record.venue_name} {record.address} {record.provider}"))
    place -= _STRONG_WORDS
    kept = [w for w in raw if w not in lexicon.STOP_WORDS]
    kept = [w for w in kept if w not in place] or kept
    canon, concepts = _concepts(kept)
    return _Title(raw, kept, canon, concepts)


def blocking_tokens(record: ActivityRecord) -> frozenset[str]:
    """Blocking keys: the title's concepts and words, and the categories."""
    title = _title(record)
    tokens = {f"c:{c}" for c in title.concepts} | {f"w:{w}" for w in title.canon if len(w) > 2}
    tokens |= {f"k:{normalise_text(c)}" for c in record.categories if c.strip()}
    return frozenset(tokens) or frozenset({"*"})


def analyse(record: ActivityRecord) -> Text:
    """The record's text as the scorer reads it."""
    title = _title(record)
    restrictions = set()
    if any(w in WOMEN_WORDS for w in title.raw):
        restrictions.add("women")
    if any(w in MEN_WORDS for w in title.raw):
        restrictions.add("men")
    if len(restrictions) == 2:  # "men and women": no restriction after all
        restrictions = set()
    strong = frozenset(c for c in title.concepts if c in _STRONG)
    description_words = [w for w in words_of(record.description) if w not in _DESCRIPTION_STOP]
    description, description_concepts = _concepts(description_words)
    return Text(
        canon_title=" ".join(title.canon),
        clean_title=" ".join(title.kept),
        title_strong=strong,
        all_strong=strong | frozenset(c for c in description_concepts if c in _STRONG),
        description=" ".join(description),
        title_restrictions=frozenset(restrictions),
        title_audiences=frozenset(
            lexicon.AUDIENCE_WORDS[w] for w in title.raw if w in lexicon.AUDIENCE_WORDS
        ),
        title=normalise_text(record.title),
        postcode=normalise_text(record.postcode),
        venue_name=normalise_text(record.venue_name),
    )
