"""`manage.py ingest` end to end: files in, articles out, bad files reported and skipped."""

import json
import shutil
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, Outlet, Region, Tag
from tests.factories import make_tag
from tests.processes import run_python

pytestmark = pytest.mark.django_db

GOOD_PAGE = b"""Talks resume in Geneva

2017-09-01
Example Wire
Tags: Diplomacy, Switzerland
A+ A-
GENEVA - Delegations met on Monday for a third round of talks.
"""


def ingest(*paths: Path | str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_sample_page_becomes_exactly_the_seed_article(gazetteer, sample_page):
    output, errors = ingest(sample_page)

    assert errors == ""
    assert "1 new, 0 updated, 0 already in the archive, 0 near-duplicate, 0 rejected" in output
    article = Article.objects.get()
    assert article.title == "Syrian army and backers fight into Deir ez-Zor from the south"
    assert article.slug == "syrian-army-and-backers-fight-into-deir-ez-zor-from-the-south"
    assert article.outlet.name == "Rudaw"
    assert article.outlet.slug == "rudaw"
    assert article.published_at == datetime(2017, 8, 15, tzinfo=UTC)
    assert article.published_time_known is False
    assert sorted(article.tags.values_list("name", flat=True)) == [
        "Deir ez-Zor",
        "Middle Euphrates Valley",
    ]
    assert article.dateline == "ERBIL, Kurdistan Region"
    assert article.dateline_place == "ERBIL"
    assert article.dateline_qualifier == "Kurdistan Region"
    assert article.dateline_agency == ""
    assert article.dateline_region == Region.objects.get(name="Erbil", country_code="IQ")
    assert str(article.dateline_region) == "Erbil, Iraq"
    assert "Iraq" in [region.name for region in article.dateline_region.ancestors()]
    assert article.body.startswith(
        "The Syrian army along with its allies have advanced on ISIS from the central Syrian "
        "desert towards the ISIS hotbed of Deir ez-Zor, according to multiple media reports."
    )
    assert article.body.endswith(
        "SANA reported on Monday that ISIS executed three young men charged with fighting "
        "against them east of Deir ez-Zor."
    )
    for furniture in ("A+ A-", "Comments", "moderates all comments", "Post a comment", "Required"):
        assert furniture not in article.body
    assert "ERBIL" not in article.body  # the dateline is kept apart from the text
    assert article.status == Article.Status.PUBLISHED
    assert article.comments_open is True
    assert article.canonical_url == ""
    assert article.source == str(sample_page)
    assert len(article.content_hash) == 64


def test_ingesting_the_same_file_twice_creates_nothing_new(gazetteer, sample_page):
    ingest(sample_page)
    output, _ = ingest(sample_page)
    assert "0 new, 0 updated, 1 already in the archive, 0 near-duplicate, 0 rejected" in output
    assert Article.objects.count() == 1
    assert Outlet.objects.count() == 1
    assert Tag.objects.count() == 2


def test_a_known_tag_guides_the_split_of_a_lost_separator_line(gazetteer, tmp_path):
    make_tag("Middle Euphrates")
    page = tmp_path / "page.txt"
    page.write_bytes(GOOD_PAGE.replace(b"Diplomacy, Switzerland", b"Middle Euphrates Raqqa"))
    ingest(page)
    assert sorted(Article.objects.get().tags.values_list("name", flat=True)) == [
        "Middle Euphrates",
        "Raqqa",
    ]


def test_a_directory_is_walked(gazetteer, tmp_path, sample_page):
    shutil.copy(sample_page, tmp_path / "one.txt")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "two.txt").write_bytes(GOOD_PAGE)
    output, _ = ingest(tmp_path)
    assert "2 new" in output
    assert Article.objects.count() == 2


def test_an_outlet_that_prints_month_first_is_read_month_first(gazetteer, tmp_path):
    Outlet.objects.create(name="Example Wire", slug="example-wire", date_order="MDY")
    page = tmp_path / "page.txt"
    page.write_bytes(GOOD_PAGE.replace(b"2017-09-01", b"04-03-2017"))
    ingest(page)
    assert Article.objects.get().published_at == datetime(2017, 4, 3, tzinfo=UTC)


BAD_INPUTS = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "binary file"),
    "no-title.txt": (b"15-08-2017\nRudaw\nA+ A-\nSome text of an article.\n", "no title"),
    "no-date.txt": (b"A title\n\nRudaw\nA+ A-\nSome text of an article.\n", "no parseable date"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_a_bad_file_is_reported_and_the_good_one_beside_it_kept(gazetteer, tmp_path, name):
    raw, problem = BAD_INPUTS[name]
    bad, good = tmp_path / name, tmp_path / "good.txt"
    bad.write_bytes(raw)
    good.write_bytes(GOOD_PAGE)

    err = StringIO()
    with pytest.raises(CommandError, match="1 record\\(s\\) rejected") as caught:
        call_command("ingest", str(bad), str(good), stdout=StringIO(), stderr=err)

    assert caught.value.returncode == 1
    [line] = err.getvalue().splitlines()
    assert line.startswith(f"{bad}")
    assert problem in line
    assert Article.objects.get().title == "Talks resume in Geneva"


def test_an_unreadable_path_is_reported_and_the_rest_ingested(gazetteer, tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(GOOD_PAGE)
    missing = tmp_path / "missing.txt"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(missing), str(good), stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == f"{missing}: cannot read: No such file or directory"
    assert Article.objects.count() == 1


def test_a_path_through_a_file_is_reported(gazetteer, tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(GOOD_PAGE)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(good / "child.txt"), stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == f"{good / 'child.txt'}: cannot read: Not a directory"


def test_a_long_ingest_with_debug_on_does_not_keep_every_query(gazetteer, tmp_path, settings):
    """DEBUG logs each query's SQL (a batch's insert holds all its bodies): the ingest clears
    the log per batch as Django does per request, so memory does not grow with the run."""
    from django.db import connection, reset_queries

    from archive.ingest.pipeline import Ingester

    settings.DEBUG = True

    def queries_kept_after(articles: int, name: str) -> int:
        source = tmp_path / f"{name}.jsonl"
        source.write_text(
            "".join(
                f'{{"title": "Story {name} {n}", "body": "Words of story {n} from {name}.", '
                f'"outlet": "Example Wire", "published": "2017-09-01"}}\n'
                for n in range(articles)
            )
        )
        reset_queries()
        report = Ingester(batch_size=2).run([source])
        assert report.new == articles
        return len(connection.queries_log)

    one_batch = queries_kept_after(2, "first")
    ten_batches = queries_kept_after(20, "second")
    assert 0 < ten_batches < 2 * one_batch


def test_the_ingest_runs_the_checks_of_what_it_uses_and_not_those_of_serving_pages(
    gazetteer, tmp_path, settings
):
    """Checks of URLs (importing every view) are for serving; a misconfigured search
    backend, which the ingest writes to, still stops it before its first record."""
    from django.core import checks
    from django.core.management.base import SystemCheckError

    page = tmp_path / "page.txt"
    page.write_bytes(GOOD_PAGE)
    ran = []

    def serving_check(app_configs, **kwargs):
        ran.append("urls")
        return []

    checks.register(serving_check, checks.Tags.urls)
    try:
        call_command("ingest", str(page), skip_checks=False, stdout=StringIO())
    finally:
        checks.registry.registry.registered_checks.discard(serving_check)
    assert ran == []
    assert Article.objects.count() == 1

    settings.SEARCH_BACKEND = "no-such-backend"
    with pytest.raises(SystemCheckError, match=r"search\.E001"):
        call_command("ingest", str(page), skip_checks=False, stdout=StringIO())


# Not in a test's transaction: SQLite would lock the other process's (rolled back) writes out.
@pytest.mark.django_db(transaction=True)
def test_a_json_lines_ingest_imports_no_reader_of_feeds_or_pages(gazetteer, tmp_path):
    """feedparser, trafilatura, htmldate and warcio are imported when a source needs them:
    a cron job's JSON Lines ingest started 80 ms later for them. In a fresh process, whose
    modules this test's process (which has read pages) does not share; --dry-run writes
    nothing to the test database."""
    lines = tmp_path / "one.jsonl"
    lines.write_text(
        json.dumps(
            {
                "title": "Dam repairs begin",
                "body": "MOSUL, Iraq – Engineers began repairs on the dam on Tuesday.",
                "url": "https://example.com/dam",
                "outlet": "Example News",
                "published": "2026-12-01T10:00:00Z",
            }
        )
        + "\n"
    )
    script = (
        "import sys, django; django.setup(); "
        "from django.core.management import call_command; "
        f"call_command('ingest', {str(lines)!r}, '--dry-run', '--in-process'); "
        "print(sorted(m for m in ('feedparser', 'trafilatura', 'htmldate', 'warcio') "
        "if m in sys.modules))"
    )
    run = run_python(script)

    assert "1 new" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]"
