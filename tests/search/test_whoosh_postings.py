"""Postings files (search/backends/whoosh_postings.py): a big segment's long lists decoded
once into a file beside it, which searches map instead of decoding Whoosh's blocks. The
answers must be the ones read from Whoosh, to the score; the file goes with its segment;
a damaged or missing file costs speed only."""

import json
import logging
import os
import random
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from django.core.checks import run_checks
from whoosh.reading import SegmentReader

from search.backends import whoosh_arrays, whoosh_postings
from search.backends.base import SearchRequest
from search.backends.whoosh import SearchBackend
from search.query import parse_query
from tests.factories import bulletin
from tests.search.oracle import oracle_requests, random_document


@pytest.fixture
def every_list_in_files(monkeypatch):
    """Files for every segment and every list, however small the test's index."""
    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 1)


@pytest.fixture
def lists_read_from_whoosh(monkeypatch) -> list[tuple[str, str]]:
    """The (field, term) of each list a search decodes from Whoosh's blocks: not a term
    the segment lacks (one lookup, nothing to decode), nor a facet table's reading of a
    whole field (``listed``)."""
    read = []
    original = whoosh_arrays._read_postings

    def recording(reader, field, text, listed=False):
        postings = original(reader, field, text, listed=listed)
        if not listed and len(postings.ids):
            read.append((field, text))
        return postings

    monkeypatch.setattr(whoosh_arrays, "_read_postings", recording)
    return read


@pytest.fixture
def positions_read_from_whoosh(monkeypatch) -> list[tuple[str, str]]:
    """The (field, term) of each phrase word whose positions a search decodes from Whoosh."""
    read = []
    original = whoosh_arrays.read_positions

    def recording(reader, field, text, docs):
        read.append((field, text))
        return original(reader, field, text, docs)

    monkeypatch.setattr(whoosh_arrays, "read_positions", recording)
    return read


def _write(backend: SearchBackend, seed: int) -> None:
    """Several commits, updates and deletions: several segments, some documents deleted."""
    rng = random.Random(seed)
    for first in range(1, 241, 60):
        backend.apply([random_document(rng, article_id) for article_id in range(first, first + 60)])
    backend.apply([random_document(rng, article_id) for article_id in range(5, 40, 3)])
    backend.apply([], deletions=range(100, 130))


def _files(backend: SearchBackend) -> set[str]:
    folder = backend.root / backend._current_generation()
    return {path.name for path in folder.glob(f"*{whoosh_postings.SUFFIX}")}


def _segment_files(backend: SearchBackend) -> set[str]:
    segments = backend._open_index()._segments()
    return {whoosh_postings.file_name(segment) for segment in segments}


def _answers(backend: SearchBackend) -> list[tuple]:
    answers = []
    for request in oracle_requests():
        found = backend.search(request)
        facets = {
            name: [(f.value, f.count) for f in counts] for name, counts in found.facets.items()
        }
        hits = [(hit.article_id, hit.score, hit.title_html, hit.snippet_html) for hit in found.hits]
        answers.append((found.total, hits, facets, found.suggestion))
    return answers


def test_answers_from_the_files_are_whooshs_to_the_score(
    tmp_path, monkeypatch, lists_read_from_whoosh, positions_read_from_whoosh
):
    from_whoosh = SearchBackend(index_dir=tmp_path / "plain")
    _write(from_whoosh, seed=2017)
    assert not _files(from_whoosh)  # small segments: no files by default
    expected = _answers(from_whoosh)
    assert lists_read_from_whoosh
    assert positions_read_from_whoosh  # the requests' phrases

    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 1)
    with_files = SearchBackend(index_dir=tmp_path / "files")
    _write(with_files, seed=2017)
    assert _files(with_files) == _segment_files(with_files)
    lists_read_from_whoosh.clear()

    positions_read_from_whoosh.clear()

    assert _answers(with_files) == expected
    assert lists_read_from_whoosh == []  # every list came from a file
    assert positions_read_from_whoosh == []  # and every phrase word's positions


def _segment_readers(backend: SearchBackend):
    ix = backend._open_index()
    toc = ix._read_toc()
    folder = Path(ix.storage.folder)
    for segment in toc.segments:
        reader = SegmentReader(ix.storage, toc.schema, segment, toc.generation)
        yield reader, folder / whoosh_postings.file_name(segment)


def test_positions_from_the_file_are_whooshs_for_any_documents(tmp_path, every_list_in_files):
    """Every list of a field with positions holds them: for any of its documents, those
    read_positions decodes from Whoosh's blocks, in the same order."""
    backend = SearchBackend(index_dir=tmp_path)
    _write(backend, seed=11)
    rng = random.Random(11)
    checked = 0
    for reader, path in _segment_readers(backend):
        with reader:
            arrays = whoosh_arrays.SegmentArrays(
                reader.doc_count_all(), str(path.parent), reader.segment()
            )
            for field in ("title", "body", "tags_text", "dateline"):
                for term in reader.lexicon(field):
                    ids = whoosh_arrays._read_postings(reader, field, term, listed=True).ids
                    docs = np.sort(rng.sample(list(ids), rng.randint(1, len(ids))))
                    docs = np.asarray(docs, dtype=ids.dtype)
                    text = term.decode()
                    expected = whoosh_arrays.read_positions(reader, field, text, docs)
                    found = arrays.positions(reader, field, text, docs)
                    assert [a.tolist() for a in found] == [a.tolist() for a in expected]
                    assert found[0].dtype == expected[0].dtype == np.int64
                    checked += 1
            assert arrays._file is not None
            assert arrays._file.get_positions("body", b"oil")
            assert arrays._file.get_positions("outlet", b"afp") is None  # no positions kept
    assert checked > 200


def test_a_file_written_before_positions_were_kept_is_still_used(
    tmp_path, every_list_in_files, lists_read_from_whoosh, positions_read_from_whoosh
):
    """Files of the first layout (lists without positions), as indexes written before this
    hold them: their lists are used, and phrases' positions come from Whoosh."""
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(12)
    backend.apply([random_document(rng, article_id) for article_id in range(1, 61)])
    phrase = SearchRequest(query=parse_query('"ceasefire talks"'))
    expected = backend.search(phrase)
    assert expected.total
    (name,) = _files(backend)
    path = backend.root / backend._current_generation() / name
    _rewrite_without_positions(path)

    lists_read_from_whoosh.clear()
    positions_read_from_whoosh.clear()
    fresh = SearchBackend(index_dir=tmp_path)
    found = fresh.search(phrase)
    assert (found.total, found.hits) == (expected.total, expected.hits)
    assert lists_read_from_whoosh == []
    assert ("body", "ceasefir") in positions_read_from_whoosh


def _rewrite_without_positions(path: Path) -> None:
    """The file as the first layout wrote it: each list's ids and weights, nothing more."""
    data = path.read_bytes()
    header_at, length = struct.unpack_from("<QQ", data, len(whoosh_postings.MAGIC))
    header = json.loads(data[header_at : header_at + length])
    body, lists = bytearray(), []
    start = len(whoosh_postings.MAGIC) + 16
    for field, term, at, count, *_positions in header["lists"]:
        lists.append([field, term, start + len(body), count])
        body += data[at : at + 8 * count]
    old_header = json.dumps({"documents": header["documents"], "lists": lists}).encode()
    prefix = whoosh_postings.MAGIC_WITHOUT_POSITIONS + struct.pack(
        "<QQ", start + len(body), len(old_header)
    )
    path.write_bytes(prefix + bytes(body) + old_header)


def test_a_segment_merged_away_takes_its_file_along(tmp_path, every_list_in_files):
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(3)
    for first in range(1, 200, 10):  # twenty small commits: Whoosh merges them as it goes
        backend.apply([random_document(rng, article_id) for article_id in range(first, first + 10)])
        assert _files(backend) == _segment_files(backend)
    assert len(_segment_files(backend)) < 20


def test_a_warmed_up_backend_has_its_postings_files_open(tmp_path, every_list_in_files):
    _write(SearchBackend(index_dir=tmp_path), seed=4)
    opened = []
    postings_file = whoosh_postings.PostingsFile.__init__

    def opening(file, path, documents):
        opened.append(path.name)
        postings_file(file, path, documents)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(whoosh_postings.PostingsFile, "__init__", opening)
        backend = SearchBackend(index_dir=tmp_path)
        backend.warm_up()
        assert set(opened) == _files(backend) == _segment_files(backend)
        opened.clear()
        word = random_document(random.Random(4), 1).body.split()[0]
        assert backend.search(SearchRequest(query=parse_query(word))).total
        assert opened == []  # the first word search opens none


def test_short_lists_are_read_from_whoosh(tmp_path, monkeypatch, lists_read_from_whoosh):
    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 40)
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(8)
    backend.apply([random_document(rng, article_id) for article_id in range(1, 101)])
    common = backend.search(SearchRequest(query=parse_query("oil")))  # in most bodies
    assert common.total > 40
    assert ("body", "oil") not in lists_read_from_whoosh
    rare = backend.search(SearchRequest(outlets=("afp",)))
    assert rare.total < 40
    assert ("outlet", "afp") in lists_read_from_whoosh


def test_a_damaged_file_is_not_used_and_costs_nothing_but_speed(
    tmp_path, every_list_in_files, lists_read_from_whoosh, caplog
):
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(4)
    backend.apply([random_document(rng, article_id) for article_id in range(1, 61)])
    expected = backend.search(SearchRequest(query=parse_query("oil water")))
    assert lists_read_from_whoosh == []
    (name,) = _files(backend)
    path = backend.root / backend._current_generation() / name
    path.write_bytes(path.read_bytes()[:-100])  # cut short

    fresh = SearchBackend(index_dir=tmp_path)  # another worker, opening the index now
    with caplog.at_level(logging.WARNING, logger="search.backends.whoosh_postings"):
        found = fresh.search(SearchRequest(query=parse_query("oil water")))
    assert "cut short" in caplog.text
    assert [(h.article_id, h.score) for h in found.hits] == [
        (h.article_id, h.score) for h in expected.hits
    ]
    assert found.total == expected.total
    assert lists_read_from_whoosh  # from Whoosh instead


def test_a_file_written_after_the_segment_was_opened_is_used(
    tmp_path, monkeypatch, lists_read_from_whoosh
):
    """The ingest's merge process writes a merged segment's file after its commit: a worker
    that opened the segment meanwhile looks for the file again."""
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(6)
    backend.apply([random_document(rng, article_id) for article_id in range(1, 61)])
    before = backend.search(SearchRequest(query=parse_query("oil")))
    assert ("body", "oil") in lists_read_from_whoosh
    assert not _files(backend)

    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 1)
    assert whoosh_postings.write_postings_files(backend._open_index()) == 1
    monkeypatch.setattr(whoosh_arrays, "POSTINGS_FILE_RECHECK_SECONDS", 0.0)
    lists_read_from_whoosh.clear()
    water = backend.search(SearchRequest(query=parse_query("water")))
    assert water.total
    assert lists_read_from_whoosh == []
    assert backend.search(SearchRequest(query=parse_query("oil"))).hits == before.hits


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_a_rebuild_and_a_bulk_writes_merge_write_the_files(backend, every_list_in_files):
    backend.rebuild([[bulletin(n) for n in range(1, 31)]])
    assert _files(backend) == _segment_files(backend) != set()
    write = backend.bulk_write()  # its merge runs in a process of its own
    write.add([bulletin(n) for n in range(31, 41)])
    write.commit()
    assert _files(backend) == _segment_files(backend)
    assert backend.search(SearchRequest(query=parse_query("bulletins"))).total == 40


def test_an_editors_save_writes_no_file_for_a_segment_it_did_not_make(
    tmp_path, monkeypatch, lists_read_from_whoosh
):
    """An index written before postings files has big segments without them; a sync's
    write (an editor's save waits for it) leaves those to the ingest and rebuild_index."""
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(7)
    backend.apply([random_document(rng, article_id) for article_id in range(1, 61)])
    (older,) = _segment_files(backend)
    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 1)

    backend.apply([random_document(rng, 61)])
    assert older not in _files(backend)
    assert _files(backend) == _segment_files(backend) - {older}

    write = backend.bulk_write()  # as the ingest writes: its merge process writes them all
    write.add([random_document(rng, 62)])
    write.commit()
    assert _files(backend) == _segment_files(backend)


def test_a_file_a_killed_writer_left_half_written_is_removed(tmp_path, every_list_in_files):
    backend = SearchBackend(index_dir=tmp_path)
    folder = Path(backend._open_index(create=True).storage.folder)
    abandoned = folder / f".MAIN_abc{whoosh_postings.SUFFIX}.4242.tmp"
    in_progress = folder / f".MAIN_def{whoosh_postings.SUFFIX}.4343.tmp"
    abandoned.write_bytes(b"half")
    in_progress.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))

    backend.apply([random_document(random.Random(1), 1)])

    assert not abandoned.exists()
    assert in_progress.exists()  # another process may be writing it now


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_the_checks_say_when_big_segments_have_no_file(backend, monkeypatch):
    def notices() -> list[str]:
        return [message.id for message in run_checks()]

    backend.apply([bulletin(n) for n in range(1, 21)])
    assert "search.I001" not in notices()  # a small segment is not meant to have one
    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 1)
    assert "search.I001" in notices()  # as an index written before postings files

    assert whoosh_postings.write_postings_files(backend._open_index()) == 1
    assert "search.I001" not in notices()


def test_counts_and_positions_take_32_bits_only_when_16_cannot_hold_them():
    assert whoosh_postings._narrowest(np.array([0, 65535])) == "<u2"
    assert whoosh_postings._narrowest(np.array([3, 65536])) == "<u4"  # a 65,537-word body
    assert whoosh_postings._narrowest(np.zeros(0, dtype=np.int64)) == "<u2"
