"""Find a group for someone: which current activities suit a person, why, and what to check.

The rules are written out in ``rules``'s module docstring; ``search`` finds and ranks,
``explain`` explains one listing in full.
"""

from ..enums import Mode, SingleSex, Where
from .explain import assess
from .rules import Assessment, Situation, need_applies
from .search import GOOD_LIMIT, NEAR_LIMIT, FinderResult, approx_error_miles, find, language_choices

__all__ = [
    "GOOD_LIMIT",
    "NEAR_LIMIT",
    "Assessment",
    "FinderResult",
    "Mode",
    "SingleSex",
    "Situation",
    "Where",
    "approx_error_miles",
    "assess",
    "find",
    "language_choices",
    "need_applies",
]
