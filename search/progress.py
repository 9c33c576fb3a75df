"""Progress for long commands: a tqdm bar on a terminal, a plain line now and then elsewhere."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm


class _PlainProgress:
    """What a log file or CI wants: one line every ``every`` seconds, and one at the end."""

    def __init__(self, total: int | None, unit: str, stream: TextIO, every: float = 10.0):
        self.total, self.unit, self.stream, self.every = total, unit, stream, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def update(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._line(now)

    def _line(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        done = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        self.stream.write(f"{done} {self.unit} ({rate:.0f}/s)\n")
        self.stream.flush()

    def close(self) -> None:
        self._line(time.monotonic())


@contextmanager
def progress(total: int | None, unit: str = "articles", stream: TextIO | None = None) -> Iterator:
    stream = stream or sys.stderr
    if stream.isatty():
        bar = tqdm(total=total, unit=f" {unit}", file=stream, dynamic_ncols=True)
    else:
        bar = _PlainProgress(total, unit, stream)
    try:
        yield bar
    finally:
        bar.close()
