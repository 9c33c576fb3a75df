"""How the Whoosh backend cuts text into indexed words: Whoosh's own analysis, each distinct
word analysed once.

The words are Whoosh's components chained (``stock_analyzer``): a regular expression for
words, then lower case, a possessive's "'s" dropped, accents folded, stop words dropped
(positions kept, so a phrase cannot jump the gap a stop word left), English stemming. Each
filter is a Python generator over every word of a text, about 5 µs a word: analysing a
600-word body was 60% of what Whoosh spends indexing an article. Every filter works on one
word at a time and looks at no other, so a word analyses the same wherever it stands:
``WordAnalyzer`` cuts the text with the same expression, and analyses each distinct word
once per process with the chain itself, remembering the result. The tokens are the chain's
(text, position, characters, stopped), which tests/search/test_whoosh_analysis.py checks on
generated text. Indexing needs no tokens, only each word's positions: ``WordPositions`` (the
text fields' posting format) asks the analyzer for those directly and writes the postings
Whoosh's own format writes.
"""

import re
from collections import defaultdict

from whoosh import formats
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.support.charset import accent_map

from search.query import WORD_PATTERN

# search.query's words without backtracking (possessive quantifiers): a letter given back
# could never let an apostrophe match, so the matches are WORD_PATTERN's; a body is cut 15%
# faster. The chain keeps WORD_PATTERN: indexes hold it in their pickled schema.
WORD_PATTERN_POSSESSIVE = r"[^\W_]++(?:['’][^\W_]++)*+"
_WORD = re.compile(WORD_PATTERN_POSSESSIVE)
# Words remembered per process: news vocabulary is Zipfian, so this holds nearly every word
# an ingest meets; past it, the memory is emptied and fills again.
MAX_REMEMBERED_WORDS = 200_000


class PossessiveFilter(Filter):
    """ "Kirkuk's" and "regime’s" as "kirkuk" and "regime": a reader looking for the regime
    finds the regime's forces (Porter's stemmer, unlike Snowball's, leaves the "'s" on, and
    "regime'" is no stem of "regime"). Other inner apostrophes stay: "o'brien", "don't"."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if text[-2:] in _POSSESSIVE_ENDINGS:
                token.text = text[:-2]
            yield token


_POSSESSIVE_ENDINGS = frozenset({"'s", "’s"})  # after lower case


def stock_analyzer():
    """Whoosh's components, chained: what every word goes through."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | PossessiveFilter()
        | CharsetFilter(accent_map)
        | StopFilter(renumber=False)
        | StemFilter()
    )


class WordAnalyzer(Analyzer):
    """``stock_analyzer()``'s tokens, each distinct word analysed once and remembered.

    Whoosh pickles a schema, analyzers included, into the index's table of contents at
    every commit, after calling ``clean()``: the memory of words is left out of it."""

    def __init__(self) -> None:
        self.chain = stock_analyzer()
        self._known: dict[str, tuple[str, bool]] = {}

    def __getstate__(self) -> dict:
        return {"chain": self.chain}

    def __setstate__(self, state: dict) -> None:
        self.chain = state["chain"]
        self._known = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordAnalyzer) and self.chain == other.chain

    def __hash__(self) -> int:
        return hash(type(self))

    def clean(self) -> None:
        self._known = {}

    def has_morph(self) -> bool:
        return self.chain.has_morph()

    def analysed(self, word: str) -> tuple[str, bool]:
        """The word as the chain leaves it, and whether it is a stop word."""
        found = self._known.get(word)
        if found is None:
            if len(self._known) >= MAX_REMEMBERED_WORDS:
                self._known.clear()
            found = self._known[word] = one_word(self.chain, word)
        return found

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs,
    ):
        if not tokenize or keeporiginal or no_morph:  # ways the backend never asks for
            return self.chain(
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                no_morph=no_morph,
                **kwargs,
            )
        return self._tokens(
            value, positions, chars, removestops, start_pos, start_char, mode, kwargs
        )

    def positions_of(self, value: str) -> dict[str, list[int]]:
        """Each indexed word's positions in ``value``, words in the order they first come:
        what Whoosh's Positions format gathers from the tokens of ``self(value,
        positions=True)``, without a token for every word."""
        positions: defaultdict[str, list[int]] = defaultdict(list)
        known = self._known
        for position, word in enumerate(_WORD.findall(value)):
            text, stopped = known.get(word) or self.analysed(word)
            if not stopped:
                positions[text].append(position)
        return positions

    def _tokens(self, value, positions, chars, removestops, start_pos, start_char, mode, kwargs):
        # One Token, reused: as Whoosh's tokenizers do, and what its indexing expects.
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        known = self._known
        for position, match in enumerate(_WORD.finditer(value)):
            word = match.group()
            text, stopped = known.get(word) or self.analysed(word)
            if stopped and removestops:
                continue
            token.text = text
            token.boost = 1.0
            token.stopped = stopped
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


_STOCK_STEPS = (
    RegexTokenizer,
    LowercaseFilter,
    PossessiveFilter,
    CharsetFilter,
    StopFilter,
    StemFilter,
)


def one_word(chain, word: str) -> tuple[str, bool]:
    """The token ``chain`` makes of one word (a whole match of its expression): its text
    and whether it is a stop word. For stock_analyzer's chain, its filters' steps as plain
    calls: the chain's generators and the stemmer's own cache made a word three times the
    work (8 against 2.5 µs, most of it the stemmer), which showed in a results page's
    highlights of words a worker had not met yet. Another chain runs as itself."""
    steps = getattr(chain, "items", ())
    if tuple(map(type, steps)) != _STOCK_STEPS or steps[0].expression.pattern != WORD_PATTERN:
        tokens = [(t.text, t.stopped) for t in chain(word, removestops=False)]
        (found,) = tokens  # one word in, one token out
        return found
    charset, stop, stem = steps[3], steps[4], steps[5]
    text = word.lower()
    if text[-2:] in _POSSESSIVE_ENDINGS:
        text = text[:-2]
    text = text.translate(charset.charmap)
    too_short_or_long = len(text) < stop.min or (stop.max is not None and len(text) > stop.max)
    if too_short_or_long or text in stop.stops:
        return text, True
    return (text if text in stem.ignore else stem.stemfn(text)), False


class WordPositions(formats.Positions):
    """Whoosh's Positions format (frequency, weight and positions in each posting), whose
    postings for a text analysed by a WordAnalyzer are made from ``positions_of``."""

    def word_values(self, value, analyzer, **kwargs):
        # Whoosh's indexing passes the mode ("index"), which the analysis does not heed.
        if (
            not isinstance(analyzer, WordAnalyzer)
            or not isinstance(value, str)
            or kwargs.keys() - {"mode"}
        ):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        # As Positions.word_values: a word's weight is its tokens' boosts (1.0 each) added
        # up, times the field's boost.
        return (
            (word, len(found), float(len(found)) * boost, self.encode(found))
            for word, found in analyzer.positions_of(value).items()
        )
