"""The analyser: the issue's examples, folding, stemming, compounds, synonyms, typos."""

from __future__ import annotations

import pytest

from lotse.search.text import (
    Analyzer,
    Lexicon,
    SetVocabulary,
    fold,
    highlight,
    plain_text,
    stem,
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_folding_lowercases_and_folds_umlauts_and_sharp_s() -> None:
    assert fold("Größe ÄÖÜ Straße") == "grosse aou strasse"


@pytest.mark.parametrize("spelling", ["Müller", "Mueller", "Muller", "MÜLLER"])
def test_umlaut_spellings_fold_to_the_same_stem(spelling: str) -> None:
    assert stem(fold(spelling)) == "mull"


def test_german_and_english_stemming() -> None:
    assert stem("untertiteln") == stem("untertitel") == "untertitel"
    assert stem("verordnungen") == stem("verordnung")
    assert stem("subtitles") == stem("subtitle")  # English list: English stemmer
    assert stem("2024") == "2024"


@pytest.mark.parametrize(
    ("compound", "parts", "stems"),
    [
        ("Untertitelungssoftware", ("untertitelung", "software"), {"untertitel", "softwar"}),
        (
            "Datenschutzgrundverordnung",
            ("datenschutz", "grundverordnung"),
            {"datenschutz", "grundverordn"},
        ),
    ],
)
def test_compound_splitting_examples_from_the_issue(
    analyzer: Analyzer, compound: str, parts: tuple[str, ...], stems: set[str]
) -> None:
    assert analyzer.lexicon.split(fold(compound)) == parts
    tokens = analyzer.word_tokens(fold(compound))
    assert tokens[0] == stem(fold(compound))  # the whole word stays searchable
    assert stems <= set(tokens)


def test_compound_written_apart_matches_written_together(analyzer: Analyzer) -> None:
    document = set(analyzer.document_tokens("Wir liefern Untertitelungssoftware."))
    query = analyzer.parse("Untertitel Software")
    for clause in query.clauses:
        assert any(set(alt) <= document for alt in clause.alternatives)
    together = analyzer.parse("Untertitelungssoftware")
    apart_doc = set(analyzer.document_tokens("Software für die Untertitelung"))
    assert any(set(alt) <= apart_doc for alt in together.clauses[0].alternatives)


def test_relaxed_query_makes_compound_parts_concepts_of_their_own(analyzer: Analyzer) -> None:
    together = analyzer.parse("Untertitelungssoftware")
    assert len(together.clauses) == 1
    relaxed = together.relaxed()
    assert relaxed.clauses[0] is together.clauses[0]
    parts = [clause.alternatives for clause in relaxed.clauses[1:]]
    assert parts == [[(stem("untertitel"),)], [(stem("software"),)]]
    # a simple word has nothing to relax, nor has a synonym phrase
    assert len(analyzer.parse("Archiv").relaxed().clauses) == 1
    assert len(analyzer.parse("KI").relaxed().clauses) == 1


def test_short_and_curated_words_are_not_split(analyzer: Analyzer) -> None:
    assert analyzer.lexicon.split("hamburg") == ()
    assert analyzer.lexicon.split("software") == ()
    assert analyzer.lexicon.split("datenschutz") == ()


def test_index_vocabulary_extends_the_lexicon() -> None:
    lexicon = Lexicon()
    assert lexicon.split("quantenfilmstudio") == ()
    lexicon.add_stems([stem("quanten")])
    assert lexicon.split("quantenfilmstudio") == ("quanten", "film", "studio")


def test_synonyms_ki_ai_kuenstliche_intelligenz(analyzer: Analyzer) -> None:
    for query in ("KI", "AI", "künstliche Intelligenz", "Künstliche Intelligenz"):
        parsed = analyzer.parse(query)
        assert len(parsed.clauses) == 1, query
        alternatives = set(parsed.clauses[0].alternatives)
        assert {("ki",), ("ai",), ("kunstlich", "intelligenz")} <= alternatives


def test_synonyms_untertitel_subtitles(analyzer: Analyzer) -> None:
    alternatives = set(analyzer.parse("Subtitles").clauses[0].alternatives)
    assert ("untertitel",) in alternatives
    alternatives = set(analyzer.parse("Untertitel").clauses[0].alternatives)
    assert (stem("subtitles"),) in alternatives


def test_managed_synonyms_replace_the_seed_list() -> None:
    analyzer = Analyzer(synonyms=[["Hörspiel", "Audiodrama"]])
    assert ("audiodrama",) in analyzer.parse("Hörspiel").clauses[0].alternatives
    assert analyzer.parse("KI").clauses[0].alternatives == [("ki",)]


def test_typo_tolerance_uses_the_vocabulary() -> None:
    vocabulary = SetVocabulary(["untertitel", "datenschutz", "redaktion"])
    analyzer = Analyzer(vocabulary=vocabulary)
    parsed = analyzer.parse("Untertiel Datenschuts")
    assert ("untertitel",) in parsed.clauses[0].alternatives
    assert ("datenschutz",) in parsed.clauses[1].alternatives
    assert parsed.corrections
    # Known words and very short words are not "corrected".
    assert analyzer.parse("Redaktion").clauses[0].alternatives == [("redaktion",)]
    assert analyzer.parse("xyz").clauses[0].alternatives == [("xyz",)]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 10_000,
        "Wort " * 3000,
        '"unclosed AND OR NOT NEAR(a b) * ^ -',
        "'; DROP TABLE search_searchdocument; --",
        "title_tokens: {body} : ( ) \" ' ' \\ \x00",
        "🤖🎬 KI 🎞️",
        "Привет мир KI 日本語 العربية",
    ],
)
def test_bad_queries_become_plain_tokens(analyzer: Analyzer, query: str) -> None:
    parsed = analyzer.parse(query)
    for token in parsed.tokens():
        assert token.isalnum(), token
    assert len(parsed.clauses) <= 32


def test_stop_words_are_dropped(analyzer: Analyzer) -> None:
    assert [c.surface for c in analyzer.parse("die Software für den Verlag").clauses] == [
        "software",
        "verlag",
    ]


def test_highlight_escapes_and_marks(analyzer: Analyzer) -> None:
    text = "<b>Untertitelung</b> & Übersetzung für Medienhäuser"
    snippet = highlight(text, {"untertitel", "ubersetz"}, analyzer.word_tokens)
    assert "<b>" not in snippet
    assert "&lt;b&gt;<mark>Untertitelung</mark>&lt;/b&gt; &amp; <mark>Übersetzung</mark>" in snippet


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("**Archiv**-Dienste und __Mediathek__", "Archiv-Dienste und Mediathek"),
        # Between two letters a mark is German gender language, not Markdown.
        (
            "für **alle** Mitarbeiter*innen und Nutzer_innen",
            "für alle Mitarbeiter*innen und Nutzer_innen",
        ),
        ("Wir sind *die* [Archiv-Profis](https://example.org/a_b).", "Wir sind die Archiv-Profis."),
        ("# Über uns\n> Zitat\n- eins\n* zwei\n1. drei", "Über uns\nZitat\neins\nzwei\ndrei"),
        ("Schritte:\n1. planen\n2. prüfen", "Schritte:\nplanen\nprüfen"),
        ("`code` und ~~alt~~, <https://example.org>", "code und alt, https://example.org"),
        ("oben\n***\nunten", "oben\n\nunten"),
        # Not markup: arithmetic, snake_case, hyphens, a year at the start.
        ("snake_case: 5 * 3 - 1", "snake_case: 5 * 3 - 1"),
        ("2024 gegründet", "2024 gegründet"),
    ],
)
def test_plain_text_drops_markdown_markup(markdown: str, plain: str) -> None:
    assert plain_text(markdown) == plain


def test_highlight_leaves_out_markdown(analyzer: Analyzer) -> None:
    snippet = highlight("Wir **untertiteln** [Filme](https://example.org)", {"untertitel"},
                        analyzer.word_tokens)
    assert snippet == "Wir <mark>untertiteln</mark> Filme"


def test_typo_candidates_are_words_not_codes() -> None:
    """Numbers and codes in the vocabulary (postcodes, ids) are never offered as corrections,
    also when they arrive later; they still count as known tokens."""
    vocabulary = SetVocabulary(["radio", "radio1"], {"rad10": 3})
    assert vocabulary.similar("radia") == ["radio"]
    assert vocabulary.similar("radioo") == ["radio"]  # "radio1" is as close, but a code
    vocabulary.add("radin", 1)
    vocabulary.add("radi0", 9)
    assert vocabulary.similar("radia") == ["radin", "radio"]
    assert "radi0" in vocabulary
    assert "rad10" in vocabulary
