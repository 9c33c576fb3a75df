"""Highlighting the page's hits without running the analyzer over every word of every body.

Whoosh highlights a hit by re-analysing its whole text: every word goes through the
tokenizer and four filters (lower case, accent folding, stop words, stemming) as Python
generators, about 5 microseconds a word, so 30 ms or more for a page of ten 600-word
articles, more than the search itself. A body repeats the same few hundred distinct
words, and a word always analyses the same way, so here each distinct word is analysed
once per process (the same analyzer, one word at a time) and remembered. The snippet's
fragments are then cut by a copy of Whoosh's ContextFragmenter that walks plain lists
instead of a chain of token generators, jumping the stretches far from any match, and go
to Whoosh's scorer and formatter as before.
"""

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from itertools import accumulate

from whoosh import highlight
from whoosh.analysis import Token

from search.backends.whoosh_analysis import (
    MAX_REMEMBERED_WORDS,
    WORD_PATTERN_POSSESSIVE,
    one_word,
)

# The analyzer's own pattern: the same words, the same character offsets.
WORD = re.compile(WORD_PATTERN_POSSESSIVE)
# The text cut into the gaps between words and the words, alternately.
PARTS = re.compile(f"({WORD_PATTERN_POSSESSIVE})")


class WordAnalyses:
    """Each distinct word's analysed form, as the field's analyzer gives it for the word
    alone (stop words kept, as highlighting keeps them), and the other way round: the
    words met so far that analyse to a form."""

    def __init__(self, analyzer: Callable) -> None:
        self.analyzer = analyzer
        self._known: dict[str, str] = {}
        self._words_of: defaultdict[str, set[str]] = defaultdict(set)

    def __getitem__(self, word: str) -> str:
        known = self._known.get(word)
        if known is None:
            if len(self._known) >= MAX_REMEMBERED_WORDS:
                self._forget()
            known = self._analysed(word)
        return known

    def _analysed(self, word: str) -> str:
        # A WordAnalyzer's chain, not the analyzer: its own memory of the word would be a
        # second copy of this one.
        known = one_word(getattr(self.analyzer, "chain", self.analyzer), word)[0]
        self._known[word] = known
        self._words_of[known].add(word)
        return known

    def _forget(self) -> None:
        self._known.clear()
        self._words_of.clear()

    def marked(self, words: set[str], matched: frozenset[str]) -> set[str]:
        """Which of the distinct ``words`` analyse to one of ``matched``. Only the words not
        met before are analysed; the rest is set arithmetic in C, from the words known to
        give each matched form (a body's few hundred look-ups in Python were half its
        highlighting time)."""
        unknown = words.difference(self._known)
        if len(self._known) + len(unknown) > MAX_REMEMBERED_WORDS:
            self._forget()
            unknown = words
        for word in unknown:
            self._analysed(word)
        marked: set[str] = set()
        for form in matched:
            if spellings := self._words_of.get(form):
                marked |= words.intersection(spellings)
        return marked

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
        """ContextFragmenter.fragment_tokens without a token stream, the same fragments (the
        tests compare them with Whoosh's). The text is cut once (its regex was half the
        time), each distinct word is looked up once, word boundaries are running lengths
        added up in C, and the fragmenter's walk jumps the stretches far from any match: a
        body cost 0.37 ms, now 0.25 (600 words, bench/corpus.py)."""
        parts = PARTS.split(text)  # gap, word, gap, word, ..., gap
        words = parts[1::2]
        marked = self.marked(set(words), matched)
        if not marked:
            return []
        hits = [index for index, word in enumerate(words) if word in marked]
        # The running lengths of the parts: each word's start, then its end.
        bounds = list(accumulate(map(len, parts)))
        return _context_fragments(
            text, bounds[0:-1:2], bounds[1::2], hits, lambda index: self[words[index]], fragmenter
        )


def _context_fragments(
    text: str,
    starts: list[int],
    ends: list[int],
    hits: list[int],
    term_of: Callable[[int], str],
    fragmenter: highlight.ContextFragmenter,
) -> list[highlight.Fragment]:
    """whoosh.highlight.ContextFragmenter.fragment_tokens, step for step (its quirks
    included: a fragment with no match can be emitted, and scores nothing), over the
    words' ``starts`` and ``ends``, ``hits`` the sorted indexes of the matching words and
    ``term_of`` a word's analysed form.

    Between fragments Whoosh only keeps, in ``firsts``, the starts of the words within
    ``surround`` characters before the current one (where a fragment may open). Those
    stretches are jumped: at the next match, ``firsts`` is what the walk would have left,
    the starts since the last fragment within ``surround`` of the previous word's end,
    found by bisection."""
    maxchars, surround, charlimit = fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit
    # Whoosh stops at the first word that ends past charlimit.
    count = bisect_right(ends, charlimit) if charlimit else len(ends)
    is_hit = set(hits)
    fragments = []
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    matches: list[Token] = []
    currentlen = 0
    since_fragment = 0  # the first word after the last fragment
    index = 0
    while index < count:
        if countdown < 0 and index not in is_hit:
            following = bisect_left(hits, index)
            if following == len(hits) or hits[following] >= count:
                break  # no match left: nothing more to emit
            index = hits[following]
            low = bisect_left(starts, ends[index - 1] - surround, since_fragment, index)
            firsts = deque(starts[low:index])
        startchar, endchar = starts[index], ends[index]
        length = endchar - startchar
        if currentlen + length > maxchars:
            countdown = 0
        elif index in is_hit:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            # The scorer counts distinct terms by their analysed text, as Whoosh's tokens.
            matches.append(
                Token(text=term_of(index), startchar=startchar, endchar=endchar, boost=1.0)
            )
        if countdown >= 0:
            currentlen += length
            countdown -= length
            if countdown <= 0:
                fragments.append(highlight.mkfrag(text, matches, first, endchar))
                matches, firsts, first, currentlen = [], deque(), None, 0
                since_fragment = index + 1
        index += 1
    if matches:
        # Whoosh's last fragment ends at the last word it read: the one past charlimit, if
        # it stopped there.
        last = ends[count] if count < len(ends) else ends[count - 1]
        fragments.append(highlight.mkfrag(text, matches, first, last))
    return fragments


class Highlighter(highlight.Highlighter):
    """Whoosh's highlighter with the retokenizing step replaced by WordAnalyses. One
    serves one search's results: the query's words in a field are found once for all its
    hits, not again for each (Whoosh expands the query each time)."""

    def __init__(
        self,
        analyses: WordAnalyses,
        holds: Callable[[str, frozenset[str], int], bool] | None = None,
        **kwargs,
    ) -> None:
        """``holds(field, words, docnum)`` says from the index whether a document's field
        holds one of the (analysed) words; the text highlighted must then be that field's
        own, as it was indexed."""
        super().__init__(**kwargs)
        self.analyses = analyses
        self.holds = holds
        self._words: dict[str, frozenset[str]] = {}

    def highlight_hit(self, hitobj, fieldname, text=None, top=3, minscore=1, strict_phrase=False):
        if text is None:
            text = hitobj[fieldname]
        words = self._words.get(fieldname)
        if words is None:
            results = hitobj.results
            field = results.searcher.schema[fieldname]
            terms = results.query_terms(expand=True, fieldname=fieldname)
            words = self._words[fieldname] = frozenset(field.from_bytes(t[1]) for t in terms)
        if not words:
            return ""
        if minscore > 0 and self.holds and not self.holds(fieldname, words, hitobj.docnum):
            # No word of the text would be marked, and a fragment without a mark scores
            # nothing: Whoosh's answer, without reading the text (a rare word's hits often
            # have it in the title alone: most bodies of such a page).
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
