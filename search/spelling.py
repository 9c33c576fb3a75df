"""What both backends share for "Did you mean": which words may be offered, and how the
corrected query is written back."""

import re
from collections.abc import Iterable

from archive.text import fold
from search.documents import SearchDocument

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def correctable(word: str) -> bool:
    # Numbers and one- or two-letter words are never "misspelled": 2017 is not 2016.
    return word.isalpha() and 3 <= len(word) <= 40


def vocabulary_of(documents: Iterable[SearchDocument]) -> set[str]:
    """The words suggestions may offer: folded as query words are, alphabetic, not tiny."""
    written: set[str] = set()
    for document in documents:
        for text in (document.title, document.body, *document.tag_names):
            written.update(_WORD.findall(text))
    # Folding each distinct word, not the whole text, is most of the speed of this.
    return {word for raw in written for word in fold(raw).split() if correctable(word)}


def replace_words(text: str, corrections: dict[str, str]) -> str:
    """``text`` with each whole word in ``corrections`` replaced."""
    if not corrections:
        return text
    alternatives = "|".join(re.escape(w) for w in sorted(corrections, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)({alternatives})(?!\w)")
    return pattern.sub(lambda match: corrections[match.group(1)], text)
