"""How the ingest writes a batch's rows: the many-to-many links in one statement (on
PostgreSQL, the columns as arrays), and on PostgreSQL the body compressed with lz4."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.ingest.pipeline import insert_links
from archive.models import Article
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def test_links_are_inserted_as_given_in_one_statement():
    articles = [make_article() for _ in range(3)]
    tags = [make_tag(f"Tag {n}") for n in range(4)]
    pairs = [(article.pk, tag.pk) for article in articles for tag in tags[: article.pk % 4 + 1]]
    with CaptureQueriesContext(connection) as queries:
        insert_links(Article.tags.through, pairs)
    assert len(queries) == 1
    stored = Article.tags.through.objects.values_list("article_id", "tag_id")
    assert sorted(stored) == sorted(pairs)
    with CaptureQueriesContext(connection) as none:
        insert_links(Article.tags.through, [])
    assert len(none) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage only")
def test_an_articles_body_is_compressed_with_lz4():
    """Migration archive/0015: pglz took a tenth of the server's time in an ingest."""
    body = " ".join(f"Paragraph {n} of a long report on the wells of Kirkuk." for n in range(80))
    article = make_article(body=body)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(body), (SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'archive_article'::regclass AND attname = 'body')"
            " FROM archive_article WHERE id = %s",
            [article.pk],
        )
        compressed, configured = cursor.fetchone()
    # A server built without lz4 keeps the default (the migration leaves the column as it is).
    assert compressed == ("lz4" if configured == "l" else "pglz")
    assert Article.objects.get(pk=article.pk).body == body
