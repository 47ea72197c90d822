"""The process-wide analyser, built from the database (taxonomy, synonyms, vocabulary).

Managers' synonym edits and taxonomy changes bump a version in the cache, so
every process rebuilds its analyser on the next query.  New vocabulary terms
are loaded incrementally (by revision), never the whole table again.
"""

from __future__ import annotations

import threading

from django.core.cache import cache
from django.db.models import Max

from .text import Analyzer, Lexicon, SetVocabulary, default_synonym_groups

VERSION_KEY = "search:analyzer-version"
_lock = threading.Lock()
_state: dict[str, object] = {}


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def current_version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, None)
        value = cache.get(VERSION_KEY, 1)
    return int(value)


def synonym_groups() -> list[list[str]]:
    from .models import Synonym

    groups = [s.phrase_list() for s in Synonym.objects.filter(active=True)]
    if not groups and not Synonym.objects.exists():
        return default_synonym_groups()
    return groups


def taxonomy_phrases() -> list[str]:
    from django.apps import apps

    try:
        term = apps.get_model("ecosystem", "Term")
    except LookupError:  # pragma: no cover - the ecosystem app is always installed
        return []
    phrases: list[str] = []
    for name, name_en in term.objects.values_list("name", "name_en"):
        phrases.extend(p for p in (name, name_en) if p)
    return phrases


def build_analyzer(*, with_vocabulary: bool = True) -> Analyzer:
    groups = synonym_groups()
    atoms = taxonomy_phrases() + [p for g in groups for p in g]
    vocabulary = load_vocabulary() if with_vocabulary else None
    lexicon = Lexicon(known=atoms, stems=vocabulary.terms if vocabulary else ())
    return Analyzer(lexicon=lexicon, synonyms=groups, vocabulary=vocabulary)


def load_vocabulary(since: int = -1) -> SetVocabulary:
    from .models import SearchTerm

    rows = SearchTerm.objects.filter(revision__gt=since).values_list("term", "df")
    return SetVocabulary((), dict(rows))


def get_analyzer() -> Analyzer:
    """The cached analyser; refreshed when synonyms, taxonomy or vocabulary changed."""
    from .models import SearchTerm

    version = current_version()
    with _lock:
        analyzer = _state.get("analyzer")
        if analyzer is None or _state.get("version") != version:
            analyzer = build_analyzer()
            _state.update(
                analyzer=analyzer,
                version=version,
                vocab_revision=SearchTerm.objects.aggregate(m=Max("revision"))["m"] or 0,
            )
        return analyzer  # type: ignore[return-value]


def refresh_vocabulary() -> None:
    """Add terms indexed since the analyser was built (cheap when nothing changed)."""
    from .models import SearchTerm

    analyzer = get_analyzer()
    with _lock:
        seen = int(_state.get("vocab_revision", 0))  # type: ignore[call-overload]
        latest = SearchTerm.objects.aggregate(m=Max("revision"))["m"] or 0
        if latest <= seen:
            return
        fresh = load_vocabulary(since=seen)
        vocab = analyzer.vocabulary
        if isinstance(vocab, SetVocabulary):
            for term, df in fresh.frequencies.items():
                vocab.add(term, df)
        analyzer.lexicon.add_stems(fresh.terms)
        _state["vocab_revision"] = latest


def reset() -> None:
    """Forget the cached analyser (tests, after a full rebuild)."""
    with _lock:
        _state.clear()
    bump_version()
