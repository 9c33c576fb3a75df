"""The Whoosh backend's storage reads segments through the memory map without copying them
(search/backends/whoosh_storage.py): opening a searcher costs next to nothing however big
the index, and everything reads back as Whoosh's own storage reads it."""

import os
import random
import tracemalloc

import pytest
from whoosh import index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import QueryParser

from search.backends.whoosh_storage import MappedFileStorage, _ViewReader

SCHEMA = Schema(id=ID(stored=True, unique=True), words=TEXT(stored=True), blob=STORED)


def _blob(number: int) -> str:
    # Random letters: they compress little, so the segments are megabytes on disk.
    rng = random.Random(number)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(40_000))


@pytest.fixture
def built(tmp_path):
    """An index of two compound segments holding about 3 MB, written by Whoosh's storage."""
    ix = index.create_in(str(tmp_path), SCHEMA)
    for first in (0, 50):
        with ix.writer() as writer:
            for number in range(first, first + 50):
                writer.add_document(
                    id=str(number), words=f"word{number} common", blob=_blob(number)
                )
    return tmp_path


def _segment_bytes(path) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(path) if entry.name.endswith(".seg"))


def _peak_reading_a_document(ix: index.Index) -> int:
    """Bytes allocated at most while a searcher opens and reads a document's stored fields."""
    ix.searcher().close()  # Whoosh's modules imported, not counted below
    tracemalloc.start()
    try:
        with ix.searcher() as searcher:
            searcher.stored_fields(searcher.document_number(id="7"))
            return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_searcher_does_not_copy_the_segments_into_memory(built):
    segments = _segment_bytes(built)
    assert segments > 2_000_000
    assert _peak_reading_a_document(MappedFileStorage(str(built)).open_index()) < segments / 8
    # What the storage avoids: Whoosh's own copies each file of a segment that it opens.
    assert _peak_reading_a_document(index.open_dir(str(built))) > segments / 2


def test_everything_reads_back_as_through_whooshs_own_storage(built):
    with (
        MappedFileStorage(str(built)).open_index().searcher() as mapped,
        index.open_dir(str(built)).searcher() as stock,
    ):
        assert mapped.doc_count() == stock.doc_count() == 100
        for number in (0, 49, 50, 99):
            docnum = mapped.document_number(id=str(number))
            assert docnum == stock.document_number(id=str(number))
            assert mapped.stored_fields(docnum) == stock.stored_fields(docnum)
            assert mapped.stored_fields(docnum)["blob"] == _blob(number)
        assert list(mapped.lexicon("words")) == list(stock.lexicon("words"))
        hits = [
            hit["id"]
            for hit in mapped.search(QueryParser("words", SCHEMA).parse("common"), limit=None)
        ]
        assert sorted(hits, key=int) == [str(number) for number in range(100)]


def test_a_writer_on_the_storage_replaces_merges_and_deletes(built):
    ix = MappedFileStorage(str(built)).open_index()
    with ix.writer() as writer:
        writer.update_document(id="3", words="replaced", blob="short")
        writer.delete_by_term("id", "60")
    with ix.writer() as writer:
        writer.add_document(id="100", words="new", blob="new")
    ix.optimize()  # every segment read through the map and merged into one
    with MappedFileStorage(str(built)).open_index().searcher() as searcher:
        assert searcher.doc_count() == 100
        assert searcher.stored_fields(searcher.document_number(id="3"))["blob"] == "short"
        assert searcher.document_number(id="60") is None
        assert searcher.stored_fields(searcher.document_number(id="99"))["blob"] == _blob(99)
        assert searcher.document_number(id="100") is not None


def test_the_view_reader_reads_seeks_and_reads_lines_like_a_file():
    reader = _ViewReader(memoryview(b"first line\nsecond\nlast"))
    assert reader.read(5) == b"first"
    assert reader.tell() == 5
    assert reader.readline() == b" line\n"
    assert list(reader) == [b"second\n", b"last"]
    assert reader.read() == b""
    assert reader.seek(-4, os.SEEK_END) == 18
    assert reader.read(100) == b"last"
    reader.seek(6)
    buffer = bytearray(4)
    assert reader.readinto(buffer) == 4
    assert bytes(buffer) == b"line"
    assert reader.seek(2, os.SEEK_CUR) == 12
    assert reader.read(-1) == b"econd\nlast"
