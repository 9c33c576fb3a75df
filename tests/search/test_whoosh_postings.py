"""Postings files (search/backends/whoosh_postings.py): a big segment's long lists decoded
once into a file beside it, which searches map instead of decoding Whoosh's blocks. The
answers must be the ones read from Whoosh, to the score; the file goes with its segment;
a damaged or missing file costs speed only."""

import logging
import os
import random
import time
from pathlib import Path

import pytest
from django.core.checks import run_checks

from search.backends import whoosh_arrays, whoosh_postings
from search.backends.base import SearchRequest
from search.backends.whoosh import SearchBackend
from search.query import parse_query
from tests.factories import bulletin
from tests.search.test_whoosh_arrays import _document, _requests


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


def _write(backend: SearchBackend, seed: int) -> None:
    """Several commits, updates and deletions: several segments, some documents deleted."""
    rng = random.Random(seed)
    for first in range(1, 241, 60):
        backend.apply([_document(rng, article_id) for article_id in range(first, first + 60)])
    backend.apply([_document(rng, article_id) for article_id in range(5, 40, 3)])
    backend.apply([], deletions=range(100, 130))


def _files(backend: SearchBackend) -> set[str]:
    folder = backend.root / backend._current_generation()
    return {path.name for path in folder.glob(f"*{whoosh_postings.SUFFIX}")}


def _segment_files(backend: SearchBackend) -> set[str]:
    segments = backend._open_index()._segments()
    return {whoosh_postings.file_name(segment) for segment in segments}


def _answers(backend: SearchBackend) -> list[tuple]:
    answers = []
    for request in _requests():
        found = backend.search(request)
        facets = {
            name: [(f.value, f.count) for f in counts] for name, counts in found.facets.items()
        }
        hits = [(hit.article_id, hit.score, hit.title_html, hit.snippet_html) for hit in found.hits]
        answers.append((found.total, hits, facets, found.suggestion))
    return answers


def test_answers_from_the_files_are_whooshs_to_the_score(
    tmp_path, monkeypatch, lists_read_from_whoosh
):
    from_whoosh = SearchBackend(index_dir=tmp_path / "plain")
    _write(from_whoosh, seed=2017)
    assert not _files(from_whoosh)  # small segments: no files by default
    expected = _answers(from_whoosh)
    assert lists_read_from_whoosh

    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 1)
    with_files = SearchBackend(index_dir=tmp_path / "files")
    _write(with_files, seed=2017)
    assert _files(with_files) == _segment_files(with_files)
    lists_read_from_whoosh.clear()

    assert _answers(with_files) == expected
    assert lists_read_from_whoosh == []  # every list came from a file


def test_a_segment_merged_away_takes_its_file_along(tmp_path, every_list_in_files):
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(3)
    for first in range(1, 200, 10):  # twenty small commits: Whoosh merges them as it goes
        backend.apply([_document(rng, article_id) for article_id in range(first, first + 10)])
        assert _files(backend) == _segment_files(backend)
    assert len(_segment_files(backend)) < 20


def test_short_lists_are_read_from_whoosh(tmp_path, monkeypatch, lists_read_from_whoosh):
    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 40)
    backend = SearchBackend(index_dir=tmp_path)
    rng = random.Random(8)
    backend.apply([_document(rng, article_id) for article_id in range(1, 101)])
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
    backend.apply([_document(rng, article_id) for article_id in range(1, 61)])
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
    backend.apply([_document(rng, article_id) for article_id in range(1, 61)])
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
    backend.apply([_document(rng, article_id) for article_id in range(1, 61)])
    (older,) = _segment_files(backend)
    monkeypatch.setattr(whoosh_postings, "MIN_SEGMENT_DOCUMENTS", 1)
    monkeypatch.setattr(whoosh_postings, "MIN_POSTINGS", 1)

    backend.apply([_document(rng, 61)])
    assert older not in _files(backend)
    assert _files(backend) == _segment_files(backend) - {older}

    write = backend.bulk_write()  # as the ingest writes: its merge process writes them all
    write.add([_document(rng, 62)])
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

    backend.apply([_document(random.Random(1), 1)])

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
