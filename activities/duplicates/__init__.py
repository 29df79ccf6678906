"""Duplicate detection across providers: the scorer's public API.

The scorer (every module here but ``selectors``, ``services``, ``panel`` and ``admin``) is
pure Python over plain records, so the editor's warning, the city report, the command line,
the benchmarks and the tests all score pairs the same way. See ``scoring`` for the method.

The names below load on first use (PEP 562): the activity model imports ``duplicates.panel``,
and that must not pull numpy and scikit-learn into every process that touches a model.
"""

from importlib import import_module

_PUBLIC = {
    "CLASH": "scoring",
    "DUPLICATE": "scoring",
    "ActivityRecord": "scoring",
    "BlockingIndex": "scoring",
    "Match": "scoring",
    "Policy": "scoring",
    "Slot": "scoring",
    "clusters": "scoring",
    "compare": "scoring",
    "distance_km": "scoring",
    "find_matches": "scoring",
    "match_one": "scoring",
    "normalise_text": "scoring",
    "record_fingerprint": "scoring",
    "title_likeness": "scoring",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
