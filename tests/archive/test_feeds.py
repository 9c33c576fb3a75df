"""Atom feeds (places, tags, outlets; the search feed is tested with the portal): each entry
declares its article's own language, never the site's by default."""

from xml.etree import ElementTree

import feedparser
import pytest
from django.urls import reverse

from archive.languages import declared_language
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# What Article.language holds: a code the ingest detected ("ar", "ckb": ISO 639-1 or 639-3),
# a source's own tag ("pt-br"), or nothing; and what an outlet's settings may hold.
LANGUAGES = {
    "Arabic": ("ar", "ar"),
    "Sorani": ("ckb", "ckb"),
    "Brazilian": ("pt-br", "pt-br"),
    "Taiwanese": ("zh-hant-tw", "zh-hant-tw"),
    "Unknown": ("", ""),
    "Undetermined": ("und", ""),
    "Underscored": ("pt_br", "pt-br"),
    "Not a tag": ("Portuguese", ""),  # an outlet setting typed as a name
}


@pytest.fixture
def multilingual():
    outlet, tag = make_outlet("Rudaw"), make_tag("Erbil")
    for title, (stored, _declared) in LANGUAGES.items():
        make_article(outlet, title=title, language=stored, tags=[tag])


def entry_languages(response) -> dict[str, str | None]:
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        entry.findtext(f"{ATOM}title"): entry.get(XML_LANG)
        for entry in root.findall(f"{ATOM}entry")
    }


@pytest.mark.parametrize(
    ("url_name", "slug"), [("archive:tag_feed", "erbil"), ("archive:outlet_feed", "rudaw")]
)
def test_each_entry_declares_its_articles_language(client, multilingual, url_name, slug):
    response = client.get(reverse(url_name, args=[slug]))
    root = ElementTree.fromstring(response.content)
    assert root.get(XML_LANG) == "en"  # the feed's own title and subtitle
    expected = {title: declared for title, (_stored, declared) in LANGUAGES.items()}
    assert entry_languages(response) == expected


def test_a_feed_reader_sees_each_entrys_language_and_no_guess_for_unknown_ones(
    client, multilingual
):
    feed = feedparser.parse(client.get(reverse("archive:tag_feed", args=["erbil"])).content)
    assert not feed.bozo, feed.bozo_exception
    seen = {entry.title: entry.title_detail.language for entry in feed.entries}
    assert seen["Brazilian"] == "pt-br"  # not cut to "pt"
    assert seen["Sorani"] == "ckb"  # not "ck", nor English
    assert seen["Unknown"] is None  # not the feed's "en"
    assert seen["Undetermined"] is None  # not "und", nor "un"


@pytest.mark.parametrize(
    ("stored", "declared"),
    [("en", "en"), ("pt-BR", "pt-BR"), (" fil ", "fil"), ("und", ""), ("UND", ""), ("e", "")],
)
def test_declared_language(stored, declared):
    assert declared_language(stored) == declared
