"""Highlighting from remembered word analyses, near matches only, gives exactly what
Whoosh's highlighter gives by re-analysing the whole text."""

import random
from html import escape

import pytest
from whoosh import highlight

from search.backends import whoosh_highlight
from search.backends.base import first_words
from search.backends.whoosh import _MarkFormatter, _text_query
from search.backends.whoosh_analysis import WordAnalyzer, stock_analyzer
from search.backends.whoosh_highlight import WordAnalyses
from tests.search.oracle import oracle_requests

WORDS = [
    *("the", "of", "and", "a", "to", "in", "ceasefire", "talks", "Parliament's", "drought"),
    *("harvest", "refinery", "pipeline", "élection", "Kürdistan", "court", "protest"),
    *("border", "militia", "tribe", "council", "budget", "oil", "water", "river", "dam"),
    *("school", "hospital", "vaccines", "vaccine", "minister", "envoy", "summit"),
    *("sanctions", "I", "x", "2024", "don't"),
]
SEPARATORS = (" ", " ", " ", ", ", ". ", " — ", " (", ") ", "\n\n", "-", " ' ")


def _text(rng: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


def _whoosh(text: str, terms: frozenset[str], fragmenter, top: int = 2) -> str:
    """Highlighter.highlight_hit's retokenizing branch, as Whoosh runs it."""
    stock = highlight.Highlighter(fragmenter=fragmenter, formatter=_MarkFormatter())
    tokens = stock_analyzer()(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = stock._merge_matched_tokens(highlight.set_matched_filter(tokens, terms))
    fragments = stock.fragmenter.fragment_tokens(text, tokens)
    fragments = highlight.top_fragments(fragments, top, stock.scorer, stock.order, minscore=1)
    return stock.formatter.format(fragments)


def _ours(text: str, terms: frozenset[str], fragmenter, analyses: WordAnalyses) -> str:
    ours = highlight.Highlighter(fragmenter=fragmenter, formatter=_MarkFormatter())
    if isinstance(fragmenter, highlight.ContextFragmenter):
        fragments = analyses.context_fragments(text, terms, fragmenter)
    else:
        tokens = ours._merge_matched_tokens(analyses.tokens(text, terms))
        fragments = fragmenter.fragment_tokens(text, tokens)
    fragments = highlight.top_fragments(fragments, 2, ours.scorer, ours.order, minscore=1)
    return ours.formatter.format(fragments)


@pytest.mark.parametrize("length", [3, 40, 600, 3000])
# Whoosh's chain, and the backend's analyzer (its own memory of each word's analysis).
@pytest.mark.parametrize("make_analyzer", [stock_analyzer, WordAnalyzer])
def test_snippets_equal_whooshs(length, make_analyzer):
    rng = random.Random(length)
    analyses = WordAnalyses(make_analyzer())
    fragmenters = (
        highlight.ContextFragmenter(maxchars=220, surround=60),
        # Narrow fragments and a character limit inside the text: many jumps between them.
        highlight.ContextFragmenter(maxchars=30, surround=5),
        highlight.ContextFragmenter(maxchars=220, surround=60, charlimit=700),
        highlight.WholeFragmenter(),
    )
    compared = with_marks = 0
    for _ in range(40):
        text = _text(rng, length)
        # Mostly words of the text (so there is something to mark), some maybe not.
        in_text = [word for word in WORDS if word in text]
        query_words = rng.sample(in_text if rng.random() < 0.8 else WORDS, 1)
        query_words += rng.sample(WORDS, rng.randint(0, 2))
        terms = frozenset(t.text for w in query_words for t in stock_analyzer()(w))
        for fragmenter in fragmenters:
            expected = _whoosh(text, terms, fragmenter)
            assert _ours(text, terms, fragmenter, analyses) == expected, (text, terms)
            compared += 1
            with_marks += "<mark>" in expected
    assert compared == 160
    assert with_marks > 20  # the comparison is of real snippets, not only empty ones


def test_a_text_without_the_words_has_no_fragments():
    analyses = WordAnalyses(stock_analyzer())
    fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
    text = " ".join(["council"] * 2000)
    assert analyses.context_fragments(text, frozenset({"ceasefir"}), fragmenter) == []
    assert _whoosh(text, frozenset({"ceasefir"}), fragmenter) == ""


def test_the_fragmenters_limits_are_kept():
    """Whoosh stops looking at charlimit, and a fragment never grows past maxchars."""
    analyses = WordAnalyses(stock_analyzer())
    text = " ".join(["oil water"] * 400)
    for fragmenter in (
        highlight.ContextFragmenter(maxchars=220, surround=60, charlimit=500),
        highlight.ContextFragmenter(maxchars=30, surround=5),
    ):
        terms = frozenset({"oil"})
        assert _ours(text, terms, fragmenter, analyses) == _whoosh(text, terms, fragmenter)


def test_words_forgotten_when_the_memory_is_full_are_marked_again(monkeypatch):
    """Past MAX_REMEMBERED_WORDS both memories (word -> form, form -> words) are emptied
    together, and a word forgotten is analysed again when met: marks stay Whoosh's."""
    monkeypatch.setattr(whoosh_highlight, "MAX_REMEMBERED_WORDS", 4)
    analyses = WordAnalyses(stock_analyzer())
    fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
    texts = ["Vaccines reach the hospital", "a vaccine, a school, a court", "the vaccine envoy"]
    for text in texts * 2:
        for terms in (frozenset({"vaccin"}), frozenset({"school", "court"})):
            ours = _ours(text, terms, fragmenter, analyses)
            assert ours == _whoosh(text, terms, fragmenter)
    assert len(analyses._known) <= 4
    assert sum(len(words) for words in analyses._words_of.values()) <= 4
    assert analyses.marked({"Vaccines", "hospital"}, frozenset({"vaccin"})) == {"Vaccines"}


def test_the_backends_hits_are_highlighted_as_whoosh_highlights_them(whoosh_archive):
    """Every hit of the oracle's requests, through the backend (remembered analyses, the
    index ruling out fields that hold no matched word, the possessive split) against
    Whoosh's own highlighter re-analysing the stored text; a hit with no mark in a field
    shows its plain text, escaped."""
    backend, oracle = whoosh_archive
    title_fragmenter = highlight.WholeFragmenter()
    body_fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
    compared = marked_bodies = unmarked_bodies = 0
    for request in oracle_requests():
        query = _text_query(request.query)
        if query is None or not request.query.has_text:
            continue
        terms = {"title": set(), "body": set()}
        for field, term in query.iter_all_terms(phrases=True):  # no wildcard to expand
            if field in terms:
                terms[field].add(term if isinstance(term, str) else term.decode())
        for hit in backend.search(request).hits:
            document = oracle.documents[hit.article_id]
            title = _whoosh(document.title, frozenset(terms["title"]), title_fragmenter, top=1)
            body = _whoosh(document.body, frozenset(terms["body"]), body_fragmenter)
            assert hit.title_html == (title or escape(document.title, quote=False))
            assert hit.snippet_html == (body or escape(first_words(document.body), quote=False))
            compared += 1
            marked_bodies += bool(body)
            unmarked_bodies += not body
    assert compared > 300
    assert marked_bodies > 50
    assert unmarked_bodies > 20  # ruled out by the index: the title alone held the word


def test_the_backends_analyzer_keeps_no_second_memory_of_highlighted_words():
    analyzer = WordAnalyzer()
    analyses = WordAnalyses(analyzer)
    fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
    assert analyses.context_fragments(
        "Vaccines reach the hospital", frozenset({"vaccin"}), fragmenter
    )
    assert set(analyses._known) == {"Vaccines", "reach", "the", "hospital"}
    assert analyzer._known == {}
