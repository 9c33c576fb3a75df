"""The Whoosh backend merges an ingest's new segments with the small ones in a process of its
own: a merge's garbage grows with the segments it reads, and in the ingest's process it
stayed for the rest of the run (search/backends/whoosh.py, merge_small_segments)."""

import os

import pytest
from whoosh import writing as whoosh_writing

from search.backends import whoosh as whoosh_backend
from search.service import build_request
from tests.factories import bulletin

pytestmark = pytest.mark.parametrize("backend_name", ["whoosh"])

WRITES = 5
PER_WRITE = 5  # segments under 10 documents: MERGE_SMALL merges them


def test_a_bulk_writes_segments_are_merged_in_another_process(backend, tmp_path, monkeypatch):
    merged_by = tmp_path / "merged-by"
    merge_small = whoosh_writing.MERGE_SMALL

    def recording_merge(writer, segments):
        with merged_by.open("a") as record:
            record.write(f"{os.getpid()}\n")
        return merge_small(writer, segments)

    # Whoosh's own commit and the backend's merging process both find the policy by name.
    monkeypatch.setattr(whoosh_writing, "MERGE_SMALL", recording_merge)
    monkeypatch.setattr(whoosh_backend, "MERGE_SMALL", recording_merge)
    for first in range(0, WRITES * PER_WRITE, PER_WRITE):
        write = backend.bulk_write()
        write.add([bulletin(n) for n in range(first + 1, first + PER_WRITE + 1)])
        write.commit()

    merging_processes = merged_by.read_text().split()
    assert len(merging_processes) == WRITES  # a merge after each write
    assert str(os.getpid()) not in merging_processes
    segments = backend._open_index()._segments()
    assert len(segments) < WRITES  # small segments merged, not one more per write
    assert sum(segment.doc_count() for segment in segments) == WRITES * PER_WRITE
    assert backend.search(build_request("bulletins")).total == WRITES * PER_WRITE


def test_a_merge_that_fails_leaves_every_document_searchable(backend, monkeypatch, caplog):
    def failing_merge(writer, segments):
        raise OSError("disk full")

    monkeypatch.setattr(whoosh_backend, "MERGE_SMALL", failing_merge)
    for first in (0, PER_WRITE):
        write = backend.bulk_write()
        write.add([bulletin(n) for n in range(first + 1, first + PER_WRITE + 1)])
        write.commit()

    assert "Merging the search index's segments failed" in caplog.text
    assert backend.search(build_request("bulletins")).total == 2 * PER_WRITE
