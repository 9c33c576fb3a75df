"""Editors' changes to the archive, each a named function the admin (and anything else)
calls: tags renamed and merged, articles withdrawn, republished, retagged, re-placed.

Each runs in one transaction and tells search which articles changed (search.sync's
outbox): they are bulk updates, which send no signals.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from archive.locate import unresolved_datelines
from archive.models import Article, Region, Tag, TagRedirect
from search.sync import record_changes


class CurationError(Exception):
    """A change an editor asked for that would leave the archive inconsistent."""


def _ids(articles: QuerySet | Iterable) -> list[int]:
    if isinstance(articles, QuerySet):
        return list(articles.values_list("pk", flat=True))
    return [getattr(article, "pk", article) for article in articles]


def _redirect(old_slug: str, tag: Tag) -> None:
    TagRedirect.objects.update_or_create(old_slug=old_slug, defaults={"tag": tag})


@transaction.atomic
def rename_tag(tag: Tag, name: str, slug: str = "") -> Tag:
    """Give a tag a new name (and slug, by default the name's); its old slug redirects."""
    name = name.strip()
    slug = slug.strip() or slugify(name, allow_unicode=True)
    if not name or not slug:
        raise CurationError("A tag needs a name and a slug.")
    others = Tag.objects.exclude(pk=tag.pk)
    if others.filter(name__iexact=name).exists():
        raise CurationError(f'Another tag is already called "{name}": merge into it instead.')
    if others.filter(slug=slug).exists():
        raise CurationError(f'Another tag already has the slug "{slug}".')
    old_slug = tag.slug
    if slug != old_slug:
        # The new slug may be one this tag (or another) was once known by: it is live again.
        TagRedirect.objects.filter(old_slug=slug).delete()
        _redirect(old_slug, tag)
    Tag.objects.filter(pk=tag.pk).update(name=name, slug=slug)
    tag.name, tag.slug = name, slug
    record_changes(tag.articles.values_list("pk", flat=True))
    return tag


@transaction.atomic
def merge_tags(sources: Iterable[Tag], into: Tag) -> int:
    """Move the articles of each source tag to ``into``, delete the sources and redirect
    their slugs (and the slugs that redirected to them) to ``into``. Returns how many
    articles changed."""
    sources = [tag for tag in sources if tag.pk != into.pk]
    if not sources:
        return 0
    source_ids = [tag.pk for tag in sources]
    Through = Article.tags.through
    moved = set(Through.objects.filter(tag_id__in=source_ids).values_list("article_id", flat=True))
    already = set(
        Through.objects.filter(tag=into, article_id__in=moved).values_list("article_id", flat=True)
    )
    Through.objects.bulk_create(
        [Through(article_id=article_id, tag_id=into.pk) for article_id in moved - already]
    )
    Through.objects.filter(tag_id__in=source_ids).delete()
    TagRedirect.objects.filter(tag_id__in=source_ids).update(tag=into)
    slugs = [tag.slug for tag in sources]
    # Deleting through the queryset sends pre_delete per tag, but the tags carry no articles
    # by now: the outbox rows come from here.
    Tag.objects.filter(pk__in=source_ids).delete()
    for slug in slugs:
        _redirect(slug, into)
    TagRedirect.objects.filter(old_slug=into.slug).delete()
    record_changes(moved)
    return len(moved)


def tag_for_slug(slug: str) -> tuple[Tag | None, bool]:
    """The tag a slug names now: (tag, False), or (tag, True) when the slug is an old one."""
    tag = Tag.objects.filter(slug=slug).first()
    if tag:
        return tag, False
    redirect = TagRedirect.objects.select_related("tag").filter(old_slug=slug).first()
    return (redirect.tag, True) if redirect else (None, False)


@transaction.atomic
def _update_articles(articles, by=None, **changes) -> int:
    """Change fields of the articles that differ, with a history row each (by whom)."""
    ids = _ids(articles)
    differing = Q()
    for name, value in changes.items():
        differing |= ~Q(**{name: value})
    changing = list(Article.objects.filter(pk__in=ids).filter(differing))
    for article in changing:
        for name, value in changes.items():
            setattr(article, name, value)
    bulk_update_with_history(changing, Article, list(changes), default_user=by)
    record_changes(article.pk for article in changing)
    return len(changing)


def withdraw_articles(articles, by=None) -> int:
    """Take articles out of every list, feed and search; their pages answer 410 Gone."""
    return _update_articles(articles, by, status=Article.Status.WITHDRAWN)


def republish_articles(articles, by=None) -> int:
    return _update_articles(articles, by, status=Article.Status.PUBLISHED)


def set_comments_open(articles, is_open: bool, by=None) -> int:
    return _update_articles(articles, by, comments_open=is_open)


@transaction.atomic
def add_tag(articles, tag: Tag) -> int:
    """Tag articles; returns how many did not carry the tag yet."""
    ids = set(_ids(articles))
    Through = Article.tags.through
    have = set(
        Through.objects.filter(tag=tag, article_id__in=ids).values_list("article_id", flat=True)
    )
    Through.objects.bulk_create([Through(article_id=pk, tag_id=tag.pk) for pk in ids - have])
    record_changes(ids - have)
    return len(ids - have)


@transaction.atomic
def remove_tag(articles, tag: Tag) -> int:
    ids = _ids(articles)
    Through = Article.tags.through
    links = Through.objects.filter(tag=tag, article_id__in=ids)
    had = list(links.values_list("article_id", flat=True))
    links.delete()
    record_changes(had)
    return len(had)


@transaction.atomic
def set_dateline_region(articles, region: Region, by=None) -> int:
    """Say where articles were filed from; the place is also one of the places covered."""
    ids = _ids(articles)
    changed = _update_articles(ids, by, dateline_region=region)
    Through = Article.regions.through
    have = set(
        Through.objects.filter(region=region, article_id__in=ids).values_list(
            "article_id", flat=True
        )
    )
    Through.objects.bulk_create(
        [Through(article_id=pk, region_id=region.pk) for pk in set(ids) - have]
    )
    record_changes(ids)
    return changed


@transaction.atomic
def reindex_articles(articles) -> int:
    """Send articles to the index again (after a backend was repaired, say)."""
    ids = _ids(articles)
    record_changes(ids)
    return len(ids)


def unresolved_dateline_groups():
    """Printed datelines with no region, one row per place and qualifier as printed, most
    articles first: ``{"dateline_place", "dateline_qualifier", "count"}``."""
    return (
        unresolved_datelines()
        .values("dateline_place", "dateline_qualifier")
        .annotate(count=Count("id"))
        .order_by("-count", "dateline_place", "dateline_qualifier")
    )


def fix_dateline_text(place: str, qualifier: str, region: Region, by=None) -> int:
    """Place every unresolved article whose dateline prints this place and qualifier."""
    articles = unresolved_datelines().filter(dateline_place=place, dateline_qualifier=qualifier)
    return set_dateline_region(articles, region, by)
