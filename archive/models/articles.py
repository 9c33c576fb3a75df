from collections.abc import Container

from django.db import connection, models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import Exact
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import slugify

from archive.fingerprints import simhash
from archive.languages import MAX_TAG_LENGTH, LanguageTagField
from archive.paths import article_path, outlet_path, tag_path
from archive.text import content_hash

from .slug_redirects import KeepsOldSlugs, SlugRedirectQuerySet


class Outlet(models.Model):
    """A publisher whose pages we ingest, and how to read them."""

    class DateOrder(models.TextChoices):
        DAY_FIRST = "DMY", "Day first (15-08-2017)"
        MONTH_FIRST = "MDY", "Month first (08-15-2017)"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    homepage = models.URLField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    language = LanguageTagField(
        max_length=MAX_TAG_LENGTH, blank=True, help_text="BCP 47 code, e.g. en."
    )
    date_order = models.CharField(
        max_length=3,
        choices=DateOrder.choices,
        default=DateOrder.DAY_FIRST,
        help_text="How this outlet prints ambiguous numeric dates.",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="IANA zone its pages print times in."
    )
    boilerplate = models.TextField(
        blank=True,
        help_text="Site furniture to remove from this outlet's pages: one exact line per line.",
    )
    # Its articles' API answers show its name and address: a change to them is theirs too.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return outlet_path(self.slug)

    @property
    def boilerplate_lines(self) -> set[str]:
        return {line.strip() for line in self.boilerplate.splitlines() if line.strip()}


class Tag(KeepsOldSlugs):
    """A subject articles are tagged with. A slug it had before a rename or a merge leads to
    it (``TagRedirect``: archive.models.slug_redirects)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)

    objects = SlugRedirectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="unique_tag_name_any_case")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return tag_path(self.slug)


@receiver(pre_delete, sender=Tag)
def tag_deleted(sender, instance: Tag, **kwargs) -> None:
    # Its articles no longer show it: their updated_at (the API's Last-Modified) moves, or a
    # client revalidating by date would be told 304 over a copy that still lists the tag.
    instance.articles.update(updated_at=timezone.now())


def listed_condition(prefix: str = "") -> Q:
    """What browse lists, their feeds and their counts show: published articles that are
    not a syndicated copy of another. A copy stays reachable by its address and is shown on
    its first copy's page ("also published by"), as search shows it (search.documents), so
    a story is listed once. ``prefix`` reaches the articles through a relation
    (``"articles__"`` from a tag, an outlet or a region) for counts made from that side.

    "Not a copy" is written as ``COALESCE(near_duplicate_of_id, 0) = 0`` rather than ``IS
    NULL`` on purpose: SQLite keeps no statistics unless ANALYZE is run, and given ``IS
    NULL`` it read the rows through the near_duplicate_of index (NULL for nearly all of
    them) and sorted the whole table for each page, instead of walking the newest-first
    index (see also archive.ingest.pipeline). PostgreSQL keeps statistics of the column, so
    it gets ``IS NULL`` (nearly every row), which it estimates right, where it would guess
    half a percent of the rows for the COALESCE expression.
    """
    if connection.vendor == "postgresql":
        not_a_copy = Q(**{f"{prefix}near_duplicate_of__isnull": True})
    else:
        not_a_copy = Q(Exact(Coalesce(f"{prefix}near_duplicate_of", Value(0)), Value(0)))
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED}) & not_a_copy


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        return self.filter(status=Article.Status.PUBLISHED)

    def listed(self) -> "ArticleQuerySet":
        """Published first copies: what browse lists show (``listed_condition``)."""
        return self.filter(listed_condition())

    def for_listing(self) -> "ArticleQuerySet":
        """What an article list shows, fetched in a fixed number of queries."""
        return self.select_related("outlet", "dateline_region")


class Article(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=255, unique=True, allow_unicode=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(help_text="Stored in UTC.")
    published_time_known = models.BooleanField(
        default=False, help_text="False when the source printed a date without a time."
    )

    # The dateline as printed ("ERBIL, Kurdistan Region") and in parts.
    dateline = models.CharField(max_length=255, blank=True)
    dateline_place = models.CharField(max_length=120, blank=True, help_text='e.g. "ERBIL"')
    dateline_qualifier = models.CharField(
        max_length=120, blank=True, help_text='What follows the place, e.g. "Kurdistan Region".'
    )
    dateline_agency = models.CharField(max_length=60, blank=True, help_text='e.g. "AFP"')
    dateline_region = models.ForeignKey(
        "archive.Region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datelined_articles",
    )

    body = models.TextField(help_text="Plain text; paragraphs separated by a blank line.")
    summary = models.TextField(blank=True)
    # In the one form archive.languages.language_tag gives: "pt-br", "ckb", or "".
    language = LanguageTagField(max_length=MAX_TAG_LENGTH, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    regions = models.ManyToManyField(
        "archive.Region", blank=True, related_name="articles", help_text="Places covered."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    comments_open = models.BooleanField(default=True)

    content_hash = models.CharField(max_length=64, editable=False)
    simhash = models.BigIntegerField(
        null=True, blank=True, editable=False, help_text="Text fingerprint (archive.fingerprints)."
    )
    near_duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="syndicated_copies",
        help_text="The first copy of a syndicated story: this one stays reachable by its URL "
        "but is shown on the first copy's page rather than as a search hit of its own.",
    )
    source = models.CharField(
        max_length=1000, blank=True, help_text="Where it came from: file and position, or feed."
    )
    extra = models.JSONField(default=dict, blank=True, help_text="Source metadata we keep as is.")
    ingested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["canonical_url"],
                condition=~models.Q(canonical_url=""),
                name="unique_canonical_url_when_known",
            ),
        ]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="article_newest_first"),
            models.Index(fields=["outlet", "-published_at"], name="article_outlet_newest"),
            models.Index(fields=["content_hash"], name="article_content_hash"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        digest = content_hash(self.title, self.body)
        if digest != self.content_hash or (self._state.adding and self.simhash is None):
            # Fingerprinting costs more than hashing: only when the text changed (or the
            # caller, like the ingest, has not fingerprinted it already).
            self.simhash = simhash(self.body)
        self.content_hash = digest
        if not self.slug:
            self.slug = self.unique_slug_for(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return article_path(self.slug)

    @staticmethod
    def base_slug_for(title: str) -> str:
        return slugify(title, allow_unicode=True)[:240].strip("-") or "article"

    @classmethod
    def unique_slug_for(cls, title: str, also_taken: Container[str] = ()) -> str:
        """A slug no saved article has, nor any in ``also_taken`` (a batch being saved)."""
        base = cls.base_slug_for(title)
        slug, suffix = base, 2
        while slug in also_taken or cls.objects.filter(slug=slug).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return slug

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
