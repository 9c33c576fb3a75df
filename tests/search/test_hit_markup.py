"""{% hit_items %} writes the markup the hit template wrote (kept beside this test as the
reference: hit_markup_reference.html), for any article and any highlight a backend gives."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.template import Context, Template

from archive.models import Article, Outlet
from archive.sanitise import MarkedHTML
from search.backends.base import Hit
from search.templatetags.hits import hit_items

REFERENCE = Template((Path(__file__).parent / "hit_markup_reference.html").read_text())
HOSTILE = "<script>alert(\"x\")</script> & 'quotes'"

OUTLETS = [
    Outlet(name="Rudaw", slug="rudaw"),
    Outlet(name=HOSTILE, slug="hostile-outlet"),
]
ARTICLES = [
    {"slug": "syrian-army-fights-into-deir-ez-zor", "dateline": "ERBIL, Kurdistan Region"},
    {"slug": "no-dateline", "dateline": ""},
    {"slug": "كركوك-تحت-المطر", "dateline": "كركوك"},  # a Unicode slug is quoted in the path
    {"slug": "hostile", "dateline": HOSTILE, "published_time_known": True},
]
HIGHLIGHTS = [
    ("<mark>Syrian</mark> army", "The <mark>Syrian</mark> army &amp; its allies"),
    # Another backend's highlight with markup it should not have: cleaned as before.
    ('<b onclick="x()">bold</b> <mark>word</mark>', "<script>alert(1)</script><mark>a</mark>"),
    # tantivy's, escaped as it is built, kept as it is.
    (MarkedHTML("<mark>Erbil</mark> &lt;b&gt;"), MarkedHTML("in <mark>Erbil</mark>")),
    ("", ""),
]


def as_the_template_wrote_it(hit: Hit, article: Article, matched_tags=()) -> str:
    # The template's first two lines ({% load %} and a comment) wrote two blank lines.
    context = Context({"hit": hit, "article": article, "matched_tags": matched_tags})
    return REFERENCE.render(context).lstrip("\n")


@pytest.mark.parametrize("outlet", OUTLETS, ids=["plain", "hostile"])
@pytest.mark.parametrize("fields", ARTICLES, ids=[a["slug"] for a in ARTICLES])
@pytest.mark.parametrize("highlights", HIGHLIGHTS)
def test_a_hit_is_written_as_the_template_wrote_it(outlet, fields, highlights):
    article = Article(
        outlet=outlet,
        title="Title",
        published_at=datetime(2017, 8, 15, 9, 30, tzinfo=UTC),
        **fields,
    )
    hit = Hit(article_id=1, score=1.0, title_html=highlights[0], snippet_html=highlights[1])
    assert hit_items([(hit, article)]) == as_the_template_wrote_it(hit, article)


@pytest.mark.parametrize("tags", [["Kigali"], ["Kigali", HOSTILE], []])
def test_the_tags_that_matched_are_written_as_the_template_wrote_them(tags):
    article = Article(
        pk=7, outlet=OUTLETS[0], slug="s", published_at=datetime(2017, 8, 15, tzinfo=UTC)
    )
    hit = Hit(article_id=7, score=1.0, title_html="Title", snippet_html="Words")
    written = hit_items([(hit, article)], {7: tags})
    assert written == as_the_template_wrote_it(hit, article, tags)
    assert ("Tagged <mark>Kigali</mark>" in written) == bool(tags)
    assert "<script>" not in written


def test_hits_are_written_in_their_order():
    articles = [
        Article(
            outlet=OUTLETS[0], slug=f"article-{n}", published_at=datetime(2017, 8, n, tzinfo=UTC)
        )
        for n in (3, 1, 2)
    ]
    hits = [Hit(n, 1.0, f"title {n}", f"snippet {n}") for n in (3, 1, 2)]
    written = hit_items(list(zip(hits, articles, strict=True)))
    assert written == "".join(
        as_the_template_wrote_it(hit, article) for hit, article in zip(hits, articles, strict=True)
    )
    assert written.index("article-3") < written.index("article-1") < written.index("article-2")
