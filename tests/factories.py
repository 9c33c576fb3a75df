"""Small builders for test data: each returns a saved object with sensible defaults (a
search document, which is no model, unsaved)."""

from datetime import UTC, datetime
from itertools import count

from django.utils.text import slugify

from archive.models import Article, Outlet, Tag
from search.documents import SearchDocument

_serial = count(1)


def make_outlet(name: str | None = None, **fields) -> Outlet:
    name = name or f"Outlet {next(_serial)}"
    return Outlet.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_tag(name: str, **fields) -> Tag:
    return Tag.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_article(outlet: Outlet | None = None, **fields) -> Article:
    number = next(_serial)
    fields.setdefault("title", f"Article number {number}")
    fields.setdefault("body", f"Body of article {number}.\n\nA second paragraph.")
    fields.setdefault("published_at", datetime(2017, 8, 15, tzinfo=UTC))
    tags = fields.pop("tags", [])
    article = Article.objects.create(outlet=outlet or make_outlet(), **fields)
    article.tags.set(tags)
    return article


def bulletin(n: int, published: datetime | None = None) -> SearchDocument:
    """A search document numbered ``n``: every bulletin has "bulletins" in its body."""
    return SearchDocument(
        article_id=n,
        title=f"Bulletin {n}",
        body=f"Number {n} of the bulk bulletins.",
        dateline="",
        tag_names=(),
        tag_slugs=(),
        outlet_slug="wire",
        outlet_name="Wire",
        region_ids=(),
        language="en",
        published_at=published or datetime(2020, 1, 1, tzinfo=UTC),
    )
