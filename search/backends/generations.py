"""An embedded index kept as generations in a directory: the layout the Whoosh and tantivy
backends share.

    CURRENT            the name of the generation that serves searches
    gen-<stamp>/       a complete index (and its VOCABULARY file, for suggestions)
    REBUILDING         the process id of a `rebuild_index` building the next generation

A rebuild writes a new generation beside the serving one and swaps CURRENT when it is
complete, so searches never see a half-built index. Writing CURRENT is an atomic rename:
every process reads either the old name or the new one.
"""

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Generations:
    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> str | None:
        """The serving generation's name; None when there is no index yet."""
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def path(self, generation: str) -> Path:
        return self.root / generation

    def new(self) -> tuple[str, Path]:
        """An empty directory for the next generation (not serving until switch_to)."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 10**9:09d}"
        path = self.root / name
        path.mkdir()
        return name, path

    def switch_to(self, generation: str) -> None:
        pending = self.root / f"CURRENT.{os.getpid()}.tmp"
        pending.write_text(generation)
        os.replace(pending, self.root / "CURRENT")  # atomic: readers see old or new
        self._drop_old(keep={generation})

    def discard(self, generation: str) -> None:
        """Remove a generation that was never switched to (a rebuild that failed)."""
        shutil.rmtree(self.root / generation, ignore_errors=True)

    def _drop_old(self, keep: set[str]) -> None:
        # Keep the newest one besides `keep` a while: another process may still be reading it.
        generations = sorted(p.name for p in self.root.glob("gen-*") if p.name not in keep)
        for name in generations[:-1]:
            shutil.rmtree(self.root / name, ignore_errors=True)

    # Rebuilds

    def rebuilding(self) -> bool:
        """Whether a live process is building the next generation."""
        marker = self.root / "REBUILDING"
        try:
            pid = int(marker.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            marker.unlink(missing_ok=True)  # a rebuild that died: its marker means nothing
            return False
        except PermissionError:
            pass
        return True

    @contextmanager
    def marked_as_rebuilding(self) -> Iterator[None]:
        """Say so while this process builds the next generation: writers then wait (their
        changes stay in the outbox) instead of writing to a generation about to be replaced."""
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / "REBUILDING"
        marker.write_text(str(os.getpid()))
        try:
            yield
        finally:
            marker.unlink(missing_ok=True)
