"""What the backends share for "Did you mean": which words may be offered, which known word
replaces an unknown one, and how the corrected query is written back."""

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from archive.text import fold
from search.documents import SearchDocument
from search.query import WORD, ParsedQuery

if TYPE_CHECKING:
    from search.backends.vocabulary import Vocabulary


def correctable(word: str) -> bool:
    # Numbers and one- or two-letter words are never "misspelled": 2017 is not 2016.
    return word.isalpha() and 3 <= len(word) <= 40


def vocabulary_of(documents: Iterable[SearchDocument]) -> set[str]:
    """The words suggestions may offer: folded as query words are, alphabetic, not tiny."""
    return words_in(chunks_of(documents))


def chunks_of(documents: Iterable[SearchDocument]) -> set[str]:
    """The documents' distinct runs of text between white space, where words are looked
    for: cut in C, so that the word pattern and the folding run once per distinct chunk
    instead of once per word of every text, about five times faster on news bodies."""
    chunks: set[str] = set()
    for document in documents:
        chunks.update(document.title.split())
        chunks.update(document.body.split())
        chunks.update(document.dateline.split())  # searched as the others are
        for name in document.tag_names:
            chunks.update(name.split())
    return chunks


# Past this many chunks (about 25 MB), a ChunksSeen empties and fills again.
MAX_CHUNKS_SEEN = 300_000


class ChunksSeen:
    """Chunks of text (chunks_of) whose words were taken already: text seen again is not
    searched for words again. Most chunks of an ingest's batch came in earlier batches, and
    finding and folding their words again was a third of what its saving process did for
    an article. Past MAX_CHUNKS_SEEN it forgets them (forgotten, not lost: their words were
    taken) and fills again."""

    def __init__(self) -> None:
        self.chunks: set[str] = set()

    def new_words(self, documents: Iterable[SearchDocument], *also_seen: set[str]) -> set[str]:
        """The words of the documents' chunks neither seen here nor in ``also_seen``; those
        chunks are seen from now on."""
        new = chunks_of(documents).difference(self.chunks, *also_seen)
        self.remember(new)
        return words_in(new)

    def remember(self, chunks: set[str]) -> None:
        if len(self.chunks) + len(chunks) > MAX_CHUNKS_SEEN:
            self.chunks = set()
        self.chunks |= chunks


def words_in(chunks: Iterable[str]) -> set[str]:
    """vocabulary_of's words, from chunks_of's chunks (words never span white space)."""
    written = {word for chunk in chunks for word in WORD.findall(chunk)}
    return {word for raw in written for word in _folded(raw) if correctable(word)}


def _folded(word: str) -> list[str]:
    """fold(word).split(), with a shortcut for plain ASCII words (most of them): letters,
    digits and apostrophes only, they need lower case and the apostrophes as spaces."""
    if word.isascii():
        return word.lower().replace("'", " ").split()
    return fold(word).split()


def replace_words(text: str, corrections: dict[str, str]) -> str:
    """``text`` with each whole word in ``corrections`` replaced, but for the words of a
    field prefix and their values (``date:``, ``outlet:rudaw``): a reader's filters are not
    misspelled words. A title's words are words."""
    if not corrections:
        return text
    alternatives = "|".join(re.escape(w) for w in sorted(corrections, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)({alternatives})(?!\w)")

    def corrected(match: re.Match) -> str:
        return match.group() if in_a_filter(match) else corrections[match.group(1)]

    return pattern.sub(corrected, text)


def in_a_filter(match: re.Match) -> bool:
    """Whether a word matched in a query's text is a field's name or the value of a field
    other than ``title:``."""
    text, start, end = match.string, match.start(), match.end()
    if text[end : end + 1] == ":":
        return True
    prefix = _FIELD_BEFORE.search(text, 0, start)
    return prefix is not None and prefix.group(1).lower() != "title"


# A field prefix just before a word: `outlet:` or `tag:"` (a quoted value's first word).
_FIELD_BEFORE = re.compile(r'(?<![^\s(-])-?([A-Za-z]+):"?$')


def corrections_for(
    query: ParsedQuery,
    vocabulary: "Vocabulary",
    frequency: Callable[[str], int] | None = None,
) -> dict[str, str]:
    """Each word of the query the vocabulary does not know, with the closest word it knows:
    the fewest edits, then (given ``frequency``, the number of articles holding a word) the
    most common, then alphabetical; words with no close word are left out."""
    corrections: dict[str, str] = {}
    for word in {word for term in query.terms for word in term.words}:
        folded = fold(word)
        if not correctable(folded) or folded in vocabulary:
            continue
        # Every word at the fewest edits is weighed (not an alphabetical few of them).
        nearest = vocabulary.nearest(folded)
        if nearest:
            corrections[word] = min(nearest, key=lambda c: (-frequency(c) if frequency else 0, c))
    return corrections
