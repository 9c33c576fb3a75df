"""Markup a source sends never reaches a page: ingest stores plain text (nh3 at ingest), and
what is marked safe at render keeps <mark> and nothing else (nh3 at render)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.safestring import mark_safe

from archive.models import Article, Outlet, Tag
from archive.sanitise import marked_text_html, plain_text
from moderation.templatetags.queue_tags import highlight_spans
from search.backends import reset_backend
from search.backends.base import Hit
from search.sync import apply_outbox
from search.templatetags.hits import hit_items
from tests.factories import make_article

pytestmark = pytest.mark.django_db

# What an attacker puts in a page, a feed or a JSON record, raw and entity-encoded.
PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">link</a>',
    "<svg onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
    "<style>body{display:none}</style>",
    "<!-- <script>alert(1)</script> -->",
]


def assert_no_markup(text: str) -> None:
    for marker in ("<", ">", "onerror", "onload"):
        assert marker not in text, text


def ingest(path, expect_rejected: bool = False) -> str:
    out, err = StringIO(), StringIO()
    if expect_rejected:
        with pytest.raises(CommandError, match="rejected"):
            call_command("ingest", str(path), stdout=out, stderr=err)
    else:
        call_command("ingest", str(path), stdout=out, stderr=err)
    return err.getvalue()


def record(number: int, payload: str, **fields) -> dict:
    return {
        "title": f"Report {number} {payload} from the front",
        "body": f"BAGHDAD (Reuters) - The front moved {payload} today.\n\nMore {payload} text.",
        "summary": f"Summary {payload}",
        "outlet": f"Wire {payload}",
        "published": "2017-08-15",
        "url": f"https://wire.example.com/report/{number}",
        "tags": [f"Front {payload}", "Iraq"],
        "dateline": f"MOSUL {payload}",
        "byline": f"Staff {payload}",
        "sources": [{"name": f"Ministry {payload}"}],
        **fields,
    }


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_text_removes_every_tag_and_is_stable(payload):
    cleaned = plain_text(f"Before {payload} after")
    assert_no_markup(cleaned)
    assert cleaned.startswith("Before")
    assert cleaned.endswith("after")
    assert plain_text(cleaned) == cleaned


def test_plain_text_keeps_what_is_only_text():
    assert plain_text("AT&T said 5 < 6 & 7 > 3 — “quoted” it's") == (
        "AT&T said 5 < 6 & 7 > 3 — “quoted” it's"
    )
    assert plain_text("Q&amp;A with the &quot;minister&quot;") == 'Q&A with the "minister"'
    assert plain_text("First paragraph.\n\nSecond paragraph.") == (
        "First paragraph.\n\nSecond paragraph."
    )


def test_plain_text_gives_up_safely_on_endless_encoding():
    deep = "<script>alert(1)</script>"
    for _ in range(20):
        deep = deep.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    cleaned = plain_text(deep)
    assert "<" not in cleaned
    assert "&" not in cleaned


def test_every_field_of_an_ingested_record_is_stored_as_plain_text(gazetteer, tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(record(n, p)) + "\n" for n, p in enumerate(PAYLOADS)))

    ingest(path)

    assert Article.objects.count() == len(PAYLOADS)
    for article in Article.objects.all():
        for text in (
            article.title,
            article.body,
            article.summary,
            article.dateline,
            article.dateline_place,
            json.dumps(article.extra, ensure_ascii=False),
        ):
            assert_no_markup(text)
        assert article.title.startswith("Report")
        assert article.title.endswith("from the front")
        assert "The front moved" in article.body
        assert article.extra["byline"].startswith("Staff")
    for name in [*Tag.objects.values_list("name", flat=True)]:
        assert_no_markup(name)
    for name in Outlet.objects.values_list("name", flat=True):
        assert_no_markup(name)


def test_the_same_hostile_file_ingested_again_changes_nothing(gazetteer, tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(record(n, p)) + "\n" for n, p in enumerate(PAYLOADS)))
    ingest(path)
    stored = list(Article.objects.order_by("pk").values_list("title", "body", "updated_at"))

    ingest(path)

    assert list(Article.objects.order_by("pk").values_list("title", "body", "updated_at")) == (
        stored
    )


def test_a_record_that_is_nothing_but_markup_is_rejected_and_its_neighbours_kept(
    gazetteer, tmp_path
):
    path = tmp_path / "mixed.jsonl"
    records = [
        record(1, "ok"),
        record(2, "ok", title="<script>alert('only a script')</script>"),
        record(3, "ok", body="<img src=x onerror=alert(1)><style>p{}</style>"),
        record(4, "ok"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))

    errors = ingest(path, expect_rejected=True)

    assert f"{path}:2: no title once its markup is removed" in errors
    assert f"{path}:3: no text once its markup is removed" in errors
    assert sorted(Article.objects.values_list("canonical_url", flat=True)) == [
        "https://wire.example.com/report/1",
        "https://wire.example.com/report/4",
    ]


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Hostile &lt;img src=x onerror=alert(1)&gt; Wire</title>
  <item>
    <title>Convoy &lt;script&gt;alert(1)&lt;/script&gt; arrives</title>
    <link>https://hostile.example.com/story/1</link>
    <pubDate>Tue, 15 Aug 2017 10:30:00 +0300</pubDate>
    <category>&lt;svg onload=alert(1)&gt;Aid</category>
    <description><![CDATA[Summary <img src=x onerror=alert(1)> of the day.]]></description>
    <content:encoded><![CDATA[<p onclick="alert(1)">ERBIL, Kurdistan Region – The convoy
      <a href="javascript:alert(1)">arrived</a> on Tuesday.</p><script>alert(1)</script>
      <p>&lt;script&gt;alert(2)&lt;/script&gt;Aid was unloaded.</p>]]></content:encoded>
  </item>
</channel>
</rss>
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
  <title>Dam &lt;script&gt;alert(1)&lt;/script&gt; repairs begin</title>
  <meta name="description" content="Repairs &lt;img src=x onerror=alert(1)&gt; begin.">
  <meta property="og:site_name" content="Example &lt;b&gt;Times&lt;/b&gt;">
  <meta name="author" content="&lt;script&gt;alert(1)&lt;/script&gt;Reporter">
  <meta property="article:published_time" content="2017-08-15T10:00:00+03:00">
</head><body><article>
  <h1>Dam &lt;script&gt;alert(1)&lt;/script&gt; repairs begin</h1>
  <p>MOSUL, Iraq – Engineers began repairs &lt;img src=x onerror=alert(1)&gt; on the Mosul
  dam on Tuesday, the ministry of water resources said in a statement on its website.</p>
  <p>The dam, the largest in Iraq, has been at risk of collapse for years because its
  foundations are eroding, according to engineers who have studied the structure.</p>
</article></body></html>
"""


@pytest.mark.parametrize(
    ("name", "content"), [("feed.xml", FEED), ("page.html", PAGE)], ids=["feed", "page"]
)
def test_feeds_and_pages_are_stored_without_markup(gazetteer, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)

    ingest(path)

    article = Article.objects.get()
    for text in (article.title, article.body, article.summary, article.outlet.name):
        assert_no_markup(text)
    assert_no_markup(json.dumps(article.extra, ensure_ascii=False))
    for tag in article.tags.all():
        assert_no_markup(tag.name)
    assert article.title.startswith(("Convoy", "Dam"))


def test_an_ingested_hostile_article_renders_with_no_markup_of_its_own(gazetteer, tmp_path, client):
    path = tmp_path / "feed.xml"
    path.write_text(FEED)
    ingest(path)
    article = Article.objects.get()

    html = client.get(article.get_absolute_url()).content.decode()

    for marker in ("alert(", "onerror", "onclick", "javascript:", "<svg", "<img"):
        assert marker not in html
    assert "Aid was unloaded." in html


HOSTILE_HIGHLIGHTS = [
    '<img src=x onerror="alert(1)">',
    '<mark onclick="alert(1)">Raqqa</mark>',
    '<a href="javascript:alert(1)">Raqqa</a>',
    "<script>alert(1)</script>",
    '<mark style="x">a</mark><iframe src="//evil.example"></iframe>',
]


@pytest.mark.parametrize("hostile", HOSTILE_HIGHLIGHTS)
def test_a_search_hit_keeps_only_its_marks_whatever_a_backend_sends(hostile):
    article = make_article(title="Raqqa")
    hit = Hit(article.pk, 1.0, f"<mark>Raqqa</mark> {hostile}", f"Near {hostile} the river")

    html = hit_items([(hit, article)])

    for marker in ("alert(", "onerror", "onclick", "javascript:", "<img", "<iframe", "style="):
        assert marker not in html
    assert "<mark>Raqqa</mark>" in html


def test_the_display_sanitiser_keeps_marks_and_line_breaks_only():
    assert marked_text_html('<mark class="x">a</mark><br><b>b</b>&lt;i&gt;') == (
        "<mark>a</mark><br>b&lt;i&gt;"
    )
    # Safe for Django is not enough: only MarkedHTML, which its maker escaped, is kept.
    assert marked_text_html(mark_safe("<b>b</b><mark>a</mark>")) == "b<mark>a</mark>"
    assert highlight_spans("<b>shout</b>\nnext", [(3, 8)]) == (
        "&lt;b&gt;<mark>shout</mark>&lt;/b&gt;<br>next"
    )


def test_the_api_search_gives_highlights_with_marks_only(client, settings, tmp_path):
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "api-index"
    reset_backend()
    make_article(title="Budget <img src=x onerror=alert(1)> debate", body="The budget <b>x</b>.")
    apply_outbox()

    hits = client.get(reverse("api:search"), {"q": "budget"}).json()["hits"]

    assert hits[0]["title_html"] == (
        "<mark>Budget</mark> &lt;img src=x onerror=alert(1)&gt; debate"
    )
    assert "<b>" not in hits[0]["snippet_html"]
    reset_backend()
