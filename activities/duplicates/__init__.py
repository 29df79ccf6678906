"""Duplicate detection across providers: the scorer's public API.

The scorer (every module here but ``selectors``, ``services``, ``panel`` and ``admin``) is
pure Python over plain records, so the editor's warning, the city report, the command line,
the benchmarks and the tests all score pairs the same way. See ``matching`` for the method;
one module per concern:

- ``records``: the records, the overlap ``Policy`` and a ``Match``;
- ``lexicon``: the curated vocabulary; ``text``: how a listing's text is read;
- ``audience``: who a listing is for; ``scoring``: the concept score, many pairs at once;
- ``timing``: the same day and time, on dates that can coincide (asking ``recurrence``);
- ``reasons``: a pair's place, reasons and differences in words;
- ``blocking``: which pairs are worth scoring; ``matching``: the scan and the single check;
- ``fingerprint``: what a remembered decision rests on.

The names below load on first use (PEP 562): the activity model imports ``duplicates.panel``,
and that must not pull numpy and scikit-learn into every process that touches a model.
"""

from importlib import import_module

_PUBLIC = {
    "CLASH": "records",
    "DEFAULT_POLICY": "records",
    "DUPLICATE": "records",
    "ActivityRecord": "records",
    "BlockingIndex": "blocking",
    "Match": "records",
    "Policy": "records",
    "SlotRecord": "records",
    "clusters": "matching",
    "describe_place": "reasons",
    "find_matches": "matching",
    "match_one": "matching",
    "normalise_text": "text",
    "record_fingerprint": "fingerprint",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
