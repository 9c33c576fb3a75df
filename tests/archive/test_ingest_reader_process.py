"""The ingest's reader process: the same records, errors and articles as reading in the
saving process, in the same order, and it never outlives the ingest."""

import gzip
import io
import json
import multiprocessing
import os
import pickle
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from archive.ingest import pipeline
from archive.ingest.errors import IngestError
from archive.ingest.pipeline import Ingester
from archive.ingest.prepare import CHUNK, Prepared, ReaderProcessDied, completed
from archive.models import Article, Outlet
from archive.places import Gazetteer, current_gazetteer, forget_gazetteer
from search.documents import documents_for
from search.sync import StreamingApply
from tests.conftest import SAMPLE_PAGE

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Kurdistan 24</title>
  <item><title>Erbil airport reopens</title><link>https://k24.example/1</link>
    <pubDate>Tue, 15 Aug 2017 10:30:00 +0300</pubDate>
    <description>&lt;p&gt;ERBIL, Kurdistan Region – Flights resumed.&lt;/p&gt;</description>
  </item>
  <item><title></title><link>https://k24.example/2</link><description>No title.</description>
  </item>
</channel></rss>
"""


def record(number: int, **changes) -> dict:
    words = " ".join(f"word{(number * 7 + k) % 97}" for k in range(60))
    return {
        "title": f"Report {number} from Mosul",
        "body": f"BAGHDAD (Reuters) - Fighting near Mosul and Erbil, report {number}.\n\n{words}",
        "url": f"https://wire.example.com/{number}?utm_source=x",
        "outlet": "Wire",
        "published": f"2017-08-{1 + number % 28:02d}T10:00:00+03:00",
        "tags": ["Iraq", f"Front {number % 3}"],
        **changes,
    }


def sources(tmp_path) -> list[str]:
    """More than a chunk of JSON Lines with bad lines among them, a gzip, a feed with a bad
    entry, a saved page and an unreadable path: every kind of item, in a known order."""
    lines = [json.dumps(record(n)) for n in range(CHUNK + 10)]
    lines[3] = '{"title": "cut off'
    lines[CHUNK + 2] = json.dumps(record(99, published="soon"))
    lines[CHUNK + 5] = json.dumps(record(5))  # the same as line 6: a duplicate
    lines.append(json.dumps(record(200, body="<script>x</script>")))  # no text once stripped
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as stream:
        body = "ERBIL - Flights resumed.\n\nSubscribe to the Star\n\nThe airport reopened."
        stream.write(json.dumps(record(300, outlet="Daily Star", body=body)) + "\n")
    (tmp_path / "c.xml").write_text(FEED)
    return [
        str(tmp_path / "a.jsonl"),
        str(tmp_path / "b.jsonl.gz"),
        str(tmp_path / "c.xml"),
        str(SAMPLE_PAGE),
        str(tmp_path / "missing.jsonl"),
    ]


def as_comparable(item: Prepared | IngestError) -> tuple:
    if isinstance(item, IngestError):
        return ("error", item.source, item.line, item.reason, item.record)
    return ("article", item.data, item.digest, item.fingerprint, item.mentions)


def test_the_reader_process_prepares_what_reading_in_process_does_in_the_same_order(
    gazetteer, tmp_path
):
    Outlet.objects.create(name="Daily Star", slug="daily-star", boilerplate="Subscribe to the Star")
    paths = sources(tmp_path)
    in_process = [as_comparable(i) for i in Ingester()._items(paths)]
    in_reader = [as_comparable(i) for i in Ingester(reader_process=True)._items(paths)]

    assert in_reader == in_process
    errors = [(item[1], item[2]) for item in in_process if item[0] == "error"]
    assert errors == [
        (paths[0], 4),
        (paths[0], CHUNK + 3),
        (paths[0] + f":{CHUNK + 11}", None),  # no text once its markup is removed
        (paths[2] + "#2", None),
        (paths[4], None),
    ]
    assert len(in_process) == CHUNK + 11 + 1 + 2 + 1 + 1
    # The outlet's rules were read before the process was forked, and applied in it.
    star = next(item for item in in_reader if item[0] == "article" and "300" in item[1].title)
    assert star[1].body == "Flights resumed.\n\nThe airport reopened."


def test_a_chunk_completed_step_by_step_holds_what_each_record_computes_on_its_own(
    gazetteer, tmp_path
):
    """The reader process leaves undeclared languages to ``completed``, which detects a
    chunk's at once before its hashes, fingerprints and places: the same values."""
    paths = sources(tmp_path)
    declared = tmp_path / "declared.jsonl"
    declared.write_text(json.dumps(record(400, language="pt_BR")) + "\n")
    paths.append(str(declared))
    one_by_one = [as_comparable(item) for item in Ingester()._prepared(paths)]
    left = list(Ingester()._prepared(paths, detect_language=False))

    undetected = [item for item in left if isinstance(item, Prepared) and not item.data.language]
    assert len(undetected) > CHUNK  # every English record: left for the chunk to detect
    assert [as_comparable(item) for item in completed(left)] == one_by_one
    languages = [item[1].language for item in one_by_one if item[0] == "article"]
    assert {"en", "pt-br"} <= set(languages)  # detected, and declared ("" for too short)


def test_an_ingest_through_the_reader_process_saves_the_same_articles(gazetteer, tmp_path):
    paths = sources(tmp_path)

    def saved() -> list[tuple]:
        return sorted(
            (
                a.canonical_url,
                a.title,
                a.body,
                a.content_hash,
                a.simhash,
                a.language,
                a.dateline_region_id,
                tuple(sorted(a.tags.values_list("name", flat=True))),
                tuple(sorted(a.regions.values_list("id", flat=True))),
            )
            for a in Article.objects.all()
        )

    first = Ingester().run(paths)
    in_process = saved()
    Article.objects.all().delete()
    second = Ingester(reader_process=True).run(paths)

    assert saved() == in_process
    assert (second.new, second.duplicates, [str(e) for e in second.errors]) == (
        first.new,
        first.duplicates,
        [str(e) for e in first.errors],
    )
    assert not multiprocessing.active_children()


def test_the_reader_process_never_reads_the_database(gazetteer, tmp_path, monkeypatch, settings):
    """Not even when the gazetteer grows old (GAZETTEER_MAX_AGE): the connection it would
    use is its parent's."""
    ingest_pid = os.getpid()
    original = Gazetteer.from_database.__func__

    def from_database(cls):
        if os.getpid() != ingest_pid:
            os._exit(5)  # the reader process read the database
        return original(cls)

    monkeypatch.setattr(Gazetteer, "from_database", classmethod(from_database))
    outlets = Outlet.objects.filter

    def filter_outlets(*args, **kwargs):
        if os.getpid() != ingest_pid:
            os._exit(6)  # the reader process looked up an outlet's rules
        return outlets(*args, **kwargs)

    monkeypatch.setattr(Outlet.objects, "filter", filter_outlets, raising=False)
    settings.GAZETTEER_MAX_AGE = 0  # stale at once: a reload at every look-up
    forget_gazetteer()
    path = tmp_path / "few.jsonl"  # few: each look-up in the saving process reloads it
    path.write_text(json.dumps(record(1)) + "\n" + json.dumps(record(2, outlet="Star")) + "\n")
    report = Ingester(reader_process=True).run([path])
    assert (report.new + report.near_duplicates, report.errors) == (2, [])


@pytest.mark.parametrize("reader_process", [True, False])
def test_a_run_finds_and_resolves_place_names_with_one_gazetteer_read_once(
    gazetteer, tmp_path, monkeypatch, settings, reader_process
):
    """However old it grows (GAZETTEER_MAX_AGE): read afresh, each one cost a second and
    left the saving process's memory a step higher, and names found with one gazetteer
    were resolved with another."""
    ingest_pid = os.getpid()
    original = Gazetteer.from_database.__func__
    builds: list[int] = []

    def from_database(cls):
        builds.append(os.getpid())
        return original(cls)

    monkeypatch.setattr(Gazetteer, "from_database", classmethod(from_database))
    settings.GAZETTEER_MAX_AGE = 0  # stale at once: a fresh one at every look-up
    forget_gazetteer()
    path = tmp_path / "few.jsonl"
    path.write_text("".join(json.dumps(record(n)) + "\n" for n in range(1, 5)))
    report = Ingester(reader_process=reader_process, batch_size=1).run([path])

    assert report.new + report.near_duplicates == 4
    assert Article.objects.filter(regions__isnull=False).distinct().count() == 4
    assert builds == [ingest_pid]
    current_gazetteer()  # the run is over: stale gazetteers are read afresh again
    assert builds == [ingest_pid, ingest_pid]


def test_strict_ends_the_reader_process_at_the_first_error(gazetteer, tmp_path):
    paths = sources(tmp_path)
    report = Ingester(reader_process=True, strict=True, batch_size=2).run(paths)

    assert [error.line for error in report.errors] == [4]
    # Every record before the error, the one in the batch it broke into as well.
    assert Article.objects.count() == 3
    assert report.stopped_at == f"{paths[0]}:4"
    assert not multiprocessing.active_children()


def test_a_reader_process_that_dies_stops_the_ingest_with_nothing_more_saved(
    gazetteer, tmp_path, monkeypatch
):
    def dies_after_one_record(stream, source, context):
        yield from list(original(stream, source, context))[:1]
        os._exit(3)  # as if killed: no chunk sent

    original = pipeline.read_jsonl
    monkeypatch.setattr(pipeline, "read_jsonl", dies_after_one_record)
    with pytest.raises(ReaderProcessDied, match="exit code 3"):
        Ingester(reader_process=True).run(sources(tmp_path))
    assert Article.objects.count() == 0
    assert not multiprocessing.active_children()


def test_a_failure_in_the_reader_process_is_raised_with_its_traceback(
    gazetteer, tmp_path, monkeypatch
):
    def fails(stream, source, context):
        raise ZeroDivisionError("a reader's bug")
        yield

    monkeypatch.setattr(pipeline, "read_jsonl", fails)
    with pytest.raises(ReaderProcessDied, match="ZeroDivisionError: a reader's bug"):
        Ingester(reader_process=True).run(sources(tmp_path))


def test_the_command_reads_in_a_second_process_unless_told_not_to(gazetteer, tmp_path, monkeypatch):
    used = []
    original = pipeline.in_reader_process
    monkeypatch.setattr(
        pipeline, "in_reader_process", lambda records: used.append(1) or original(records)
    )
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record(1)) + "\n")
    call_command("ingest", str(path), "--in-process", stdout=StringIO())
    assert used == []
    Article.objects.all().delete()
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    call_command("ingest", str(path), stdout=StringIO())
    assert used == [1]
    assert Article.objects.count() == 1


def test_an_ingest_error_crosses_processes_whole():
    error = IngestError("feed.xml", "no title", line=7, record={"title": ""})
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.source, copy.reason, copy.line, copy.record, str(copy)) == (
        "feed.xml",
        "no title",
        7,
        {"title": ""},
        "feed.xml:7: no title",
    )


def test_the_documents_an_ingest_indexes_are_those_the_database_gives(
    gazetteer, tmp_path, monkeypatch
):
    """The ingest builds its new articles' search documents in memory rather than reading
    them back: the same documents, and None for what is not indexed (a syndicated copy)."""
    fed = {}
    monkeypatch.setattr(StreamingApply, "feed", lambda self, known=None: fed.update(known))
    original = record(7, tags=["Iraq", "oil", "Oil", "Économie", "army"])
    copy = {**original, "url": "https://other.example/7", "outlet": "Other"}
    copy["body"] = copy["body"].replace("report 7", "report seven")
    path = tmp_path / "a.jsonl"
    other = record(8, body=" ".join(f"other{k} story{k % 13}" for k in range(40)))
    path.write_text("\n".join(json.dumps(r) for r in (original, copy, other)) + "\n")
    Ingester().run([path])

    articles = {a.canonical_url: a for a in Article.objects.all()}
    assert articles[copy["url"]].near_duplicate_of == articles["https://wire.example.com/7"]
    assert articles["https://wire.example.com/7"].regions.exists()
    expected = {a.id: None for a in articles.values()}
    expected.update({d.article_id: d for d in documents_for(expected)})
    assert fed == expected
    assert sum(document is None for document in fed.values()) == 1


@pytest.mark.parametrize("reader_process", [True, False])
def test_standard_input_is_read_once_in_either_process(
    gazetteer, tmp_path, monkeypatch, reader_process
):
    lines = "".join(json.dumps(record(n)) + "\n" for n in (1, 2))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    (tmp_path / "c.jsonl").write_text(json.dumps(record(3)) + "\n")
    report = Ingester(reader_process=reader_process).run(["-", str(tmp_path / "c.jsonl"), "-"])

    assert report.new == 3
    assert [str(error) for error in report.errors] == ["-: empty file"]  # read once
