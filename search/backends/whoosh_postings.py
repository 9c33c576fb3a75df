"""A big segment's long postings lists, decoded once and kept in a file beside it.

Whoosh stores a term's postings in blocks that Python decodes one at a time; a common
word's list in a segment of 50,000 articles is tens of thousands of postings, and reading
the lists of a query's words was half the time of a /search/ page at 100,000 articles,
even in a worker that had asked them before (the per-process cache, kept small, cannot
hold the lists of every common word: whoosh_arrays.MAX_CACHED_POSTINGS).

A segment never changes once written (only its set of deleted documents does, applied on
every query as before). So the process that made a big segment writes, beside it,
``<segment id>.postings``: each list of at least MIN_POSTINGS postings of the searched
fields, exactly as ``whoosh_arrays`` reads them from Whoosh (the same function makes
both), one after another. A reader maps the file and takes each list as a view of it: no
decoding, no copy, and the pages are the operating system's, shared by every worker.
Shorter lists, small segments and a segment whose file is not written yet are read from
Whoosh as before.

Whoosh's own clean-up deletes the file with its segment: the name is one of the segment's
file names to it (``whoosh.index.clean_files``). A file that cannot be read is logged and
not used: the lists are then read from Whoosh.

Lists of fields that keep positions (title, body, the tags' and the dateline's words) also
hold each posting's positions, decoded once as ``whoosh_arrays.read_positions`` decodes
them at query time: a phrase of common words checks thousands of candidates, and reading
their positions from Whoosh's blocks (a pickled list a posting) was most of a phrase
page's time (a common word's positions in 900 documents: 27 ms at 100,000 articles).

Layout: MAGIC; where the header starts and its length (8 bytes each, little-endian); each
list's document numbers (int32) and then its weights (float32), and for a field with
positions, each posting's number of positions and then the positions, all of them one
after another (each in 16 bits when every value fits, else 32); the header (JSON: the
segment's document count, and per list its field, its term in hex, where it starts, its
length and, with positions, the two widths and how many positions). A file of the first
layout (MAGIC_WITHOUT_POSITIONS, written before positions were kept) is read as before:
its phrases' positions come from Whoosh.
"""

import contextlib
import json
import logging
import mmap
import os
import struct
import time
from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np
from whoosh.reading import SegmentReader

logger = logging.getLogger(__name__)

MAGIC = b"DLPOSTS2"
MAGIC_WITHOUT_POSITIONS = b"DLPOSTS1"
SUFFIX = ".postings"
# Lists shorter than this are cheap to decode and cached by each process.
MIN_POSTINGS = 512
# Segments smaller than this are written often and merged away soon: not worth a file.
MIN_SEGMENT_DOCUMENTS = 10_000
# A temporary file older than this was left by a writer that was killed.
ABANDONED_AFTER_SECONDS = 3600
# The fields whose terms queries and filters read (not id, year or the dates, which come
# from columns).
FIELDS = ("title", "body", "tags_text", "dateline", "outlet", "tag", "region", "language")


def file_name(segment) -> str:
    return segment.make_filename(SUFFIX)


def write_postings_files(ix, skip: Collection[str] = ()) -> int:
    """Write the file of each segment of ``ix`` (an index in a folder on disk) that should
    have one and has none, but for the segments whose ids are in ``skip``; returns how many
    were written. Only those segments are opened: after most commits, none. Before writing,
    removes what a writer killed mid-file left."""
    toc = ix._read_toc()
    lacking = [s for s in _lacking_files(ix, toc.segments) if s.segment_id() not in skip]
    if lacking:
        _remove_abandoned(Path(ix.storage.folder))
    for segment in lacking:
        with SegmentReader(ix.storage, toc.schema, segment, toc.generation) as reader:
            write_file(reader, Path(ix.storage.folder) / file_name(segment))
    return len(lacking)


def segments_without_files(ix) -> int:
    """How many segments should have a file and have none: an index written before
    postings files, until the next ingest or rebuild."""
    return sum(1 for _ in _lacking_files(ix, ix._segments()))


def _lacking_files(ix, segments) -> Iterator:
    """The ``segments`` of MIN_SEGMENT_DOCUMENTS or more with no file beside them (none in
    an index that is not in a folder on disk)."""
    folder = getattr(ix.storage, "folder", None)
    if folder is None:
        return
    for segment in segments:
        big = segment.doc_count_all() >= MIN_SEGMENT_DOCUMENTS
        if big and not (Path(folder) / file_name(segment)).exists():
            yield segment


def _remove_abandoned(folder: Path) -> None:
    # A file being written is renamed into place within a minute or so; Whoosh's clean-up
    # skips names that start with a dot.
    for temporary in folder.glob(f".*{SUFFIX}.*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - temporary.stat().st_mtime > ABANDONED_AFTER_SECONDS:
                temporary.unlink()


def write_file(reader, path: Path) -> None:
    """One segment's file, a list at a time (a big segment's lists are hundreds of MB:
    only one is held at once), written under a name Whoosh leaves alone (a dot first) and
    then renamed into place, so a reader never sees half of it."""
    from search.backends.whoosh_arrays import _read_postings, read_positions

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            out.write(MAGIC + struct.pack("<QQ", 0, 0))  # where the header goes: below
            lists = []
            for field in FIELDS:
                if field not in reader.schema:
                    continue
                with_positions = reader.schema[field].format.supports("positions")
                for term in reader.lexicon(field):
                    if reader.doc_frequency(field, term) < MIN_POSTINGS:
                        continue
                    postings = _read_postings(reader, field, term, listed=True)
                    listed = [field, term.hex(), out.tell(), len(postings.ids)]
                    out.write(postings.ids.astype("<i4").tobytes())
                    out.write(postings.weights.astype("<f4").tobytes())
                    if with_positions:
                        positions, counts = read_positions(reader, field, term, postings.ids)
                        counts_type, positions_type = _narrowest(counts), _narrowest(positions)
                        out.write(counts.astype(counts_type).tobytes())
                        out.write(positions.astype(positions_type).tobytes())
                        listed += [counts_type, positions_type, len(positions)]
                    lists.append(listed)
            header = json.dumps(
                {"documents": reader.doc_count_all(), "lists": lists}, separators=(",", ":")
            ).encode()
            header_at = out.tell()
            out.write(header)
            out.seek(len(MAGIC))
            out.write(struct.pack("<QQ", header_at, len(header)))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _narrowest(values: np.ndarray) -> str:
    return "<u2" if not len(values) or int(values.max()) <= 0xFFFF else "<u4"


class PostingsFile:
    """A segment's file, mapped: ``get`` gives a list as views of the map, or None when
    the file does not hold it (a short list, or a term the segment lacks)."""

    def __init__(self, path: Path, documents: int) -> None:
        with path.open("rb") as source:
            self._map = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            if self._map[: len(MAGIC)] not in (MAGIC, MAGIC_WITHOUT_POSITIONS):
                raise ValueError("not a postings file")
            header_at, length = struct.unpack_from("<QQ", self._map, len(MAGIC))
            if len(self._map) != header_at + length:
                raise ValueError("cut short" if len(self._map) < header_at + length else "too long")
            header = json.loads(self._map[header_at:])
            if header["documents"] != documents:
                raise ValueError(f"made for {header['documents']} documents, not {documents}")
            self._lists = {
                (field, bytes.fromhex(term)): where for field, term, *where in header["lists"]
            }
        except Exception:
            self._map.close()
            raise

    @classmethod
    def beside(cls, folder: str | None, segment, documents: int) -> "PostingsFile | None":
        """The segment's file, if it has one that can be read."""
        if folder is None or segment is None:
            return None
        path = Path(folder) / file_name(segment)
        try:
            return cls(path, documents)
        except FileNotFoundError:
            return None
        except Exception as error:
            logger.warning("Postings file %s not used (%s): lists come from Whoosh.", path, error)
            return None

    def get(self, field: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        found = self._lists.get((field, term))
        if found is None:
            return None
        at, count = found[:2]
        ids = np.frombuffer(self._map, dtype="<i4", count=count, offset=at)
        weights = np.frombuffer(self._map, dtype="<f4", count=count, offset=at + 4 * count)
        return ids, weights

    def get_positions(
        self, field: str, term: bytes
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The list's document numbers, each posting's number of positions and all the
        positions, posting after posting; None when the file holds no positions for it."""
        found = self._lists.get((field, term))
        if found is None or len(found) == 2:
            return None
        at, count, counts_type, positions_type, total = found
        ids = np.frombuffer(self._map, dtype="<i4", count=count, offset=at)
        counts_at = at + 8 * count
        counts = np.frombuffer(self._map, dtype=counts_type, count=count, offset=counts_at)
        positions_at = counts_at + counts.nbytes
        positions = np.frombuffer(self._map, dtype=positions_type, count=total, offset=positions_at)
        return ids, counts, positions
