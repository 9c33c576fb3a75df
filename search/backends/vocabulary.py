"""The words of an index generation (Whoosh or tantivy), for spelling suggestions.

Whoosh can keep unstemmed words for its correctors (``spelling=True``), but on the body
that indexes every article's text a second time: indexing ran at 81 articles/s with it and
146 without. The distinct words of all articles are few (a few hundred thousand at most),
so they live in a sorted text file beside the index, merged under the index's writer lock.
Suggestions compare a word with the known words of about its length by edit distance
(rapidfuzz, in C++): Whoosh's ListCorrector builds a Levenshtein automaton in Python for
every word asked, 25 to 40 ms each at 30,000 words.
"""

import os
import threading
from pathlib import Path

from rapidfuzz import distance, process

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
            by_length: dict[int, list[str]] = {}
            for word in words:
                by_length.setdefault(len(word), []).append(word)
            self._known, self._loaded_at = frozenset(words), modified
            self._by_length = by_length

    def __contains__(self, word: str) -> bool:
        self._refresh()
        return word in self._known

    def suggest(self, word: str) -> list[str]:
        """Up to three known words within two edits of ``word``: the fewest edits first,
        then alphabetically."""
        self._refresh()
        near: list[tuple[int, str]] = []
        for length in range(len(word) - MAX_EDITS, len(word) + MAX_EDITS + 1):
            candidates = self._by_length.get(length)
            if candidates:
                found = process.extract(
                    word,
                    candidates,
                    scorer=distance.Levenshtein.distance,
                    score_cutoff=MAX_EDITS,
                    limit=None,
                )
                near += [(edits, known) for known, edits, _ in found]
        return [known for _, known in sorted(near)[:SUGGESTIONS]]

    def add(self, words: set[str]) -> None:
        """Merge new words in. Call while holding the index's writer lock."""
        self._refresh()
        if words <= self._known:
            return
        merged = sorted(self._known | words)
        pending = self.path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        pending.write_text("\n".join(merged), encoding="utf-8")
        os.replace(pending, self.path)
