"""The search box's reads: the indexed vocabulary and the synonym list (cached), and narrowing
activities to what a query means with Wagtail's search backend (PostgreSQL full text, or
SQLite's FTS5 on the default database), ranked title first, then topics, then the rest.

The same function serves browse, the CSV export, the calendar feeds (all through
``ActivityFilter``) and the finder, so one query string means the same list everywhere.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import reduce

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Length
from modelsearch.conf import get_app_config
from wagtail.models import Page, Revision
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Or, Phrase, PlainText

from ..models import ActivityPage, Audience, Category, SearchSynonym
from .words import Expansion, Synonyms, Vocabulary, expand, tokens

# Cached vocabularies and synonym lists live this long at most (they are also keyed by a
# version of the data, so a publish or an import shows at once).
CACHE_SECONDS = 3600
RANK = "search_rank"


@dataclass
class SearchOutcome:
    """What a query was taken to mean, for the page to say ("Showing results for ...")."""

    query: str
    expansion: Expansion
    exact: bool

    @property
    def corrections(self) -> list[tuple[str, str]]:
        return self.expansion.corrections

    @property
    def searched_text(self) -> str:
        return self.expansion.searched_text


def _data_version() -> tuple:
    """Cheap values that change whenever the words in the index can: every publish (in the
    admin or by an import) adds a revision, every new page an id, and the topic and synonym
    tables are small. Max ids are read from the primary key index, at any size."""
    newest_revision = Revision.objects.aggregate(n=Max("pk"))["n"]
    newest_page = Page.objects.aggregate(n=Max("pk"))["n"]
    topics = Category.objects.aggregate(n=Count("pk"), names=Sum(Length("name")))
    audiences = Audience.objects.aggregate(n=Count("pk"), names=Sum(Length("name")))
    synonyms = SearchSynonym.objects.aggregate(
        n=Count("pk"), ids=Sum("pk"), size=Sum(Length("means")) + Sum(Length("term"))
    )
    return (
        newest_revision,
        newest_page,
        tuple(topics.values()),
        tuple(audiences.values()),
        tuple(synonyms.values()),
    )


def _cache_key(name: str, version: tuple) -> str:
    return f"search-{name}:" + hashlib.sha256(repr(version).encode()).hexdigest()


def _vocabulary_counts() -> dict[str, int]:
    """Every word of the fields the index holds, over published activities."""
    counts: Counter[str] = Counter()
    rows = ActivityPage.objects.live().values_list(
        "title", "description", "who_for", "provider__title", "venue__name"
    )
    for row in rows.iterator(chunk_size=2000):
        counts.update(tokens(" ".join(part for part in row if part)))
    for name in Category.objects.values_list("name", flat=True):
        counts.update(tokens(name))
    for name in Audience.objects.values_list("name", flat=True):
        counts.update(tokens(name))
    return dict(counts)


# The last vocabulary built in this process, by cache key (building one from its counts
# stems every word: a few milliseconds that each search need not pay).
_built: dict[str, Vocabulary] = {}


def vocabulary(version: tuple | None = None) -> Vocabulary:
    version = version if version is not None else _data_version()
    key = _cache_key("vocabulary", version)
    if key in _built:
        return _built[key]
    counts = cache.get(key)
    if counts is None:
        counts = _vocabulary_counts()
        cache.set(key, counts, CACHE_SECONDS)
    _built.clear()
    _built[key] = Vocabulary.of(counts)
    return _built[key]


def synonyms(version: tuple | None = None) -> Synonyms:
    version = version if version is not None else _data_version()
    key = _cache_key("synonyms", version)
    pairs = cache.get(key)
    if pairs is None:
        pairs = [(s.term, s.means_list) for s in SearchSynonym.objects.all()]
        cache.set(key, pairs, CACHE_SECONDS)
    return Synonyms.of(pairs)


def understand(query: str, *, exact: bool = False) -> SearchOutcome:
    """What `query` means on today's data (`exact`: no spelling correction)."""
    version = _data_version()
    expansion = expand(
        query, vocabulary=vocabulary(version), synonyms=synonyms(version), correct=not exact
    )
    return SearchOutcome(query=query, expansion=expansion, exact=exact)


def _backend_query(expansion: Expansion, *, split: bool = False):
    """Every concept must match (``And``), any of its alternatives (``Or``); ``split``: the
    list of concepts' queries instead of their ``And``."""
    concepts = []
    for concept in expansion.concepts:
        alternatives = [
            PlainText(words[0]) if len(words) == 1 else Phrase(" ".join(words))
            for words in concept.alternatives
        ]
        concepts.append(alternatives[0] if len(alternatives) == 1 else Or(alternatives))
    if split:
        return concepts
    return concepts[0] if len(concepts) == 1 else And(concepts)


def _matching_ids(expansion: Expansion) -> QuerySet:
    """Ids of the activities the search backend finds for every concept (a subquery)."""
    backend = get_search_backend()
    if connection.vendor == "postgresql":
        return _postgres_matching_ids(backend, expansion)
    results = backend.search(
        _backend_query(expansion), ActivityPage.objects.all(), order_by_relevance=False
    )
    return results.get_queryset().order_by().values("pk")


def _postgres_matching_ids(backend, expansion: Expansion) -> QuerySet:
    """The same match as the backend's on PostgreSQL, but each concept is looked up in the
    stored title and body vectors apart (``title @@ q OR body @@ q``), which their GIN
    indexes answer; the backend's ``title || body @@ q`` reads every index entry."""
    from modelsearch.utils import get_descendants_content_types_pks  # noqa: PLC0415

    IndexEntry = get_app_config().get_model("IndexEntry")  # noqa: N806 -- a model class

    compiler = backend.query_compiler_class(ActivityPage.objects.none(), _backend_query(expansion))
    entries = IndexEntry.objects.filter(
        content_type_id__in=get_descendants_content_types_pks(ActivityPage)
    )
    for concept in _backend_query(expansion, split=True):
        tsquery = compiler.build_tsquery(concept, config=backend.config)
        entries = entries.filter(Q(title=tsquery) | Q(body=tsquery))
    return entries.order_by().values(pk=Cast("object_id", IntegerField()))


def _words_in(field: str, words: set[str]) -> Q:
    return reduce(lambda a, b: a | b, (Q(**{f"{field}__icontains": w}) for w in sorted(words)))


def _rank(expansion: Expansion):
    """Title matches first, then topic matches, then the rest (description, who it is for,
    provider, venue): each concept found in the title counts 10, in a topic name 5."""
    score = Value(0)
    for concept in expansion.concepts:
        words = concept.words
        if not words:
            continue
        topic = Exists(
            Category.objects.filter(activities=OuterRef("pk")).filter(_words_in("name", words))
        )
        score = score + Case(
            When(_words_in("title", words), then=Value(10)),
            When(topic, then=Value(5)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return score


def activity_search(queryset: QuerySet, outcome: SearchOutcome) -> QuerySet:
    """`queryset` narrowed to what the query means, annotated with `search_rank`."""
    if outcome.expansion.empty:
        return queryset
    return queryset.filter(pk__in=_matching_ids(outcome.expansion)).annotate(
        **{RANK: _rank(outcome.expansion)}
    )
