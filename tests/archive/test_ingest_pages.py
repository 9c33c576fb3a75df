"""HTML pages and WARC archives through `manage.py ingest`: the article without the site
around it, its dates, and the bad pages and records beside good ones."""

import json
import logging
from datetime import UTC, datetime

import pytest

from archive.ingest.extraction_log import extraction_log_lines_naming_pages
from archive.models import Article, Outlet
from tests.archive.ingest_inputs import PAGE, ingest, page_file, warc_bytes

pytestmark = pytest.mark.django_db


# HTML pages


def test_an_html_page_becomes_its_article_without_the_site_around_it(gazetteer, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    ingest(str(path))
    article = Article.objects.get()
    assert article.title == "Dam repairs begin"
    assert article.outlet.name == "The Example Times"
    assert article.canonical_url == "https://www.example-times.com/world/mosul-dam"
    assert article.published_at.date().isoformat() == "2017-08-15"
    assert article.dateline == "MOSUL, Iraq"
    assert article.dateline_region.name == "Mosul"
    assert article.body.startswith("Engineers began repairs on the Mosul dam")
    assert article.body.count("\n\n") == 2
    for furniture in ("Subscribe", "Share on Facebook", "Most read", "Copyright"):
        assert furniture not in article.body
    assert sorted(article.tags.values_list("name", flat=True)) == ["Dams", "Mosul"]
    assert article.language == "en"


PUBLISHED_META = '<meta property="article:published_time" content="2017-08-15T10:00:00+03:00">'


@pytest.mark.parametrize("read_from", ["a page", "a WARC record"])
def test_the_publication_time_a_page_states_is_kept_with_its_zone(gazetteer, tmp_path, read_from):
    # trafilatura keeps the day of article:published_time only: it was saved as midnight UTC.
    # A WARC record's fetch time (WARC-Date, the next day) is the fallback, not the page's date.
    ingest(page_file(tmp_path, PAGE, read_from))
    article = Article.objects.get()
    assert article.published_at == datetime(2017, 8, 15, 7, 0, tzinfo=UTC)
    assert article.published_time_known is True


@pytest.mark.parametrize("read_from", ["a page", "a WARC record"])
def test_a_digitised_page_keeps_the_date_it_states_before_the_web(gazetteer, tmp_path, read_from):
    # htmldate refuses dates before 1995 by default: the page lost its date and was rejected,
    # or took the WARC record's fetch date (2017-08-16).
    page = PAGE.replace(
        PUBLISHED_META,
        '<meta property="article:published_time" content="1987-03-14T09:30:00+01:00">',
    ).replace("Copyright 2017", "Copyright 1987")
    ingest(page_file(tmp_path, page, read_from))
    article = Article.objects.get()
    assert article.published_at == datetime(1987, 3, 14, 8, 30, tzinfo=UTC)
    assert article.published_time_known is True


def test_a_page_stating_a_date_in_the_future_takes_the_warc_records_date(gazetteer, tmp_path):
    # The earliest date htmldate takes moved back; the latest is still today.
    page = PAGE.replace(
        PUBLISHED_META, '<meta property="article:published_time" content="2999-03-14">'
    )
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc_bytes([("https://e.com/dam", "text/html", page.encode())]))
    ingest(str(path))
    assert Article.objects.get().published_at == datetime(2017, 8, 16, 12, 0, tzinfo=UTC)


def test_a_warc_page_stating_no_date_takes_the_records_date_not_its_copyright_year(
    gazetteer, tmp_path
):
    # For want of a stated date, htmldate dates a page 1 January of its copyright year:
    # "Copyright 2017" made it 2017-01-01, where the crawl knew it was there on 16 August.
    path = tmp_path / "crawl.warc.gz"
    page = PAGE.replace(PUBLISHED_META, "")
    path.write_bytes(warc_bytes([("https://e.com/dam", "text/html", page.encode())]))
    ingest(str(path))
    article = Article.objects.get()
    assert article.published_at == datetime(2017, 8, 16, 12, 0, tzinfo=UTC)
    assert article.published_time_known is True


@pytest.mark.parametrize(
    ("written", "day"), [("August 15, 2017", (2017, 8, 15)), ("2017-01-01", (2017, 1, 1))]
)
def test_a_warc_page_keeps_a_date_written_in_its_text(gazetteer, tmp_path, written, day):
    # Only htmldate's extensive search reads the first (its fast search would have lost it);
    # a 1 January stands where its fast search reads it too, so it was no year's guess.
    page = PAGE.replace(PUBLISHED_META, "").replace(
        "<h1>Dam repairs begin</h1>", f"<h1>Dam repairs begin</h1><p>Published {written}</p>"
    )
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc_bytes([("https://e.com/dam", "text/html", page.encode())]))
    ingest(str(path))
    assert Article.objects.get().published_at == datetime(*day, tzinfo=UTC)


def test_a_page_without_a_records_date_keeps_htmldates_year_or_is_rejected(gazetteer, tmp_path):
    # Nothing better to fall back on: the copyright year's 1 January stands, and a page
    # with no date at all is refused rather than dated the day it was read.
    path = tmp_path / "page.html"
    path.write_text(PAGE.replace(PUBLISHED_META, ""))
    ingest(str(path))
    assert Article.objects.get().published_at == datetime(2017, 1, 1, tzinfo=UTC)

    Article.objects.all().delete()
    path.write_text(PAGE.replace(PUBLISHED_META, "").replace("Copyright 2017 ", ""))
    _, errors = ingest(str(path), expect_rejected=True)
    assert errors.strip() == f"{path}: the page has no publication date"


def test_a_json_ld_publication_time_without_a_zone_is_read_in_the_outlets(gazetteer, tmp_path):
    Outlet.objects.create(name="The Example Times", slug="example-times", time_zone="Asia/Baghdad")
    json_ld = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "NewsArticle", "datePublished": "2017-08-15T10:00:00"}],
    }
    path = tmp_path / "page.html"
    path.write_text(
        PAGE.replace(
            PUBLISHED_META,
            f'<script type="application/ld+json">{json.dumps(json_ld)}</script>',
        )
    )
    ingest(str(path))
    article = Article.objects.get()
    assert article.published_at == datetime(2017, 8, 15, 7, 0, tzinfo=UTC)
    assert article.published_time_known is True


def test_a_page_that_states_no_time_for_its_day_keeps_the_day_alone(gazetteer, tmp_path):
    # Only a time stated for the day trafilatura found is the page's: here, a related
    # article's in the JSON-LD, on another day.
    related = {
        "@type": "NewsArticle",
        "relatedLink": {"@type": "NewsArticle", "datePublished": "2017-08-01T09:00:00Z"},
    }
    path = tmp_path / "page.html"
    path.write_text(
        PAGE.replace(
            PUBLISHED_META,
            '<meta property="article:published_time" content="2017-08-15">'
            f'<script type="application/ld+json">{json.dumps(related)}</script>',
        )
    )
    ingest(str(path))
    article = Article.objects.get()
    assert article.published_at == datetime(2017, 8, 15, tzinfo=UTC)
    assert article.published_time_known is False


def test_outlet_option_names_a_pages_outlet_only_where_the_page_names_no_site(gazetteer, tmp_path):
    named, unnamed = tmp_path / "named.html", tmp_path / "unnamed.html"
    named.write_text(PAGE)
    unnamed.write_text(
        PAGE.replace('<meta property="og:site_name" content="The Example Times">', "")
        .replace(" | The Example Times", "")
        .replace("mosul-dam", "other-page")
        .replace("Dam repairs begin", "Unnamed page")
        .replace("Engineers began", "Divers began")
    )
    ingest(str(named), str(unnamed), "--outlet", "Wire Service")
    assert dict(Article.objects.values_list("title", "outlet__name")) == {
        "Dam repairs begin": "The Example Times",
        "Unnamed page": "Wire Service",  # not "example-times.com", read from its address
    }
    Article.objects.all().delete()
    ingest(str(unnamed))
    assert Article.objects.get().outlet.name == "example-times.com"


def test_an_html_page_without_article_text_is_rejected(gazetteer, tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>")
    _, errors = ingest(str(path), expect_rejected=True)
    assert errors.strip() == f"{path}: no article text found in the page"


def test_trafilaturas_log_lines_name_the_page_and_record_they_are_about(
    gazetteer, tmp_path, caplog
):
    # "parsed tree length: 0, wrong data type or not valid HTML", "empty HTML tree: None":
    # which page, of a directory or a crawl's thousands? One line each, named.
    page = tmp_path / "fragment.html"
    page.write_text("<p>A paragraph, not a page.</p>")
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(
        warc_bytes(
            [
                ("https://e.com/dam", "text/html", PAGE.encode()),  # says nothing
                ("https://e.com/blank", "text/html", b"  "),  # two lines of trafilatura's
            ]
        )
    )
    with caplog.at_level(logging.INFO):
        ingest(str(page), str(crawl), "--in-process", expect_rejected=True)
    said = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("trafilatura", "htmldate", "archive.ingest"))
    ]
    assert [message.split(": trafilatura: ")[0] for message in said] == [
        str(page),
        f"{crawl}#record 2",
    ]


def test_trafilaturas_loggers_are_redirected_once_per_run_not_once_per_page(
    gazetteer, tmp_path, monkeypatch, caplog
):
    added = []
    add_handler = logging.Logger.addHandler

    def counting(log: logging.Logger, handler: logging.Handler) -> None:
        added.append(log.name)
        add_handler(log, handler)

    monkeypatch.setattr(logging.Logger, "addHandler", counting)
    crawl = tmp_path / "crawl.warc.gz"
    pages = [(f"https://e.com/{n}", "text/html", b"  ") for n in range(3)]
    crawl.write_bytes(warc_bytes(pages))
    with caplog.at_level(logging.INFO):
        ingest(str(crawl), "--in-process", expect_rejected=True)
    assert sorted(added) == ["htmldate", "trafilatura"]
    named = [record.getMessage().split(": trafilatura: ")[0] for record in caplog.records]
    assert [line for line in named if line.startswith(str(crawl))] == [
        f"{crawl}#record {n}" for n in (1, 2, 3)
    ]
    assert logging.getLogger("trafilatura").propagate  # as it was, once the run is over


def test_what_trafilatura_logs_outside_a_page_goes_on_as_it_would_have(caplog):
    with caplog.at_level(logging.INFO), extraction_log_lines_naming_pages():
        logging.getLogger("trafilatura.core").warning("said between pages")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("trafilatura.core", "said between pages")
    ]


# WARC


def test_a_warc_gives_an_article_per_html_response(gazetteer, tmp_path):
    second = (
        PAGE.replace("Dam repairs begin", "Dam repairs end")
        .replace('rel="canonical"', 'rel="x"')
        .replace(
            "Engineers began repairs on the Mosul dam on Tuesday",
            "Repairs on the Mosul dam were finished on Friday after eighteen months",
        )
        .replace("foundations are eroding", "gypsum layers dissolve under the weight of water")
        .replace("Work is expected to take", "The contractors from Italy needed")
    )
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(
        warc_bytes(
            [
                (
                    "https://www.example-times.com/world/mosul-dam",
                    "text/html; charset=utf-8",
                    PAGE.encode(),
                ),
                ("https://www.example-times.com/logo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
                ("https://www.example-times.com/world/dam-end", "text/html", second.encode()),
            ]
        )
    )
    output, errors = ingest(str(path))
    assert (output.split(",")[0], errors) == ("2 new", "")
    assert Article.objects.get(title="Dam repairs end").canonical_url == (
        "https://www.example-times.com/world/dam-end"
    )


def test_a_warc_response_that_is_not_a_2xx_is_skipped_quietly(gazetteer, tmp_path):
    not_found = PAGE.replace("Dam repairs begin", "Page not found").replace(
        "Engineers began", "Sorry, engineers began"
    )
    path = tmp_path / "statuses.warc.gz"
    path.write_bytes(
        warc_bytes(
            [
                ("https://www.example-times.com/world/mosul-dam", "text/html", PAGE.encode()),
                (
                    "https://www.example-times.com/gone",
                    "text/html",
                    not_found.encode(),
                    "404 Not Found",
                ),
                (
                    "https://www.example-times.com/old",
                    "text/html",
                    b"<html><body>Moved</body></html>",
                    "301 Moved Permanently",
                ),
            ]
        )
    )
    output, errors = ingest(str(path))  # no rejection, so a zero exit
    assert (output.split(",")[0], errors) == ("1 new", "")
    assert Article.objects.get().title == "Dam repairs begin"


def test_a_warc_with_a_damaged_record_keeps_the_records_before_it(gazetteer, tmp_path):
    good = warc_bytes([("https://e.com/1", "text/html", PAGE.encode())], gzipped=False)
    path = tmp_path / "damaged.warc"
    path.write_bytes(
        good + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort"
    )
    _, errors = ingest(str(path), expect_rejected=True)
    assert "damaged WARC" in errors or "unreadable record" in errors
    assert errors.startswith(str(path))
    assert Article.objects.get().title == "Dam repairs begin"
