"""Language tags: whatever form a source, an editor or code writes one in ("pt_BR", "pt-BR",
"ckb"), the archive stores it whole in the one form its filters and search compare ("pt-br"):
the models keep it so (archive.languages.LanguageTagField), for every ingest format too; a
declared language wins over the detected one, which wins over the outlet's."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from archive.filters import ArticleFilter
from archive.languages import language_tag
from archive.models import Article, Outlet
from search.models import IndexOutbox
from tests.archive.ingest_inputs import PAGE, RECORD, ingest, jsonl, page_file
from tests.factories import make_article, make_outlet

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("pt_BR", "pt-br"),
        ("pt-BR", "pt-br"),
        (" ckb ", "ckb"),
        ("zh_Hant_TW", "zh-hant-tw"),
        ("und", ""),  # "not known": the text is read instead
        ("English", ""),
        ("", ""),
        ("en-abcdefgh-abcdefgh", ""),  # too long to store whole; cut, it is no tag anyone wrote
    ],
)
def test_a_language_tag_is_stored_lower_case_with_hyphens(given, stored):
    assert language_tag(given) == stored


def written_before_the_field_kept_one_form(model: type, pk: int, language: str) -> None:
    """A row's language as it could be stored before the models kept one form: written
    past the field, which now gives every save, bulk_create and update() that form."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET language = %s WHERE id = %s", [language, pk]
        )


@pytest.mark.parametrize(("given", "stored"), [("pt_BR", "pt-br"), (" EN ", "en"), ("und", "")])
def test_an_article_or_outlet_saved_from_code_keeps_its_language_in_the_one_form(given, stored):
    outlet = make_outlet(language=given)
    article = make_article(outlet, language=given)

    assert (outlet.language, article.language) == (stored, stored)  # as its row holds it
    outlet.refresh_from_db()
    article.refresh_from_db()
    assert (outlet.language, article.language) == (stored, stored)
    assert list(Article.objects.filter(language=stored)) == [article]


def test_a_language_written_in_bulk_or_by_update_is_kept_in_the_one_form():
    outlet = make_outlet()
    first = make_article(outlet, language="en")
    (bulk,) = Article.objects.bulk_create(
        [
            Article(
                outlet=outlet,
                title="Bulk",
                slug="bulk",
                body="Text.",
                published_at=first.published_at,
                language="pt_BR",
            )
        ]
    )
    assert bulk.language == "pt-br"
    Article.objects.filter(pk=first.pk).update(language="zh_Hant")
    Outlet.objects.filter(pk=outlet.pk).update(language="PT-br")
    first.language = "CKB"
    Article.objects.bulk_update([first], ["language"])  # no pre_save: an update() inside

    assert dict(Article.objects.values_list("slug", "language")) == {
        first.slug: "ckb",
        "bulk": "pt-br",
    }
    assert Outlet.objects.get().language == "pt-br"


def test_a_language_that_is_no_tag_is_refused_by_the_models_validation_naming_it():
    """What the admin's form shows (tests/curation): the model's own validator's message."""
    for model in (Outlet(name="Folha", slug="folha"), make_article()):
        model.language = " English "
        with pytest.raises(ValidationError) as refused:
            model.full_clean(validate_unique=False)
        assert refused.value.message_dict == {
            "language": ['Enter a language tag such as "en" or "pt-BR", not "English".']
        }
        model.language = "pt_BR"
        model.full_clean(validate_unique=False)
        assert model.language == "pt-br"


def test_a_stored_language_is_found_as_it_was_written():
    """Only what is written is changed: a query compares what a row holds, so a row stored
    before the field kept one form (migration 0010 looks for them) is found as it is."""
    article = make_article()
    written_before_the_field_kept_one_form(Article, article.pk, "pt_BR")
    assert list(Article.objects.filter(language="pt_BR")) == [article]
    assert not Article.objects.filter(language="pt-br").exists()


def test_a_json_lines_pt_BR_is_stored_as_pt_br_and_found_by_the_filters(
    gazetteer, tmp_path, client
):
    path = tmp_path / "language.jsonl"
    path.write_text(jsonl({**RECORD, "language": "pt_BR"}))

    ingest(str(path))

    article = Article.objects.get()
    assert article.language == "pt-br"
    for asked in ("pt-BR", "pt-br"):
        browse = ArticleFilter(data={"language": asked}, queryset=Article.objects.all())
        assert list(browse.qs) == [article]
        listed = client.get(reverse("api:articles"), {"language": asked}).json()["results"]
        assert [found["id"] for found in listed] == [article.id]


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Kurdistan 24</title>
  <language>en</language>
  <item>
    <title>{title}</title>
    <link>https://www.kurdistan24.net/story/{number}</link>
    <pubDate>Tue, 15 Aug 2017 10:30:00 +0300</pubDate>
    <dc:language>{language}</dc:language>
    <description>The airport had been closed for a week before flights resumed on
    Tuesday, officials said, and more flights are expected over the coming days.</description>
  </item>
</channel>
</rss>
"""


@pytest.mark.parametrize(
    ("declared", "stored"),
    [
        ("pt-BR", "pt-br"),  # was cut to "pt"
        ("ckb", "ckb"),  # was cut to "ck"
        ("Portuguese", "en"),  # no language tag: the text's language is detected
    ],
)
def test_a_feed_entrys_declared_language_is_kept_whole(gazetteer, tmp_path, declared, stored):
    path = tmp_path / "feed.xml"
    path.write_text(RSS.format(title="Airport reopens", number=1, language=declared))

    ingest(str(path))

    assert Article.objects.get().language == stored


CONTENT_LANGUAGE = '<meta http-equiv="Content-Language" content="{}">'


@pytest.mark.parametrize(
    ("html", "meta", "stored"),
    [
        ('<html lang="fr">', "", "fr"),  # declared, over the English detected
        ('<html lang="pt_BR">', CONTENT_LANGUAGE.format("fr"), "pt-br"),  # lang first
        ("<html>", CONTENT_LANGUAGE.format("pt-BR"), "pt-br"),
        ('<html lang="English">', "", "en"),  # no tag: the text's language is detected
        ('<html lang="">', CONTENT_LANGUAGE.format("fr"), "en"),  # "not known", says HTML
        ("<html>", "", "en"),
    ],
)
@pytest.mark.parametrize("read_from", ["a page", "a WARC record"])
def test_the_language_an_html_page_declares_is_kept_over_the_detected_one(
    gazetteer, tmp_path, read_from, html, meta, stored
):
    page = PAGE.replace('<html lang="en">', html).replace("<head>", f"<head>{meta}")
    ingest(page_file(tmp_path, page, read_from))

    assert Article.objects.get().language == stored


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"{feed_lang}>
  <title>Rudaw</title>
  <id>urn:rudaw</id>
  <updated>2017-08-15T10:00:00Z</updated>
  <entry{entry_lang}>
    <title>Airport reopens</title>
    <id>urn:rudaw:1</id>
    <updated>2017-08-15T10:00:00Z</updated>
    <content type="html"{content_lang}>The airport had been closed for a week before
    flights resumed on Tuesday, officials said, and more flights are expected.</content>
  </entry>
</feed>
"""


@pytest.mark.parametrize(
    ("feed_lang", "entry_lang", "content_lang", "stored"),
    [
        ("fr", "", "", "fr"),  # the feed's xml:lang, over the English detected
        ("fr", "pt_BR", "", "pt-br"),
        ("fr", "pt_BR", "ckb", "ckb"),
        ("fr", "English", "", "en"),  # no tag, and not the feed's: the text's is detected
        ("", "", "", "en"),
    ],
)
def test_the_language_an_atom_feed_declares_is_kept_over_the_detected_one(
    gazetteer, tmp_path, feed_lang, entry_lang, content_lang, stored
):
    def xml_lang(tag: str) -> str:
        return f' xml:lang="{tag}"' if tag else ""

    path = tmp_path / "feed.atom"
    path.write_text(
        ATOM.format(
            feed_lang=xml_lang(feed_lang),
            entry_lang=xml_lang(entry_lang),
            content_lang=xml_lang(content_lang),
        )
    )

    ingest(str(path))

    assert Article.objects.get().language == stored


@pytest.mark.parametrize(
    ("channel", "item", "stored"),
    [("pt-BR", "", "pt-br"), ("pt-BR", "ckb", "ckb"), ("", "", "en")],
)
def test_an_rss_channels_language_is_its_items_unless_an_item_declares_its_own(
    gazetteer, tmp_path, channel, item, stored
):
    feed = RSS.format(title="Airport reopens", number=1, language=item)
    feed = feed.replace("<language>en</language>", f"<language>{channel}</language>")
    path = tmp_path / "feed.xml"
    path.write_text(feed.replace("<dc:language></dc:language>", ""))

    ingest(str(path))

    assert Article.objects.get().language == stored


def test_the_outlets_language_is_stored_in_the_same_form(gazetteer, tmp_path):
    """An outlet's language is used when a record declares none and its text is too short to
    tell; one saved before the model kept one form may hold it as an editor typed it."""
    folha = make_outlet("Folha")
    written_before_the_field_kept_one_form(Outlet, folha.pk, "pt_BR")
    path = tmp_path / "short.jsonl"
    path.write_text(jsonl({**RECORD, "outlet": "Folha", "title": "Oi", "body": "Tudo bem."}))

    ingest(str(path))

    assert Article.objects.get().language == "pt-br"


def test_the_migration_writes_stored_tags_in_the_one_form_and_queues_them_for_the_index():
    migration = importlib.import_module("archive.migrations.0010_canonical_language_tags")
    written = ["pt_br", "pt-BR", "zh_hant", "en", "english", ""]
    articles = {language: make_article() for language in written}
    for language, article in articles.items():
        written_before_the_field_kept_one_form(Article, article.pk, language)
    IndexOutbox.objects.all().delete()
    before = {language: article.updated_at for language, article in articles.items()}

    migration.canonical_language_tags(apps, None)

    now = dict(Article.objects.values_list("id", "language"))
    assert [now[articles[language].id] for language in written] == [
        "pt-br",
        "pt-br",
        "zh-hant",
        "en",
        "english",  # no tag at all: nothing says which it meant
        "",
    ]
    changed = {articles[language].id for language in ("pt_br", "pt-BR", "zh_hant")}
    assert set(IndexOutbox.objects.values_list("article_id", flat=True)) == changed
    for language, article in articles.items():
        article.refresh_from_db()
        assert (article.updated_at > before[language]) == (article.id in changed)
