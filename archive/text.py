"""Text normalisation shared by ingest, places and search: one definition of "the same text"."""

import hashlib
import re
import unicodedata

import numpy as np

# Punctuation read as a space when folding: dashes, apostrophes, full stops, commas, brackets
# and slashes. The ASCII ones go through bytes.translate (_ASCII_PUNCTUATION_AS_SPACE).
_NON_ASCII_PUNCTUATION = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212’ʼʻ"
_SPACES = re.compile(r"\s+")
# Runs of spaces, tabs and no-break spaces but a lone space (most of them, left as they are).
_BLANKS_TO_COLLAPSE = re.compile(r"[\t\u00a0][ \t\u00a0]*| [ \t\u00a0]+")


def fold(text: str) -> str:
    """Fold text for matching names: accents and case removed, punctuation as spaces.

    "Déir ez-Zor", "DEIR EZ ZOR" and "deir ez–zor" all fold to "deir ez zor".
    """
    return _SPACES.sub(" ", _spaced(text)).strip()


def fold_words(text: str) -> list[str]:
    """``fold(text).split()``, without collapsing the spaces that split drops anyway (a
    SimHash of each article's body: a pass over the text saved)."""
    return _spaced(text).split()


def _spaced(text: str) -> str:
    if text.isascii():  # nothing to decompose, no marks to drop, ASCII punctuation only
        return text.lower().encode().translate(_ASCII_PUNCTUATION_AS_SPACE).decode()
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) < _WHOLE_TEXT_BELOW:
        return _spaced_slowly(text)
    # News text is nearly all ASCII: lower case and punctuation in one C pass over the bytes
    # (which leaves the bytes of other characters as they are), then each run of other
    # characters folded on its own. Every step works character by character (and NFKD's
    # reordering of marks stays inside a run), so this is the whole text folded: tested
    # against the first spelling in tests/properties/test_text.py.
    spaced = encoded.lower().translate(_ASCII_PUNCTUATION_AS_SPACE)
    high = np.frombuffer(encoded, dtype=np.uint8) >= 0x80
    edges = np.flatnonzero(np.diff(high, prepend=False, append=False)).tolist()
    pieces, done = [], 0
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        run = encoded[start:end].decode("utf-8", "surrogatepass")
        pieces += (spaced[done:start], _spaced_slowly(run).encode("utf-8", "surrogatepass"))
        done = end
    pieces.append(spaced[done:])
    return b"".join(pieces).decode("utf-8", "surrogatepass")


def _spaced_slowly(text: str) -> str:
    # Only the non-ASCII runs can hold marks: news text has few, so few are tested.
    without_marks = _NON_ASCII.sub(_without_marks, unicodedata.normalize("NFKD", text))
    # The ASCII punctuation (most of it: commas and full stops) in a C pass over the bytes,
    # then the few dashes and apostrophes left, each looked for with a fast string search.
    folded = without_marks.casefold().encode("utf-8", "surrogatepass")
    spaced = folded.translate(_ASCII_PUNCTUATION_AS_SPACE).decode("utf-8", "surrogatepass")
    for mark in _NON_ASCII_PUNCTUATION:
        if mark in spaced:
            spaced = spaced.replace(mark, " ")
    return spaced


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Texts shorter than this (in UTF-8 bytes: names, titles) are folded whole: finding their
# runs costs more than it saves.
_WHOLE_TEXT_BELOW = 256
# bytes.translate runs over a whole text in C: a regular expression stepping through an
# article body costs 30-100 microseconds, several times over in each ingest.
_ASCII_PUNCTUATION_AS_SPACE = bytes.maketrans(b"-'`.,()/", b" " * 8)


def _without_marks(match: re.Match) -> str:
    return "".join(ch for ch in match.group() if not unicodedata.combining(ch))


# Control characters but the tab and line ends (as str.splitlines knows them), and lone
# surrogates: no database stores NUL in text (PostgreSQL refuses it), no encoder takes a lone
# surrogate (JSON can spell one, "\ud800"), and no source means any of them as text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Bytes of UTF-8 text that cannot begin an unstorable character: all but the ASCII control
# characters of _CONTROL, 0xC2 (leads C1 controls, and also NBSP, «, ©...) and 0xED (leads
# surrogates, and also Hangul syllables from U+D000).
_SURELY_STORABLE_BYTES = bytes(
    set(range(256)) - set(range(0x09)) - set(range(0x0E, 0x1C)) - {0x1F, 0x7F, 0xC2, 0xED}
)


def storable(text: str) -> str:
    """The text without control characters (each a space) and with each lone surrogate the
    replacement character: what every database and encoder can hold."""
    # Most text holds none of them, which one C pass over its bytes tells (two patterns
    # stepping through it cost ten times as much).
    if not text.encode("utf-8", "surrogatepass").translate(None, _SURELY_STORABLE_BYTES):
        return text
    return _LONE_SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def tidy(text: str) -> str:
    """Unicode NFC with control characters removed, runs of spaces and tabs collapsed and
    each line trimmed."""
    normalised = unicodedata.normalize("NFC", storable(text))
    # One pass over the text, touching only runs that are not already a single space; none
    # without a tab, a no-break space or two spaces in a row, which three string searches
    # tell in a few microseconds (the pattern tries every space of a body: 60 µs).
    collapsed = normalised
    if "\t" in normalised or "\u00a0" in normalised or "  " in normalised:
        collapsed = _BLANKS_TO_COLLAPSE.sub(" ", normalised)
    return "\n".join(line.strip() for line in collapsed.splitlines())


def content_hash(title: str, body: str) -> str:
    """A stable fingerprint of an article's words, blind to spacing and case differences."""
    # split() and the \s of a str pattern both take str.isspace() characters as white space:
    # this is _SPACES.sub(" ", text).strip(), at half the cost.
    canonical = " ".join(f"{title}\n{body}".casefold().split())
    return hashlib.sha256(unicodedata.normalize("NFC", canonical).encode()).hexdigest()
