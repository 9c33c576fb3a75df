"""Highlighting the page's hits without running the analyzer over every word of every body.

Whoosh highlights a hit by re-analysing its whole text: every word goes through the
tokenizer and four filters (lower case, accent folding, stop words, stemming) as Python
generators, about 5 microseconds a word, so 30 ms or more for a page of ten 600-word
articles, more than the search itself. A body repeats the same few hundred distinct
words, and a word always analyses the same way, so here each distinct word is analysed
once per process (the same analyzer, one word at a time) and remembered; the tokens then
go to Whoosh's own fragmenter, scorer and formatter exactly as before.
"""

import bisect
import re
from collections.abc import Callable, Iterator

from whoosh import highlight
from whoosh.analysis import Token

# The tokenizer's pattern in search.backends.whoosh.analyzer(): the same words, the same
# character offsets.
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
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

    def tokens(
        self, text: str, matched: frozenset[str], context: int | None = None
    ) -> Iterator[Token]:
        """What ``analyzer(text, chars=True, removestops=False)`` yields, with ``matched``
        set as Whoosh's set_matched_filter sets it. One Token, reused, as analyzers do.

        With ``context`` (characters), only the tokens within that distance of a matched
        one: a fragmenter that looks no further than that around a match makes the same
        fragments from them, and a body with no match costs no tokens at all."""
        words = WORD.findall(text)
        known = self._known
        analysed = [known.get(word) or self[word] for word in words]
        hits = [number for number, term in enumerate(analysed) if term in matched]
        if context is not None and not hits:
            return
        spans = [found.span() for found in WORD.finditer(text)]
        wanted = range(len(words))
        if context is not None:
            wanted = _near(hits, spans, context)
        token = Token(positions=True, chars=True, removestops=False, mode="index")
        for number in wanted:
            token.text = analysed[number]
            token.pos = number
            token.startchar, token.endchar = spans[number]
            token.matched = token.text in matched
            token.boost = 1.0
            yield token


def _near(hits: list[int], spans: list[tuple[int, int]], context: int) -> list[int]:
    """The numbers of the tokens starting within ``context`` characters of a hit."""
    starts = [start for start, _ in spans]
    wanted: list[int] = []
    for hit in hits:
        low = bisect.bisect_left(starts, spans[hit][0] - context)
        high = bisect.bisect_right(starts, spans[hit][1] + context)
        wanted.extend(range(max(low, wanted[-1] + 1 if wanted else 0), high))
    return wanted


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
        tokens = self._merge_matched_tokens(
            self.analyses.tokens(text, words, context=_context_of(self.fragmenter))
        )
        fragments = self.fragmenter.fragment_tokens(text, tokens)
        fragments = highlight.top_fragments(
            fragments, top, self.scorer, self.order, minscore=minscore
        )
        return self.formatter.format(fragments)


def _context_of(fragmenter) -> int | None:
    """How far from a match a fragmenter can look, in characters: a ContextFragmenter ends
    a fragment ``surround`` characters of words after its last match and never spans more
    than ``maxchars``; words are at least a quarter of a text's characters (a one-letter
    word between dashes), so four times that, plus the context before, bounds it. Other
    fragmenters (the whole title) see every token."""
    if isinstance(fragmenter, highlight.ContextFragmenter):
        return 4 * (fragmenter.surround + fragmenter.maxchars)
    return None
