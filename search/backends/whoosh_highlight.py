"""Highlighting the page's hits without running the analyzer over every word of every body.

Whoosh highlights a hit by re-analysing its whole text: every word goes through the
tokenizer and four filters (lower case, accent folding, stop words, stemming) as Python
generators, about 5 microseconds a word, so 30 ms or more for a page of ten 600-word
articles, more than the search itself. A body repeats the same few hundred distinct
words, and a word always analyses the same way, so here each distinct word is analysed
once per process (the same analyzer, one word at a time) and remembered. The snippet's
fragments are then cut by a copy of Whoosh's ContextFragmenter that walks plain lists
instead of a chain of token generators, and go to Whoosh's scorer and formatter as before.
"""

import re
from collections import deque
from collections.abc import Callable, Iterator

from whoosh import highlight
from whoosh.analysis import Token

from search.backends.whoosh_analysis import WORD_PATTERN

# The analyzer's own pattern: the same words, the same character offsets.
WORD = re.compile(WORD_PATTERN)
MAX_REMEMBERED_WORDS = 200_000


class WordAnalyses:
    """Each distinct word's analysed form, as the field's analyzer gives it for the word
    alone (stop words kept, as highlighting keeps them)."""

    def __init__(self, analyzer: Callable) -> None:
        self.analyzer = analyzer
        self._known: dict[str, str] = {}

    def __getitem__(self, word: str) -> str:
        known = self._known.get(word)
        if known is None:
            if len(self._known) >= MAX_REMEMBERED_WORDS:
                self._known.clear()
            analysed = [token.text for token in self.analyzer(word, removestops=False)]
            known = self._known[word] = analysed[0] if analysed else ""
        return known

    def tokens(self, text: str, matched: frozenset[str]) -> Iterator[Token]:
        """What ``analyzer(text, chars=True, removestops=False)`` yields, with ``matched``
        set as Whoosh's set_matched_filter sets it. One Token, reused, as analyzers do."""
        token = Token(positions=True, chars=True, removestops=False, mode="index")
        for position, found in enumerate(WORD.finditer(text)):
            token.text = self[found.group()]
            token.pos = position
            token.startchar, token.endchar = found.span()
            token.matched = token.text in matched
            token.boost = 1.0
            yield token

    def context_fragments(
        self, text: str, matched: frozenset[str], fragmenter: highlight.ContextFragmenter
    ) -> list[highlight.Fragment]:
        """ContextFragmenter.fragment_tokens over plain lists instead of a token stream,
        the same fragments (the tests compare them with Whoosh's): a body whose words do
        not match costs one findall and a dictionary lookup a word."""
        words = WORD.findall(text)
        known = self._known
        analysed = [known.get(word) or self[word] for word in words]
        hits = [term in matched for term in analysed]
        if not any(hits):
            return []
        spans = [found.span() for found in WORD.finditer(text)]
        return _context_fragments(text, spans, hits, analysed, fragmenter)


def _context_fragments(
    text: str,
    spans: list[tuple[int, int]],
    hits: list[bool],
    terms: list[str],
    fragmenter: highlight.ContextFragmenter,
) -> list[highlight.Fragment]:
    """whoosh.highlight.ContextFragmenter.fragment_tokens, step for step (its quirks
    included: a fragment with no match can be emitted, and scores nothing)."""
    maxchars, surround, charlimit = fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit
    fragments = []
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    matches: list[Token] = []
    endchar = None
    currentlen = 0
    for (startchar, endchar), hit, term in zip(spans, hits, terms, strict=True):
        length = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        if countdown < 0 and not hit:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + length > maxchars:
            countdown = 0
        elif hit:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            # The scorer counts distinct terms by their analysed text, as Whoosh's tokens.
            matches.append(Token(text=term, startchar=startchar, endchar=endchar, boost=1.0))
        if countdown >= 0:
            currentlen += length
            countdown -= length
            if countdown <= 0:
                fragments.append(highlight.mkfrag(text, matches, first, endchar))
                matches, firsts, first, currentlen = [], deque(), None, 0
    if matches:
        fragments.append(highlight.mkfrag(text, matches, first, endchar))
    return fragments


class Highlighter(highlight.Highlighter):
    """Whoosh's highlighter with the retokenizing step replaced by WordAnalyses."""

    def __init__(self, analyses: WordAnalyses, **kwargs) -> None:
        super().__init__(**kwargs)
        self.analyses = analyses

    def highlight_hit(self, hitobj, fieldname, text=None, top=3, minscore=1, strict_phrase=False):
        results = hitobj.results
        field = results.searcher.schema[fieldname]
        if text is None:
            text = hitobj[fieldname]
        terms = results.query_terms(expand=True, fieldname=fieldname)
        words = frozenset(field.from_bytes(term[1]) for term in terms)
        if not words:
            return ""
        if isinstance(self.fragmenter, highlight.ContextFragmenter):
            fragments = self.analyses.context_fragments(text, words, self.fragmenter)
        else:
            tokens = self._merge_matched_tokens(self.analyses.tokens(text, words))
            fragments = self.fragmenter.fragment_tokens(text, tokens)
        fragments = highlight.top_fragments(
            fragments, top, self.scorer, self.order, minscore=minscore
        )
        return self.formatter.format(fragments)
