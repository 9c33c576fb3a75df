"""RSS and Atom feeds through `manage.py ingest`, with the bad entries beside good ones."""

from datetime import UTC, datetime

import pytest

from archive.models import Article
from tests.archive.ingest_inputs import RSS, ingest

pytestmark = pytest.mark.django_db


# Feeds

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Atom</title>
  <entry>
    <title>Atom entry</title>
    <link href="https://atom.example.com/a/1"/>
    <id>urn:uuid:1</id>
    <updated>2018-01-02T03:04:05Z</updated>
    <content type="html">&lt;p&gt;Words of the atom entry, in a paragraph.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_rss_entries_become_articles_and_a_bad_entry_is_reported(gazetteer, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(RSS)
    _, errors = ingest(str(path), expect_rejected=True)

    assert errors.strip() == f"{path}#3: entry has no title"
    first = Article.objects.get(title="Erbil airport reopens")
    assert first.outlet.name == "Kurdistan 24"
    assert first.canonical_url == "https://www.kurdistan24.net/en/story/1"
    assert first.published_at == datetime(2017, 8, 15, 7, 30, tzinfo=UTC)
    assert first.dateline == "ERBIL, Kurdistan Region"
    assert first.body == "Flights resumed on Tuesday.\n\nThe airport had been closed for a week."
    assert "alert" not in first.body
    assert first.summary == "Short summary."
    assert sorted(first.tags.values_list("name", flat=True)) == ["Aviation", "Erbil"]
    second = Article.objects.get(title="Second story")
    assert second.body == "Only a summary, but enough to keep."


def test_atom_feeds_are_read_too(gazetteer, tmp_path):
    path = tmp_path / "atom"  # no extension: the format is told from the content
    path.write_text(ATOM)
    ingest(str(path), "--outlet", "Atom Wire")  # a fallback: the feed has a title
    article = Article.objects.get()
    assert (article.title, article.outlet.name) == ("Atom entry", "Example Atom")
    assert article.body == "Words of the atom entry, in a paragraph."
    assert article.extra == {"guid": "urn:uuid:1"}


def test_outlet_option_names_a_feeds_outlet_only_where_the_feed_has_no_title(gazetteer, tmp_path):
    titled, untitled = tmp_path / "titled.xml", tmp_path / "untitled.xml"
    titled.write_text(RSS)
    untitled.write_text(ATOM.replace("<title>Example Atom</title>", ""))
    ingest(str(titled), str(untitled), "--outlet", "Atom Wire", expect_rejected=True)
    assert dict(Article.objects.values_list("title", "outlet__name")) == {
        "Erbil airport reopens": "Kurdistan 24",
        "Second story": "Kurdistan 24",
        "Atom entry": "Atom Wire",
    }


def test_a_feed_that_is_not_xml_is_rejected(gazetteer, tmp_path):
    path = tmp_path / "broken.rss"
    path.write_text('<rss version="2.0"><channel><title>Oops</title><item><title>Half')
    good = tmp_path / "good.xml"
    good.write_text(ATOM)
    _, errors = ingest(str(path), str(good), "--outlet", "X", expect_rejected=True)
    assert errors.startswith(f"{path}:")
    assert "not well-formed XML" in errors.splitlines()[0]
    assert Article.objects.get().title == "Atom entry"
