"""Who a listing is for, as the duplicate scorer reads it, and which audiences are compatible.

An audience is read from the record's audiences (their names and restriction field), its ages
and words in its title ("Women's Walking Group", "Carers' Cafe").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..wording import MEN_WORDS, WOMEN_WORDS
from . import lexicon
from .records import ActivityRecord
from .text import Text, normalise_text

# Age bands in normalised audience names: "18-25" is "18 25", "60+" is "60 plus".
_AGE_RANGE = re.compile(r"\b(\d{1,2}) (?:to )?(\d{1,2})\b")
_AGE_FROM = re.compile(r"\b(?:over|aged) (\d{1,2})s?\b|\b(\d{1,2})s? (?:plus|and over)\b")


@dataclass(frozen=True)
class Audience:
    """The particular people a listing is for; all empty means everyone."""

    restrictions: frozenset[str]
    ages: tuple[int, int] | None  # only when the activity is for an age band
    names: frozenset[str]  # other specific groups: "arabic speakers", "lgbtq plus"

    def compatible(self, other: Audience) -> bool:
        """Do both serve the same people? A group for a particular audience (women, men, an
        age band, a language community) is never a duplicate of one for everyone, nor of one
        for a different audience: it exists for people the other does not serve."""
        if self.restrictions != other.restrictions:
            return False
        if (self.ages is None) != (other.ages is None):
            return False
        if (
            self.ages
            and other.ages
            and (self.ages[0] > other.ages[1] or other.ages[0] > self.ages[1])
        ):
            return False
        if self.names == other.names:
            return True
        return bool(self.names and other.names and self.names & other.names)

    def shared(self, other: Audience) -> Audience:
        """What two compatible audiences have in common."""
        ages = None
        if self.ages and other.ages:
            ages = (max(self.ages[0], other.ages[0]), min(self.ages[1], other.ages[1]))
        return Audience(self.restrictions & other.restrictions, ages, self.names & other.names)

    @property
    def particular(self) -> bool:
        """Is it for particular people (not everyone)?"""
        return bool(self.restrictions or self.ages or self.names)

    def describe(self) -> str:
        parts = sorted({"women": "women only", "men": "men only"}[r] for r in self.restrictions)
        if self.ages:
            low, high = self.ages
            parts.append(f"ages {low} and over" if high >= 120 else f"ages {low} to {high}")
        parts += sorted(self.names)
        return ", ".join(parts)


def audience_of(record: ActivityRecord, text: Text) -> Audience:
    """Who the record is for, from its audiences, ages and title (``text``, from analyse)."""
    restrictions = set(record.restrictions) | set(text.title_restrictions)
    names = set(text.title_audiences)
    age_min, age_max = record.age_min, record.age_max
    for name in record.audiences:
        folded = normalise_text(name)
        if folded in lexicon.GENERIC_AUDIENCES:
            continue
        words = folded.split()
        if any(w in WOMEN_WORDS for w in words):
            restrictions.add("women")
        if any(w in MEN_WORDS for w in words):
            restrictions.add("men")
        words = [w for w in words if w not in WOMEN_WORDS | MEN_WORDS]
        words = [w for w in words if w != "only"]
        if match := _AGE_RANGE.search(folded):
            if age_min is None and age_max is None:
                age_min, age_max = int(match[1]), int(match[2])
            continue
        if match := _AGE_FROM.search(folded):
            if age_min is None:
                age_min = int(match[1] or match[2])
            continue
        labelled = {lexicon.AUDIENCE_WORDS[w] for w in words if w in lexicon.AUDIENCE_WORDS}
        if labelled:
            names |= labelled
        elif words:
            names.add(" ".join(words))
    if {"women", "men"} <= restrictions:
        restrictions -= {"women", "men"}
    ages = None
    # Only a band aimed at young or older people singles out an audience; "18+" does not.
    if (age_max is not None and age_max <= 30) or (age_min is not None and age_min >= 50):
        ages = (age_min or 0, age_max if age_max is not None else 120)
    return Audience(frozenset(restrictions), ages, frozenset(names))
