"""Whoosh's file storage, reading segments through a memory map without copying them.

Whoosh opens a segment's compound file through a memory map and then hands each file in it
to a ``BufferFile``, which wraps the mapped bytes in a ``BytesIO``: that copies them. So
every reader a searcher or writer opens holds a private copy of every segment's term index
and postings, in anonymous memory that grows with the index (254 MiB for a searcher over
30,000 articles, measured). An ingest's writer opens one for every batch (its unique-id
deletions need a searcher), and Whoosh's writer processes, forked from it, inherit it.

``MappedFileStorage`` gives Whoosh files that read straight from the map: the pages are
the operating system's page cache, shared by every process and reclaimable, and a read
copies only the bytes it returns. Whoosh then takes the path it takes for a compound file
it was not allowed to map itself: it asks the file for ``subset``s, which here are views
of the same map.

Keeping the map for a reader's life is safe because Whoosh never rewrites a file it has
written: a merge writes a new segment and deletes the old files, which stay readable to a
reader that maps them until it closes.
"""

import contextlib
import mmap
import os

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile


class _ViewReader:
    """The file object under a ``MappedFile``: a position over a read-only memoryview."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._position = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._position = max(start, end)
        return self._view[start:end].tobytes()

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        # Pickles of protocol 2 and up never read lines; this is for completeness.
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            byte = self.read(1)
            line += byte
            if not byte or byte == b"\n":
                break
        return bytes(line)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: len(self._view)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._view = memoryview(b"")


class MappedFile(BufferFile):
    """A file of a mapped segment: ``get`` and ``subset`` slice the map, ``read`` copies
    only what it returns. ``release`` (given to the whole file's MappedFile) unmaps it."""

    def __init__(self, view: memoryview, name: str | None = None, release=None) -> None:
        # Not BufferFile.__init__: its BytesIO would copy the view.
        self._buf, self._name, self.onclose = view, name, None
        self.file = _ViewReader(view)
        self.is_real, self.is_closed = False, False
        self._release = release

    def subset(self, position: int, length: int, name: str | None = None) -> "MappedFile":
        return MappedFile(self._buf[position : position + length], name=name or self._name)

    def close(self) -> None:
        if self.is_closed:
            return
        self.is_closed = True
        self.file.close()
        if self._release is not None:
            self._release()


class MappedFileStorage(FileStorage):
    """A ``FileStorage`` whose files are read through a memory map, never copied whole."""

    def __init__(self, path: str, readonly: bool = False) -> None:
        # supports_mmap=False: Whoosh must not map (and copy) compound files itself; it
        # then reads them through the subsets of the mapped files opened here.
        super().__init__(path, supports_mmap=False, readonly=readonly)

    def open_file(self, name: str, **kwargs) -> StructFile:
        with open(self._fpath(name), "rb") as handle:
            if kwargs or os.fstat(handle.fileno()).st_size == 0:  # an empty file: no map
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(mapped)

        def release() -> None:
            view.release()
            # Subsets may still hold views: then the map goes with the last of them.
            with contextlib.suppress(BufferError):
                mapped.close()

        return MappedFile(view, name=name, release=release)
