"""Find a group for someone: which current activities suit a person, why, and what to check.

The rules are written out in ``search``'s module docstring.
"""

from .search import (
    GOOD_LIMIT,
    NEAR_LIMIT,
    Assessment,
    FinderResult,
    GroupsFor,
    Mode,
    SingleSex,
    Situation,
    Where,
    approx_error_miles,
    assess,
    find,
    language_choices,
)

__all__ = [
    "GOOD_LIMIT",
    "NEAR_LIMIT",
    "Assessment",
    "FinderResult",
    "GroupsFor",
    "Mode",
    "SingleSex",
    "Situation",
    "Where",
    "approx_error_miles",
    "assess",
    "find",
    "language_choices",
]
