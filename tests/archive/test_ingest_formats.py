"""JSON Lines, compressed sources, standard input and the run's options through `manage.py
ingest`, with the bad records beside good ones; dedup by URL, by text and of syndicated copies."""

import gzip
import io
import json
import sys
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.ingest.sources import estimate_records
from archive.models import Article, Outlet
from tests.archive.ingest_inputs import PAGE, RECORD, RSS, ingest, jsonl, warc_bytes
from tests.conftest import SAMPLE_PAGE

pytestmark = pytest.mark.django_db


# JSON Lines


def test_json_lines_records_become_articles_with_their_metadata(gazetteer, tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(
        jsonl(
            RECORD,
            {
                **RECORD,
                "title": "Second",
                "url": "https://e.com/2",
                "body": "WASHINGTON — The Senate voted.",
                "tags": "A, B",
            },
        )
    )
    output, errors = ingest(str(path))

    assert "2 new" in output
    assert errors == ""
    article = Article.objects.get(title="Iraq's oil exports rise in August")
    assert article.outlet.name == "Reuters"
    assert article.canonical_url == "https://www.example.com/business/iraq-oil"
    assert article.published_at == datetime(2017, 9, 1, 7, 30, tzinfo=UTC)
    assert article.published_time_known is True
    assert (article.dateline, article.dateline_place, article.dateline_agency) == (
        "BAGHDAD (Reuters)",
        "BAGHDAD",
        "Reuters",
    )
    assert article.dateline_region.name == "Baghdad"
    assert article.body.startswith("Iraq said on Tuesday")
    assert sorted(article.tags.values_list("name", flat=True)) == ["Iraq", "Oil"]
    assert article.language == "en"
    assert article.extra == {"byline": "Staff"}
    assert sorted(Article.objects.get(title="Second").tags.values_list("name", flat=True)) == [
        "A",
        "B",
    ]


def test_bad_json_lines_are_rejected_by_line_and_their_neighbours_kept(gazetteer, tmp_path):
    path = tmp_path / "mixed.jsonl"
    log = tmp_path / "rejected.jsonl"
    path.write_text(
        jsonl(
            RECORD,
            '{"title": "Truncated", "body": "cut off',
            {**RECORD, "url": "https://e.com/no-title", "title": ""},
            {**RECORD, "url": "https://e.com/bad-date", "title": "Bad date", "published": "soon"},
            "[1, 2, 3]",
            {**RECORD, "url": "https://e.com/last", "title": "Last one", "body": "Fine text."},
        )
    )
    _, errors = ingest(str(path), "--rejected-log", str(log), expect_rejected=True)

    assert set(Article.objects.values_list("title", flat=True)) == {
        "Iraq's oil exports rise in August",
        "Last one",
    }
    lines = errors.splitlines()
    assert lines[0].startswith(f"{path}:2: not valid JSON")
    assert lines[1] == f"{path}:3: no title"
    assert lines[2].startswith(f"{path}:4: unreadable date")
    assert lines[3] == f"{path}:5: a line must be a JSON object"
    assert len(lines) == 4

    assert len(log.read_text().splitlines()) == 1 + 4  # a first line of notes, the records


def test_a_json_line_nested_past_pythons_stack_is_one_rejected_record(gazetteer, tmp_path):
    path = tmp_path / "deep.jsonl"
    last = {**RECORD, "url": "https://e.com/last", "title": "Last one", "body": "Fine text."}
    path.write_text(jsonl(RECORD, "[" * 100_000 + "]" * 100_000, last))
    _, errors = ingest(str(path), "--rejected-log", str(tmp_path / "log"), expect_rejected=True)

    assert errors.splitlines() == [f"{path}:2: not valid JSON: nested too deeply"]
    assert Article.objects.count() == 2


def test_rejected_lines_fixed_in_the_log_are_ingested_again(gazetteer, tmp_path):
    path = tmp_path / "mixed.jsonl"
    feed = tmp_path / "feed.xml"
    log = tmp_path / "rejected.jsonl"
    truncated = '{"title": "Truncated", "body": "BAGHDAD - Cut'
    no_title = {**RECORD, "url": "https://e.com/no-title", "title": ""}
    bad_date = {**RECORD, "url": "https://e.com/bad-date", "title": "Bad date", "published": "soon"}
    nan = json.dumps({**RECORD, "url": "https://e.com/nan", "title": "NaN"}).replace(
        '"byline": "Staff"', '"byline": NaN'
    )
    path.write_bytes(
        jsonl(RECORD, truncated, no_title, bad_date, "[1, 2, 3]", nan).encode()
        + b"\xff not UTF-8\n"
    )
    feed.write_text(RSS)  # its third entry has no title: fixed in the feed, not the log
    _, errors = ingest(str(path), str(feed), "--rejected-log", str(log), expect_rejected=True)
    assert len(errors.splitlines()) == 7
    assert Article.objects.count() == 3

    # A first line of notes alone (what makes the log JSON Lines, whatever follows), then
    # JSON Lines records only, each on a line: objects with notes, anything else verbatim.
    heading, *logged = log.read_bytes().splitlines()
    assert list(json.loads(heading)) == ["_ingest_log"]
    assert "rejected.jsonl.errors" in json.loads(heading)["_ingest_log"]
    assert logged[0] == truncated.encode()
    assert json.loads(logged[1]) == {
        **no_title,
        "_ingest_source": f"{path}:3",
        "_ingest_error": "no title",
    }
    assert json.loads(logged[2])["_ingest_source"] == f"{path}:4"
    assert logged[3:] == [b"[1, 2, 3]", nan.encode(), b"\xff not UTF-8"]
    # Why, for each: the log's line, the source's line, the reason; the feed entry too.
    assert (tmp_path / "rejected.jsonl.errors").read_text().splitlines() == [
        f"{log}:2: {path}:2: not valid JSON at column 32: Unterminated string",
        f"{log}:3: {path}:3: no title",
        f"{log}:4: {path}:4: {json.loads(logged[2])['_ingest_error']}",
        f"{log}:5: {path}:5: a line must be a JSON object",
        f"{log}:6: {path}:6: not valid JSON: NaN is not a JSON value",
        f"{log}:7: {path}:7: not UTF-8 text",
        f"{feed}#3: entry has no title",
    ]

    # The operator edits the log's lines as text, and ingests it again.
    four = json.dumps({**RECORD, "url": "https://e.com/4", "title": "Four"}).encode()
    seven = json.dumps({**RECORD, "url": "https://e.com/7", "title": "Seven"}).encode()
    fixed = (
        log.read_bytes()
        .replace(b"Cut", b'Cut no more.", "outlet": "AP", "published": "2017-09-02"}')
        .replace(b'"title": ""', b'"title": "Now titled"')
        .replace(b'"soon"', b'"2017-09-03"')
        .replace(b"[1, 2, 3]", four)
        .replace(b"NaN}", b"null}")
        .replace(b"\xff not UTF-8", seven)
    )
    log.write_bytes(fixed)
    output, errors = ingest(str(log), "--rejected-log", str(tmp_path / "again.jsonl"))
    assert (output.split(",")[0], errors) == ("6 new", "")
    assert Article.objects.get(title="Now titled").extra == {"byline": "Staff"}  # no notes
    assert Article.objects.get(title="NaN").extra == {"byline": None}
    assert Article.objects.get(title="Truncated").body == "Cut no more."
    assert not (tmp_path / "again.jsonl").exists()


@pytest.mark.parametrize("in_process", [True, False])
def test_a_record_rejected_once_its_markup_is_removed_is_in_the_log_to_fix(
    gazetteer, tmp_path, in_process
):
    # Rejected after it was read (in prepare()), it was named in <log>.errors but left out
    # of the log: there was nothing to fix and ingest again.
    path = tmp_path / "markup.jsonl"
    feed = tmp_path / "feed.xml"
    log = tmp_path / "rejected.jsonl"
    markup_only = {**RECORD, "body": "<script>alert(1)</script>"}
    path.write_text(jsonl(markup_only))
    # A feed entry rejected the same way is named in <log>.errors by entry: fixed in the feed.
    feed.write_text(RSS.replace("<title>Second story</title>", "<title>&lt;br&gt;</title>"))
    in_process_args = ["--in-process"] if in_process else []
    _, errors = ingest(
        str(path), str(feed), "--rejected-log", str(log), *in_process_args, expect_rejected=True
    )
    reason = "no text once its markup is removed"
    assert errors.splitlines()[0] == f"{path}:1: {reason}"
    _, logged = log.read_text().splitlines()  # after the log's first line, of notes
    assert json.loads(logged) == {
        **markup_only,
        "_ingest_source": f"{path}:1",
        "_ingest_error": reason,
    }
    assert (tmp_path / "rejected.jsonl.errors").read_text().splitlines() == [
        f"{log}:2: {path}:1: {reason}",
        f"{feed}#2: no title once its markup is removed",
        f"{feed}#3: entry has no title",
    ]

    log.write_text(log.read_text().replace("<script>alert(1)</script>", "BAGHDAD - Fixed."))
    output, errors = ingest(str(log), "--rejected-log", str(tmp_path / "again.jsonl"))
    assert (output.split(",")[0], errors) == ("1 new", "")
    assert Article.objects.get(title=RECORD["title"]).body == "Fixed."


@pytest.mark.parametrize(
    "line",
    [
        "[1, 2, 3]",  # was read as a page saved as text: "no title: the page starts with ..."
        "<p>Not JSON</p>",  # was read as an HTML page: "no article text found in the page"
    ],
)
def test_a_rejected_log_of_lines_that_are_not_objects_is_read_again_as_json_lines(
    gazetteer, tmp_path, line
):
    # The format is told from the content, and a JSON Lines file from a line opening an
    # object: a log with none was not JSON Lines, and none of its lines a record to fix.
    path = tmp_path / "bad.jsonl"
    log, again = tmp_path / "rejected.jsonl", tmp_path / "again.jsonl"
    path.write_text(jsonl(RECORD, line))
    ingest(str(path), "--rejected-log", str(log), expect_rejected=True)

    # Ingested unedited: the same line rejected for the same reason, and logged again.
    _, errors = ingest(str(log), "--rejected-log", str(again), expect_rejected=True)
    (first_time,) = (tmp_path / "rejected.jsonl.errors").read_text().splitlines()
    assert errors.strip() == f"{log}:2: {first_time.split(': ', 2)[2]}"
    assert again.read_text().splitlines()[1:] == [line]

    # Fixed, it is an article.
    record = {**RECORD, "url": "https://e.com/fixed", "title": "Fixed"}
    log.write_text(log.read_text().replace(line, json.dumps(record)))
    output, errors = ingest(str(log), "--rejected-log", str(tmp_path / "third.jsonl"))
    assert (output.split(",")[0], errors) == ("1 new", "")
    assert Article.objects.filter(title="Fixed").exists()


def test_a_rejected_record_holding_a_lone_surrogate_is_logged_escaped(gazetteer, tmp_path):
    # "\ud800" is valid JSON but no UTF-8: written as read, escaped, it ingests again.
    path = tmp_path / "surrogate.jsonl"
    log = tmp_path / "rejected.jsonl"
    path.write_text(
        jsonl({**RECORD, "title": "", "body": "Body \\ud800 end."}).replace("\\\\", "\\")
    )
    ingest(str(path), "--rejected-log", str(log), expect_rejected=True)
    log.write_text(log.read_text().replace('"title": ""', '"title": "Fixed"'))
    ingest(str(log), "--rejected-log", str(tmp_path / "again.jsonl"))
    assert Article.objects.get().title == "Fixed"


@pytest.mark.parametrize(("given", "stored"), [("fr", "fr"), ("pt-BR", "pt-br"), ("", "en")])
def test_a_language_code_is_kept_and_a_missing_one_detected(gazetteer, tmp_path, given, stored):
    path = tmp_path / "language.jsonl"
    path.write_text(jsonl({**RECORD, "language": given}))
    ingest(str(path))
    assert Article.objects.get().language == stored


def test_outlet_option_names_the_outlet_when_records_do_not(gazetteer, tmp_path):
    path = tmp_path / "no-outlet.jsonl"
    record = {key: value for key, value in RECORD.items() if key != "outlet"}
    path.write_text(jsonl(record))
    _, errors = ingest(str(path), expect_rejected=True)
    assert "no outlet (give one with --outlet)" in errors
    ingest(str(path), "--outlet", "Wire Service")
    assert Article.objects.get().outlet.name == "Wire Service"


def test_outlet_option_never_overrides_a_records_own_outlet(gazetteer, tmp_path):
    path = tmp_path / "mixed-outlets.jsonl"
    unnamed = {key: value for key, value in RECORD.items() if key != "outlet"}
    path.write_text(jsonl(RECORD, {**unnamed, "url": "https://e.com/2", "title": "Unnamed"}))
    ingest(str(path), "--outlet", "Wire Service")
    assert dict(Article.objects.values_list("title", "outlet__name")) == {
        RECORD["title"]: "Reuters",
        "Unnamed": "Wire Service",
    }


# Compression, standard input, options


def test_gzip_is_read_transparently(gazetteer, tmp_path):
    path = tmp_path / "articles.data"
    path.write_bytes(gzip.compress(jsonl(RECORD).encode()))
    ingest(str(path))
    assert Article.objects.get().title == RECORD["title"]


def test_a_corrupt_gzip_is_rejected_and_the_next_file_read(gazetteer, tmp_path):
    corrupt = tmp_path / "corrupt.jsonl.gz"
    corrupt.write_bytes(gzip.compress(jsonl(RECORD).encode())[:30])
    good = tmp_path / "good.jsonl"
    good.write_text(jsonl({**RECORD, "url": "https://e.com/good", "title": "Good"}))
    _, errors = ingest(str(corrupt), str(good), expect_rejected=True)
    assert errors.startswith(str(corrupt))
    assert Article.objects.get().title == "Good"


def test_standard_input_is_read_with_a_dash(gazetteer, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl(RECORD).encode())))
    ingest("-")
    assert Article.objects.get().title == RECORD["title"]


def _stdin_holding(monkeypatch, raw: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))


@pytest.mark.filterwarnings("error::FutureWarning")
@pytest.mark.parametrize("in_process", [True, False])
def test_gzip_is_read_from_standard_input(gazetteer, monkeypatch, in_process):
    # Standard input is spooled to a temporary file open "w+b": gzip took it for writing.
    _stdin_holding(monkeypatch, gzip.compress(jsonl(RECORD).encode()))
    output, errors = ingest("-", *(["--in-process"] if in_process else []))
    assert (output.split(",")[0], errors) == ("1 new", "")
    assert Article.objects.get().title == RECORD["title"]


@pytest.mark.filterwarnings("error::FutureWarning")
def test_a_gzipped_warc_is_read_from_standard_input(gazetteer, monkeypatch):
    _stdin_holding(monkeypatch, warc_bytes([("https://e.com/dam", "text/html", PAGE.encode())]))
    output, errors = ingest("-")
    assert (output.split(",")[0], errors) == ("1 new", "")
    assert Article.objects.get().title == "Dam repairs begin"


def test_dry_run_checks_everything_and_saves_nothing(gazetteer, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(RECORD, {**RECORD, "url": "https://e.com/2", "title": "Two"}))
    output, _ = ingest(str(path), "--dry-run")
    assert output.strip() == (
        "Dry run, nothing saved: 2 new, 0 updated, 0 already in the archive, "
        "0 near-duplicate, 0 rejected."
    )
    assert Article.objects.count() == 0
    assert Outlet.objects.count() == 0


def test_a_dry_run_writes_no_rejected_log(gazetteer, tmp_path, settings):
    path = tmp_path / "a.jsonl"
    log = tmp_path / "rejected.jsonl"
    path.write_text(jsonl(RECORD, "{broken"))
    with pytest.raises(CommandError, match=r"a dry run writes no log"):
        call_command("ingest", str(path), "--dry-run", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match=r"rejected"):
        call_command(
            "ingest", str(path), "--dry-run", "--rejected-log", str(log),
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    assert not log.exists()
    assert not (settings.INGEST_REJECTED_DIR).exists()


def test_a_line_that_is_not_json_is_reported_with_its_column(gazetteer, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl('{"title": "Truncated", "body": "cut off', '{"title": "A",, "b": 1}'))
    _, errors = ingest(str(path), expect_rejected=True)
    assert errors.splitlines() == [
        f"{path}:1: not valid JSON at column 32: Unterminated string",
        f"{path}:2: not valid JSON at column 15: Expecting property name enclosed in double quotes",
    ]


def test_strict_stops_at_the_first_error(gazetteer, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl("{broken", RECORD))
    _, errors = ingest(str(path), "--strict", expect_rejected=True)
    assert len(errors.splitlines()) == 1
    assert Article.objects.count() == 0


@pytest.mark.parametrize("in_process", [True, False])
def test_strict_saves_the_records_before_the_error_and_says_where_it_stopped(
    gazetteer, tmp_path, in_process
):
    path = tmp_path / "a.jsonl"
    log = tmp_path / "rejected.jsonl"
    path.write_text(
        jsonl(
            RECORD,
            '{"title": "Truncated", "body": "cut off',
            {**RECORD, "url": "https://e.com/after", "title": "After the error"},
        )
    )
    args = ["--strict", "--rejected-log", str(log), *(["--in-process"] if in_process else [])]
    output, errors = ingest(str(path), *args, expect_rejected=True)
    assert output.strip() == (
        "1 new, 0 updated, 0 already in the archive, 0 near-duplicate, 1 rejected. "
        f"Stopped at {path}:2 (--strict): nothing after it saved."
    )
    assert errors.startswith(f"{path}:2: not valid JSON")
    assert list(Article.objects.values_list("title", flat=True)) == [RECORD["title"]]
    assert len(log.read_text().splitlines()) == 1 + 1  # notes, the bad line, not the good one


# Dedup


def test_the_same_url_updates_the_article_in_place(gazetteer, tmp_path):
    first, second = tmp_path / "v1.jsonl", tmp_path / "v2.jsonl"
    first.write_text(jsonl(RECORD))
    second.write_text(
        jsonl(
            {
                **RECORD,
                "url": "HTTPS://WWW.EXAMPLE.com:443/business/iraq-oil",
                "title": "Iraq's oil exports rise (updated)",
            }
        )
    )
    ingest(str(first))
    original = Article.objects.get()
    output, _ = ingest(str(second))
    assert "0 new, 1 updated" in output
    updated = Article.objects.get()
    assert updated.pk == original.pk
    assert updated.title == "Iraq's oil exports rise (updated)"


def test_the_same_text_under_another_url_is_a_duplicate(gazetteer, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(RECORD, {**RECORD, "url": "https://mirror.example.org/copy"}))
    output, _ = ingest(str(path))
    assert "1 new, 0 updated, 1 already in the archive" in output
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "place", "qualifier", "agency"),
    [
        ("ERBIL, Kurdistan Region – Text.", "ERBIL", "Kurdistan Region", ""),
        ("BAGHDAD (Reuters) - Text.", "BAGHDAD", "", "Reuters"),
        ("WASHINGTON — Text.", "WASHINGTON", "", ""),
        ("Paris, 3 May (AFP) - Text.", "Paris", "", "AFP"),
        ("TRIPOLI, Lebanon: Text.", "TRIPOLI", "Lebanon", ""),
    ],
)
def test_each_dateline_form_is_split_from_the_first_paragraph(
    gazetteer, tmp_path, body, place, qualifier, agency
):
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl({**RECORD, "body": body}))
    ingest(str(path))
    article = Article.objects.get()
    assert (article.dateline_place, article.dateline_qualifier, article.dateline_agency) == (
        place,
        qualifier,
        agency,
    )
    assert article.body == "Text."


SYNDICATED_BODY = SAMPLE_PAGE.read_text().split("A+ A-")[1].split("Comments")[0].strip()


def test_a_syndicated_copy_with_small_edits_is_linked_to_the_first_copy(gazetteer, tmp_path):
    original = {
        **RECORD,
        "body": SYNDICATED_BODY,
        "url": "https://rudaw.example/a",
        "outlet": "Rudaw",
        "published": "2017-08-15",
    }
    copy = {
        **original,
        "title": "Syrian army pushes into Deir ez-Zor",
        "body": SYNDICATED_BODY.replace("multiple media reports", "several reports").replace(
            "Monday", "Sunday"
        )
        + "\n\nThis story was first published by Rudaw.",
        "url": "https://other.example/copy",
        "outlet": "Other Paper",
        "published": "2017-08-16",
    }
    unrelated = {**RECORD, "url": "https://e.com/x", "published": "2017-08-15"}
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(original, copy, unrelated))

    output, _ = ingest(str(path))

    assert "2 new, 0 updated, 0 already in the archive, 1 near-duplicate" in output
    first = Article.objects.get(canonical_url="https://rudaw.example/a")
    syndicated = Article.objects.get(canonical_url="https://other.example/copy")
    assert syndicated.near_duplicate_of == first
    assert Article.objects.get(canonical_url="https://e.com/x").near_duplicate_of is None
    assert list(first.syndicated_copies.all()) == [syndicated]


def test_a_copy_published_weeks_later_is_not_searched_for(gazetteer, tmp_path):
    original = {**RECORD, "body": SYNDICATED_BODY, "url": "https://a.example/1"}
    later = {
        **original,
        "title": "Again",
        "url": "https://b.example/2",
        "body": SYNDICATED_BODY + "\n\nUpdated.",
        "published": "2017-10-30",
    }
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(original, later))
    output, _ = ingest(str(path))
    assert "2 new" in output


def test_an_ingested_article_has_no_history_row_until_it_changes(gazetteer, tmp_path):
    first, second = tmp_path / "v1.jsonl", tmp_path / "v2.jsonl"
    first.write_text(jsonl(RECORD))
    second.write_text(jsonl({**RECORD, "title": "Iraq's oil exports rise (corrected)"}))
    ingest(str(first))
    article = Article.objects.get()
    assert article.history.count() == 0
    ingest(str(second))
    assert [h.title for h in article.history.all()] == ["Iraq's oil exports rise (corrected)"]


def test_progress_counts_against_the_records_the_sources_hold(gazetteer, tmp_path, capsys):
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(RECORD, {**RECORD, "url": "https://e.com/2", "title": "Two"}) + "\n\n")
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    ingest(str(path), str(page))
    assert "3/3 articles" in capsys.readouterr().err


def test_a_rejected_log_ingested_again_counts_its_records_not_its_notes(
    gazetteer, tmp_path, capsys
):
    path, log = tmp_path / "mixed.jsonl", tmp_path / "rejected.jsonl"
    path.write_text(jsonl(RECORD, {**RECORD, "url": "https://e.com/2", "title": ""}, "[1, 2]"))
    ingest(str(path), "--rejected-log", str(log), expect_rejected=True)
    assert len(log.read_bytes().splitlines()) == 1 + 2  # a first line of notes, the records
    capsys.readouterr()

    assert estimate_records([log]) == 2
    ingest(str(log), "--rejected-log", str(tmp_path / "again.jsonl"), expect_rejected=True)
    assert "/2 articles" in capsys.readouterr().err  # of two records (both rejected again)


def test_the_count_splits_lines_where_the_reader_does(gazetteer, tmp_path):
    # Old Mac line ends (a lone "\r") and Windows ones: the reader reads three records.
    path = tmp_path / "mac.jsonl"
    second = {**RECORD, "url": "https://e.com/2", "title": "Two"}
    third = {**RECORD, "url": "https://e.com/3", "title": "Three"}
    path.write_bytes(
        json.dumps(RECORD).encode() + b"\r" + json.dumps(second).encode() + b"\r\n"
        + json.dumps(third).encode() + b"\r"
    )  # fmt: skip
    assert estimate_records([path]) == 3
    ingest(str(path))
    assert Article.objects.count() == 3
