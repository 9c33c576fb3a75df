"""Text normalisation shared by ingest, places and search: one definition of "the same text"."""

import hashlib
import re
import unicodedata

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_PUNCTUATION_AS_SPACE = re.compile(rf"[{_DASHES}'’`ʼʻ.,()/]+")
_SPACES = re.compile(r"\s+")
_BLANKS = re.compile(r"[ \t\u00a0]+")


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
    without_marks = text
    if not text.isascii():  # ASCII, most text: nothing to decompose and no marks to drop
        # Only the non-ASCII runs can hold marks: news text has few, so few are tested.
        without_marks = _NON_ASCII.sub(_without_marks, unicodedata.normalize("NFKD", text))
    return _PUNCTUATION_AS_SPACE.sub(" ", without_marks.casefold())


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(match: re.Match) -> str:
    return "".join(ch for ch in match.group() if not unicodedata.combining(ch))


# Control characters but the tab and line ends (as str.splitlines knows them), and lone
# surrogates: no database stores NUL in text (PostgreSQL refuses it), no encoder takes a lone
# surrogate (JSON can spell one, "\ud800"), and no source means any of them as text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def storable(text: str) -> str:
    """The text without control characters (each a space) and with each lone surrogate the
    replacement character: what every database and encoder can hold."""
    return _LONE_SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def tidy(text: str) -> str:
    """Unicode NFC with control characters removed, runs of spaces and tabs collapsed and
    each line trimmed."""
    normalised = unicodedata.normalize("NFC", storable(text))
    lines = (_BLANKS.sub(" ", line).strip() for line in normalised.splitlines())
    return "\n".join(lines)


def content_hash(title: str, body: str) -> str:
    """A stable fingerprint of an article's words, blind to spacing and case differences."""
    # split() and the \s of a str pattern both take str.isspace() characters as white space:
    # this is _SPACES.sub(" ", text).strip(), at half the cost.
    canonical = " ".join(f"{title}\n{body}".casefold().split())
    return hashlib.sha256(unicodedata.normalize("NFC", canonical).encode()).hexdigest()
