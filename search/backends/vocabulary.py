"""The words of an index generation (Whoosh or tantivy), for spelling suggestions.

Whoosh can keep unstemmed words for its correctors (``spelling=True``), but on the body
that indexes every article's text a second time: indexing ran at 81 articles/s with it and
146 without. The distinct words of all articles are few (a few hundred thousand at most),
so they live in a sorted text file beside the index, merged under the index's writer lock
and read by ``whoosh.spelling.ListCorrector``.
"""

import os
import threading
from pathlib import Path

from whoosh.spelling import ListCorrector

FILE_NAME = "VOCABULARY"


class Vocabulary:
    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self._lock = threading.Lock()
        self._loaded_at: float | None = None
        self._words: list[str] = []
        self._known: frozenset[str] = frozenset()

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
            self._words, self._known, self._loaded_at = words, frozenset(words), modified

    def __contains__(self, word: str) -> bool:
        self._refresh()
        return word in self._known

    def suggest(self, word: str) -> list[str]:
        """Known words within two edits of ``word``, closest first."""
        self._refresh()
        if not self._words:
            return []  # ListCorrector fails on an empty list
        return ListCorrector(self._words).suggest(word, limit=3, maxdist=2)

    def add(self, words: set[str]) -> None:
        """Merge new words in. Call while holding the index's writer lock."""
        self._refresh()
        if words <= self._known:
            return
        merged = sorted(self._known | words)
        pending = self.path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        pending.write_text("\n".join(merged), encoding="utf-8")
        os.replace(pending, self.path)
