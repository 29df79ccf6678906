"""The activities app's models, one module per concern, re-exported here.

Django, Wagtail, migrations and the rest of the code import them from ``activities.models``
(as Wagtail's own ``wagtail/models/__init__.py`` does), so the split changes no import path.
"""

from .activity import ActivityFeature, ActivityPage, Cancellation, Schedule, new_ref
from .duplicates import DuplicateDecision, StoredDuplicatePair
from .reports import ProblemReport
from .search import SearchSynonym
from .taxonomy import Audience, Category

__all__ = [
    "ActivityFeature",
    "ActivityPage",
    "Audience",
    "Cancellation",
    "Category",
    "DuplicateDecision",
    "ProblemReport",
    "Schedule",
    "SearchSynonym",
    "StoredDuplicatePair",
    "new_ref",
]
