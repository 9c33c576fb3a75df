"""The words of an index generation (Whoosh or tantivy), for spelling suggestions.

Whoosh can keep unstemmed words for its correctors (``spelling=True``), but on the body
that indexes every article's text a second time: indexing ran at 81 articles/s with it and
146 without. The distinct words of all articles are few (a few hundred thousand at most),
so they live in a sorted text file beside the index, merged under the index's writer lock.
Suggestions compare a word with the known words of about its length by edit distance
(rapidfuzz, in C++): Whoosh's ListCorrector builds a Levenshtein automaton in Python for
every word asked, 25 to 40 ms each at 30,000 words. Edits are counted as optimal string
alignment does: a letter added, dropped or changed, or two letters swapped, is one edit.
"""

import os
import threading
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import distance, process

from search.documents import SearchDocument
from search.spelling import ChunksSeen

FILE_NAME = "VOCABULARY"
MAX_EDITS = 2
SUGGESTIONS = 3


class Vocabulary:
    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self._lock = threading.Lock()
        self._loaded_at: float | None = None
        self._known: frozenset[str] = frozenset()
        self._by_length: dict[int, list[str]] = {}
        # Chunks of text whose words are known to be in the file, kept per process.
        self._merged = ChunksSeen()

    def _refresh(self) -> None:
        try:
            modified = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            modified = None
        with self._lock:
            if modified == self._loaded_at:
                return
            # A damaged file costs suggestions some words, not search: decode it anyway.
            text = self.path.read_text(encoding="utf-8", errors="replace") if modified else ""
            words = text.split()
            if len(words) < len(self._known):  # the file lost words: merged ones may be gone
                self._merged = ChunksSeen()
            self._hold(words, modified)

    def _hold(self, words: list[str], modified: int | None) -> None:
        by_length: dict[int, list[str]] = {}
        for word in words:
            by_length.setdefault(len(word), []).append(word)
        self._known, self._loaded_at = frozenset(words), modified
        self._by_length = by_length

    def __contains__(self, word: str) -> bool:
        self._refresh()
        return word in self._known

    def suggest(self, word: str, limit: int | None = SUGGESTIONS) -> list[str]:
        """Up to ``limit`` (None: all) known words within two edits of ``word``: the fewest
        edits first, then alphabetically. Two letters swapped are one edit ("syrai",
        "syria")."""
        return [known for _, known in self._near(word)[:limit]]

    def nearest(self, word: str) -> list[str]:
        """The known words at the fewest edits from ``word`` (two at most), alphabetically:
        the words a correction chooses among."""
        near = self._near(word)
        return [known for edits, known in near if edits == near[0][0]]

    def _near(self, word: str) -> list[tuple[int, str]]:
        """(edits, known word) within two edits, fewest first, then alphabetically."""
        self._refresh()
        near: list[tuple[int, str]] = []
        for length in range(len(word) - MAX_EDITS, len(word) + MAX_EDITS + 1):
            candidates = self._by_length.get(length)
            if candidates:
                found = process.extract(
                    word,
                    candidates,
                    scorer=distance.OSA.distance,
                    score_cutoff=MAX_EDITS,
                    limit=None,
                )
                near += [(edits, known) for known, edits, _ in found]
        return sorted(near)

    def pending(self) -> "PendingWords":
        """Words to merge in, gathered from documents batch by batch."""
        return PendingWords(self)

    def add(self, words: set[str]) -> None:
        """Merge new words in. Call while holding the index's writer lock."""
        self._refresh()
        if words <= self._known:
            return
        merged = sorted(self._known | words)
        pending = self.path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        pending.write_text("\n".join(merged), encoding="utf-8")
        os.replace(pending, self.path)
        # Known at once, not when the file's time is next looked at: two writes within the
        # file system's clock tick leave the same time.
        with self._lock:
            self._hold(merged, self.path.stat().st_mtime_ns)


class PendingWords:
    """The words of documents written to an index, to merge into its vocabulary. A chunk of
    text (search.spelling.chunks_of) merged before, in this process, or gathered already is
    not read again: the file only ever gains words, so its words are there."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.words: set[str] = set()
        self._gathered = ChunksSeen()

    def gather(self, documents: Iterable[SearchDocument]) -> None:
        self.words |= self._gathered.new_words(documents, self.vocabulary._merged.chunks)

    def merge(self) -> None:
        """Merge what was gathered into the file. Call while holding the index's writer
        lock."""
        self.vocabulary.add(self.words)
        self.vocabulary._merged.remember(self._gathered.chunks)
        self.words, self._gathered = set(), ChunksSeen()
