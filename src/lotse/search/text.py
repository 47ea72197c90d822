"""German/English text analysis shared by every search backend.

The same pipeline feeds the SQLite FTS5 table, the PostgreSQL ``tsvector`` and
the query parser, so a query and a document always fold the same way.  This
module is pure Python (no Django) and is unit-tested on its own.

Pipeline for one word (see docs/search.md for the reasons):

1. **Tokenise**: runs of letters/digits (any script); everything else, quotes,
   FTS operators, SQL punctuation, emoji, is a separator.  So no user input
   can ever reach a backend as syntax: tokens are ``[a-z0-9]`` plus letters of
   other scripts, and backends quote them anyway.
2. **Lower-case and fold**: ``ß → ss`` and diacritics dropped, ``ä → a``,
   ``ö → o``, ``ü → u``.  We chose ``ä → a`` (not ``ae``) because the Snowball
   German stemmer ends the same way: it maps both ``ä`` and the transcription
   ``ae`` to ``a``.  So *Müller*, *Mueller* and *Muller* all become ``mull``.
3. **Language per token**: a token is stemmed with the English Snowball
   stemmer when it is in the shipped English word list (data/english.txt) and
   not in the German lexicon; otherwise with the German stemmer.  The decision
   depends on the token alone (not on context), so the same word in a query and
   in a document always gets the same stem.
4. **Compound splitting**: a long word is split into the fewest parts that
   are all known (lexicon = shipped word list + taxonomy + index vocabulary),
   allowing the German linking elements (Fugen) ``s``, ``es``, ``n``, ``en``,
   ``e``, ``er``.  The document keeps the whole word's stem *and* the parts'
   stems; a query word becomes "whole stem OR all part stems", so compounds
   written together and apart match each other.
5. **Synonyms** (query time only, so managers' edits apply at once): each
   group of equivalent phrases, e.g. ``KI | AI | künstliche Intelligenz``.
6. **Typo tolerance** (query time only): a query stem that is not in the index
   vocabulary is widened to the known stems within a small edit distance.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import Stemmer

DATA_DIR = Path(__file__).resolve().parent / "data"

MAX_QUERY_CHARS = 1000
MAX_QUERY_TOKENS = 32
MIN_SPLIT_LENGTH = 7
MIN_PART_LENGTH = 3
LINKERS = ("", "s", "es", "n", "en", "e", "er")

# Letters/digits of any script; "_" excluded.  Everything else separates words.
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _read_words(name: str) -> list[str]:
    path = DATA_DIR / name
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return words


def fold(text: str) -> str:
    """Lower-case, ``ß → ss``, strip diacritics (``ä → a``).  Idempotent."""
    if text.isascii():  # most words: nothing to fold but the case
        return text.lower()
    text = text.lower().replace("ß", "ss").replace("ẞ", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return [fold(m.group(0)) for m in WORD_RE.finditer(text)]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for every word of the original ``text``."""
    return [(m.start(), m.end(), fold(m.group(0))) for m in WORD_RE.finditer(text)]


@functools.cache
def _shipped() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    german = frozenset(fold(w) for w in _read_words("lexicon_de.txt"))
    english = frozenset(fold(w) for w in _read_words("english.txt"))
    stop = frozenset(fold(w) for w in _read_words("stopwords.txt"))
    return german, english, stop


_GERMAN = Stemmer.Stemmer("german")
_ENGLISH = Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """Stem one folded word (language decided by the word alone)."""
    if not word.isalpha() or not word.isascii():
        return word  # numbers, codes and other scripts stay as they are
    german, english, _ = _shipped()
    if word in english and word not in german:
        return _ENGLISH.stemWord(word)
    return _GERMAN.stemWord(word)


def default_synonym_groups() -> list[list[str]]:
    """The built-in seed list (data/synonyms.txt); managers edit the copy in the DB."""
    return [
        [p.strip() for p in line.split("|") if p.strip()] for line in _read_words("synonyms.txt")
    ]


class Lexicon:
    """Known words for compound splitting.

    ``atoms`` are the curated words of the shipped list: never split themselves.
    ``stems`` are the stems of every known word (shipped list, taxonomy,
    synonyms, index vocabulary); a candidate part is accepted when its stem is
    known.
    """

    def __init__(self, known: Iterable[str] = (), stems: Iterable[str] = ()) -> None:
        german, english, _ = _shipped()
        self.atoms: set[str] = set(german) | set(english)
        self.stems: set[str] = {stem(w) for w in self.atoms}
        for phrase in known:  # taxonomy and synonyms: known parts, but may be split
            self.stems.update(stem(w) for w in words(phrase) if len(w) >= 4)
        self.stems.update(stems)
        self._cache: dict[str, tuple[str, ...]] = {}
        # Raw word -> index tokens (filled by Analyzer.document_tokens; depends on the stems).
        self.token_cache: dict[str, list[str]] = {}
        # Folded word -> index tokens (Analyzer.cached_word_tokens: snippets at query time).
        self.folded_cache: dict[str, list[str]] = {}

    def add_stems(self, stems: Iterable[str]) -> None:
        self.stems.update(stems)
        self._cache.clear()
        self.token_cache.clear()
        self.folded_cache.clear()

    def knows(self, part: str) -> bool:
        if part in self.atoms:
            return True
        return len(part) >= 4 and stem(part) in self.stems

    def split(self, word: str) -> tuple[str, ...]:
        """Split a folded word into its compound parts; ``()`` if it is no compound."""
        if len(word) < MIN_SPLIT_LENGTH or word in self.atoms or not word.isalpha():
            return ()
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = self._split(word)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[word] = result
        return result

    def _split(self, word: str) -> tuple[str, ...]:
        n = len(word)
        # best[i]: best split of word[:i] as
        # (number of parts, penalty, -shortest part length, parts)
        best: list[tuple[int, int, int, tuple[str, ...]] | None] = [None] * (n + 1)
        best[0] = (0, 0, 0, ())
        for i in range(n):
            here = best[i]
            if here is None:
                continue
            for j in range(i + MIN_PART_LENGTH, n + 1):
                part = word[i:j]
                if (i, j) == (0, n) or not self.knows(part):
                    continue
                for linker in LINKERS if j < n else ("",):
                    end = j + len(linker)
                    if end > n or word[j:end] != linker:
                        continue
                    if linker and end == n:
                        continue
                    parts = (*here[3], part)
                    cand = (len(parts), self._penalty(parts), -min(len(p) for p in parts), parts)
                    current = best[end]
                    if current is None or cand[:3] < current[:3]:
                        best[end] = cand
        final = best[n]
        if final is None or len(final[3]) < 2:
            return ()
        return final[3]

    def _penalty(self, parts: tuple[str, ...]) -> int:
        """Prefer reading a trailing ``s`` as linking element (``Untertitelung|s|``)."""
        return sum(
            1
            for p in parts
            if p.endswith("s") and p not in self.atoms and self.knows(p[:-1])
        )


@dataclass
class Clause:
    """One concept of a query: a document matches when any alternative does;
    an alternative matches when all its tokens do."""

    surface: str
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    parts: tuple[str, ...] = ()  # a compound's part stems (not synonym phrases)

    def add(self, alternative: Sequence[str]) -> None:
        alt = tuple(alternative)
        if alt and alt not in self.alternatives:
            self.alternatives.append(alt)

    def tokens(self) -> set[str]:
        return {t for alt in self.alternatives for t in alt}


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause]
    corrections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def tokens(self) -> set[str]:
        return {t for c in self.clauses for t in c.tokens()}

    def relaxed(self) -> ParsedQuery:
        """The query with every compound's parts as concepts of their own.

        "Untertitelungssoftware" is one concept (the word, or untertitel AND
        software); when too little matches it whole, the fallback that accepts
        documents matching *any* concept should also find "Untertitel" alone,
        as it does for "Untertitelung Software" written apart."""
        clauses: list[Clause] = []
        for clause in self.clauses:
            clauses.append(clause)
            if len(clause.parts) > 1:  # synonym phrases ("künstliche Intelligenz") stay whole
                for token in clause.parts:
                    part = Clause(token)
                    part.add((token,))
                    if all(part.alternatives != c.alternatives for c in clauses):
                        clauses.append(part)
        return ParsedQuery(text=self.text, clauses=clauses, corrections=self.corrections)


class Vocabulary:
    """The index vocabulary as the analyser sees it: membership and close matches."""

    def __contains__(self, token: str) -> bool:  # pragma: no cover - interface
        return True

    def similar(self, token: str) -> list[str]:  # pragma: no cover - interface
        return []


class SetVocabulary(Vocabulary):
    """A vocabulary held in memory; ``rapidfuzz`` finds the close matches."""

    def __init__(self, terms: Iterable[str], frequencies: dict[str, int] | None = None) -> None:
        self.frequencies = dict(frequencies or {})
        self.terms = set(terms) | set(self.frequencies)
        # Typo candidates by length: words only.  Only alphabetic tokens are ever
        # corrected (``max_edits``), and the index vocabulary holds ~100,000
        # numbers and codes (postcodes, years, ids) that would make every look-up
        # scan them (5-digit postcodes alone: 90,000 terms of length 5).
        self._by_length: dict[int, list[str]] = {}
        for term in self.terms:
            if term.isalpha():
                self._by_length.setdefault(len(term), []).append(term)

    def add(self, term: str, df: int) -> None:
        if term not in self.terms:
            self.terms.add(term)
            if term.isalpha():
                self._by_length.setdefault(len(term), []).append(term)
        self.frequencies[term] = df

    def __contains__(self, token: str) -> bool:
        return token in self.terms

    def similar(self, token: str, limit: int = 3) -> list[str]:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        max_distance = max_edits(token)
        if max_distance == 0:
            return []
        found: list[tuple[int, int, str]] = []
        for length in range(len(token) - max_distance, len(token) + max_distance + 1):
            bucket = self._by_length.get(length)
            if not bucket:
                continue
            for term, distance, _ in process.extract(
                token, bucket, scorer=Levenshtein.distance, score_cutoff=max_distance, limit=20
            ):
                found.append((int(distance), -self.frequencies.get(term, 1), term))
        found.sort()
        return [term for _, _, term in found[:limit]]


def max_edits(token: str) -> int:
    if len(token) <= 3 or not token.isalpha():
        return 0
    if len(token) <= 6:
        return 1
    return 2


class Synonyms:
    """Groups of equivalent phrases, analysed into stem sequences."""

    def __init__(self, groups: Iterable[Sequence[str]], analyzer: Analyzer) -> None:
        self.by_phrase: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        self.max_len = 1
        for group in groups:
            phrases = []
            for phrase in group:
                stems = tuple(analyzer.stems_of(phrase))
                if stems and stems not in phrases:
                    phrases.append(stems)
            if len(phrases) < 2:
                continue
            for p in phrases:
                bucket = self.by_phrase.setdefault(p, [])
                for q in phrases:
                    if q not in bucket:
                        bucket.append(q)
                self.max_len = max(self.max_len, len(p))


class Analyzer:
    """Turns documents into index tokens and queries into clauses."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        synonyms: Iterable[Sequence[str]] | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.lexicon = lexicon or Lexicon()
        self.vocabulary = vocabulary
        self.synonyms = Synonyms(
            default_synonym_groups() if synonyms is None else synonyms, self
        )

    @property
    def stopwords(self) -> frozenset[str]:
        return _shipped()[2]

    # --- documents ---------------------------------------------------------
    def word_tokens(self, word: str) -> list[str]:
        """Index tokens of one folded word: its stem, then its parts' stems."""
        if word in self.stopwords:
            return []
        tokens = [stem(word)]
        for part in self.lexicon.split(word):
            tokens.extend(self.word_tokens(part) if len(part) >= MIN_SPLIT_LENGTH else [stem(part)])
        seen: set[str] = set()
        return [t for t in tokens if not (t in seen or seen.add(t))]  # type: ignore[func-returns-value]

    def cached_word_tokens(self, word: str) -> list[str]:
        """:meth:`word_tokens`, remembered (snippets analyse the same words again and again)."""
        cache = self.lexicon.folded_cache
        tokens = cache.get(word)
        if tokens is None:
            tokens = self.word_tokens(word)
            if len(cache) > 200_000:
                cache.clear()
            cache[word] = tokens
        return tokens

    def document_tokens(self, text: str) -> list[str]:
        out: list[str] = []
        cache = self.lexicon.token_cache
        for match in WORD_RE.finditer(text):
            raw = match.group(0)
            tokens = cache.get(raw)
            if tokens is None:
                tokens = self.word_tokens(fold(raw))
                if len(cache) > 500_000:
                    cache.clear()
                cache[raw] = tokens
            out.extend(tokens)
        return out

    def document_text(self, text: str) -> str:
        """The preprocessed text that goes into FTS5 / ``to_tsvector('simple', ...)``."""
        return " ".join(self.document_tokens(text))

    def stems_of(self, text: str) -> list[str]:
        """Plain stems (no compound parts, no stop words) of a phrase."""
        return [stem(w) for w in words(text) if w not in self.stopwords]

    # --- queries -----------------------------------------------------------
    def parse(self, query: str) -> ParsedQuery:
        """Sanitise and analyse a user query.  Never raises."""
        if not isinstance(query, str):
            query = ""
        text = query[:MAX_QUERY_CHARS]
        query_words = [w for w in words(text) if w not in self.stopwords][:MAX_QUERY_TOKENS]
        stems = [stem(w) for w in query_words]
        clauses: list[Clause] = []
        corrections: dict[str, list[str]] = {}
        i = 0
        while i < len(stems):
            # Longest synonym phrase starting here.
            matched = 0
            for length in range(min(self.synonyms.max_len, len(stems) - i), 0, -1):
                key = tuple(stems[i : i + length])
                if key in self.synonyms.by_phrase:
                    clause = Clause(" ".join(query_words[i : i + length]))
                    for alt in self.synonyms.by_phrase[key]:
                        clause.add(alt)
                    clauses.append(clause)
                    matched = length
                    break
            if matched:
                i += matched
                continue
            word = query_words[i]
            clause = Clause(word)
            clause.add((stems[i],))
            parts = self.lexicon.split(word)
            if parts:
                part_stems = [t for p in parts for t in self.stems_of(p)]
                clause.add(part_stems)
                clause.parts = tuple(part_stems)
            self._tolerate_typos(clause, corrections)
            clauses.append(clause)
            i += 1
        return ParsedQuery(text=text, clauses=clauses, corrections=corrections)

    def _tolerate_typos(self, clause: Clause, corrections: dict[str, list[str]]) -> None:
        vocab = self.vocabulary
        if vocab is None:
            return
        if any(all(t in vocab for t in alt) for alt in clause.alternatives):
            return
        first = clause.alternatives[0][0]
        similar = vocab.similar(first)
        if similar:
            corrections[clause.surface] = similar
        for candidate in similar:
            clause.add((candidate,))


# --- snippets ------------------------------------------------------------------
# Markdown markup, removed from snippets (descriptions are indexed as typed).
# [text](url), ![alt](src) -> text.  Neither part may contain its own opening
# bracket: each attempt then stops at the next one (linear, also for "[[[[…").
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")  # <https://...> -> https://...
_MD_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_MD_LINE_START = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)", re.MULTILINE
)
# Emphasis, strike-through and code marks that open before or close after text.
# Marks between two letters stay: the gender star ("Mitarbeiter*innen"), the
# gender gap ("Nutzer_innen"), snake_case; so does "5 * 3".
_MD_MARK = r"(?:\*{1,3}|_{1,3}|~~|`+)"
_MD_MARKS = re.compile(rf"(?<!\w){_MD_MARK}(?=\S)|(?<=\S){_MD_MARK}(?!\w)")


def plain_text(text: str) -> str:
    """``text`` without its Markdown markup: link texts without their
    addresses, no heading, quote, list, emphasis or code marks.  For snippets:
    cheap (a few regular expressions), not a Markdown parser."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_RULE.sub("", text)
    text = _MD_LINE_START.sub("", text)
    return _MD_MARKS.sub("", text)


def highlight(
    text: str,
    matched: set[str],
    token_of: Callable[[str], Iterable[str]],
    *,
    width: int = 30,
) -> str:
    """An HTML-safe snippet of ``text`` around the best window of matching words.

    ``token_of`` maps a folded word to its index tokens; a word is marked when
    one of them is in ``matched``.  Markdown markup is left out (``plain_text``);
    everything is escaped; only ``<mark>`` is added.
    """
    text = plain_text(text)
    spans = word_spans(text)
    if not spans:
        return ""
    hits = [bool(matched.intersection(token_of(w))) for _, _, w in spans]
    best_start, best_count = 0, -1
    count = sum(hits[:width])
    for start in range(max(1, len(spans) - width + 1)):
        if start:
            count += (hits[start + width - 1] if start + width - 1 < len(hits) else 0) - hits[
                start - 1
            ]
        if count > best_count:
            best_start, best_count = start, count
    window = range(best_start, min(len(spans), best_start + width))
    begin = 0 if window.start == 0 else spans[window.start][0]
    end = len(text) if window.stop == len(spans) else spans[window.stop - 1][1]
    pieces: list[str] = []
    cursor = begin
    for k in window:
        s, e, _ = spans[k]
        pieces.append(html.escape(text[cursor:s]))
        word = html.escape(text[s:e])
        pieces.append(f"<mark>{word}</mark>" if hits[k] else word)
        cursor = e
    pieces.append(html.escape(text[cursor:end]))
    snippet = "".join(pieces).strip()
    if begin > 0:
        snippet = "… " + snippet
    if end < len(text):
        snippet += " …"
    return snippet
