"""Editors' changes to the archive, each a named function the admin (and anything else)
calls: tags renamed and merged, articles withdrawn, republished, retagged, re-placed.

Each runs in one transaction. Every article it changes gets, in the same transaction, a
new ``updated_at`` (what its page and the API show changed), a version in its history (by
whom, and what: archive.models.history) and a row in search's outbox (search.sync): these
are bulk updates, which send no signals. Articles are changed in batches of
``BATCH_SIZE``, so selecting the whole archive costs a list of ids in memory, not its
bodies: each batch loads at most that many articles to write their versions.
"""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from archive.locate import unresolved_datelines
from archive.models import Article, Region, Tag, TagRedirect
from archive.models.history import record_versions
from archive.models.slug_redirects import keep_old_slug
from search.sync import record_changes

BATCH_SIZE = 500


class CurationError(Exception):
    """A change an editor asked for that would leave the archive inconsistent."""


def _ids(articles: QuerySet | Iterable) -> list[int]:
    if isinstance(articles, QuerySet):
        return list(articles.order_by("pk").values_list("pk", flat=True).distinct())
    return sorted({getattr(article, "pk", article) for article in articles})


def _curate(articles, change: Callable[[list[int]], Iterable[int]], *, by=None, reason: str) -> int:
    """Run ``change`` on the articles a batch at a time; it returns the ids it changed.
    Those get a new updated_at, a history version and an outbox row. Returns how many
    articles changed. Call inside a transaction."""
    ids = _ids(articles)
    now = timezone.now()
    changed = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = sorted(set(change(ids[start : start + BATCH_SIZE])))
        if not batch:
            continue
        Article.objects.filter(pk__in=batch).update(updated_at=now)
        record_versions(batch, by=by, reason=reason)
        record_changes(batch)
        changed += len(batch)
    return changed


def _setting(**changes) -> Callable[[list[int]], list[int]]:
    """A batch change that sets fields, on the articles where they differ."""
    differing = Q()
    for name, value in changes.items():
        differing |= ~Q(**{name: value})

    def change(batch: list[int]) -> list[int]:
        ids = list(
            Article.objects.filter(pk__in=batch).filter(differing).values_list("pk", flat=True)
        )
        Article.objects.filter(pk__in=ids).update(**changes)
        return ids

    return change


def _linking(field: str, target_id: int) -> Callable[[list[int]], list[int]]:
    """A batch change that links the articles to a tag or region (field: "tags" or
    "regions"), where they are not linked yet."""
    through = Article._meta.get_field(field).remote_field.through
    target = Article._meta.get_field(field).m2m_reverse_field_name() + "_id"

    def change(batch: list[int]) -> list[int]:
        have = set(
            through.objects.filter(**{target: target_id}, article_id__in=batch).values_list(
                "article_id", flat=True
            )
        )
        missing = [pk for pk in batch if pk not in have]
        through.objects.bulk_create(
            [through(article_id=pk, **{target: target_id}) for pk in missing]
        )
        return missing

    return change


@transaction.atomic
def rename_tag(tag: Tag, name: str, slug: str = "") -> Tag:
    """Give a tag a new name (and slug, by default the name's); its old slug redirects.

    The articles keep the tag (their versions do not change) but show its new name: they
    get a new updated_at and go to the index again.
    """
    name = name.strip()
    slug = slug.strip() or slugify(name, allow_unicode=True)
    if not name or not slug:
        raise CurationError("A tag needs a name and a slug.")
    others = Tag.objects.exclude(pk=tag.pk)
    if others.filter(name__iexact=name).exists():
        raise CurationError(f'Another tag is already called "{name}": merge into it instead.')
    if others.filter(slug=slug).exists():
        raise CurationError(f'Another tag already has the slug "{slug}".')
    tag.name, tag.slug = name, slug
    # A save, not an update: the model keeps a changed slug's old address (KeepsOldSlugs),
    # and the tag's post_save sends its articles to the index again (search.signals).
    tag.save(update_fields=["name", "slug"])
    Article.objects.filter(tags=tag).update(updated_at=timezone.now())
    return tag


@transaction.atomic
def merge_tags(sources: Iterable[Tag], into: Tag, by=None) -> int:
    """Move the articles of each source tag to ``into``, delete the sources and redirect
    their slugs (and the slugs that redirected to them) to ``into``. Returns how many
    articles changed; each gets a version saying so."""
    sources = [tag for tag in sources if tag.pk != into.pk]
    if not sources:
        return 0
    source_ids = [tag.pk for tag in sources]
    Through = Article.tags.through
    carrying = set(
        Through.objects.filter(tag_id__in=source_ids).values_list("article_id", flat=True)
    )

    def move(batch: list[int]) -> list[int]:
        _linking("tags", into.pk)(batch)
        Through.objects.filter(tag_id__in=source_ids, article_id__in=batch).delete()
        return batch

    names = ", ".join(tag.name for tag in sources)
    moved = _curate(carrying, move, by=by, reason=f"Tag {names} merged into {into.name}")
    TagRedirect.objects.filter(tag_id__in=source_ids).update(tag=into)
    slugs = [tag.slug for tag in sources]
    # The tags carry no articles by now: their pre_delete signal has nothing to record.
    Tag.objects.filter(pk__in=source_ids).delete()
    for slug in slugs:
        keep_old_slug(into, slug)
    return moved


@transaction.atomic
def withdraw_articles(articles, by=None) -> int:
    """Take articles out of every list, feed and search; their pages answer 410 Gone."""
    return _curate(articles, _setting(status=Article.Status.WITHDRAWN), by=by, reason="Withdrawn")


@transaction.atomic
def republish_articles(articles, by=None) -> int:
    return _curate(articles, _setting(status=Article.Status.PUBLISHED), by=by, reason="Republished")


@transaction.atomic
def set_comments_open(articles, is_open: bool, by=None) -> int:
    reason = "Comments opened" if is_open else "Comments closed"
    return _curate(articles, _setting(comments_open=is_open), by=by, reason=reason)


@transaction.atomic
def add_tag(articles, tag: Tag, by=None) -> int:
    """Tag articles; returns how many did not carry the tag yet."""
    return _curate(articles, _linking("tags", tag.pk), by=by, reason=f"Tag {tag.name} added")


@transaction.atomic
def remove_tag(articles, tag: Tag, by=None) -> int:
    """Untag articles; returns how many carried the tag."""
    links = Article.tags.through.objects.filter(tag=tag)

    def untag(batch: list[int]) -> list[int]:
        had = list(links.filter(article_id__in=batch).values_list("article_id", flat=True))
        links.filter(article_id__in=had).delete()
        return had

    return _curate(articles, untag, by=by, reason=f"Tag {tag.name} removed")


@transaction.atomic
def set_dateline_region(articles, region: Region, by=None) -> int:
    """Say where articles were filed from; the place is also one of the places covered."""
    set_dateline = _setting(dateline_region=region)
    cover = _linking("regions", region.pk)

    def place(batch: list[int]) -> list[int]:
        return [*set_dateline(batch), *cover(batch)]

    return _curate(articles, place, by=by, reason=f"Dateline place set to {region}")


@transaction.atomic
def reindex_articles(articles) -> int:
    """Send articles to the index again (after a backend was repaired, say). Nothing about
    them changes, so no version and no new updated_at."""
    ids = _ids(articles)
    for start in range(0, len(ids), BATCH_SIZE):
        record_changes(ids[start : start + BATCH_SIZE])
    return len(ids)


def record_placed_again(article_ids: list[int], by=None) -> None:
    """For archive.locate, inside its batch's transaction: the articles whose dateline
    place or places covered it changed at an editor's request get a version each."""
    if article_ids:
        Article.objects.filter(pk__in=article_ids).update(updated_at=timezone.now())
        record_versions(article_ids, by=by, reason="Dateline place and places found again")


def unresolved_dateline_groups():
    """Printed datelines with no region, one row per place and qualifier as printed, most
    articles first: ``{"dateline_place", "dateline_qualifier", "count"}``."""
    return (
        unresolved_datelines()
        .values("dateline_place", "dateline_qualifier")
        .annotate(count=Count("id"))
        .order_by("-count", "dateline_place", "dateline_qualifier")
    )


def articles_printing(place: str, qualifier: str):
    """The unresolved articles whose dateline prints this place and qualifier."""
    return unresolved_datelines().filter(dateline_place=place, dateline_qualifier=qualifier)


def fix_dateline_text(place: str, qualifier: str, region: Region, by=None) -> int:
    """Place every unresolved article whose dateline prints this place and qualifier."""
    return set_dateline_region(articles_printing(place, qualifier), region, by)
