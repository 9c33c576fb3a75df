"""The region tree: continents, countries, provinces, cities and hand-made areas.

Each region stores its ancestry as a materialised ``path``: the fixed-width ids of its
ancestors and then its own (``PATH_WIDTH`` digits each). A region's subtree is then one
indexed range query (``Region.objects.subtree_of``), and counting articles per child of a
region is one GROUP BY on a prefix of the path, whatever the depth of the tree.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Length, LPad, Substr
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import Signal, receiver
from django.urls import reverse
from django.utils import timezone

from archive.models.articles import listed_condition
from archive.models.slug_redirects import KeepsOldSlugs, SlugRedirectQuerySet
from archive.text import fold

PATH_WIDTH = 10  # digits per ancestor in Region.path: ids up to 9,999,999,999

# Sent inside Region.save's transaction when a region moved (its subtree's paths were
# rewritten in bulk, after post_save): ``region``, with its new path. search.signals
# records the articles in that subtree, whose indexed ancestry changed.
region_moved = Signal()


def path_segment(region_id: int) -> str:
    return str(region_id).zfill(PATH_WIDTH)


def path_ids(path: str) -> list[int]:
    """The ids a path holds, root first (the region's own id last)."""
    return [int(path[i : i + PATH_WIDTH]) for i in range(0, len(path), PATH_WIDTH)]


def _after_prefix(prefix: str) -> str | None:
    """The smallest digit string of this length above every string starting with prefix.

    Paths are digits only, so the range [prefix, this) is exactly "starts with prefix" in
    any collation (PostgreSQL's locale collations included) and uses a plain B-tree index.
    """
    if not prefix or set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


class RegionQuerySet(SlugRedirectQuerySet):
    """Regions by slug (``resolving``: an old slug too), by name, and by place in the tree."""

    def named(self, value: str) -> "Region | None":
        """The region a reader means by a slug, an old slug (``resolving``) or a name (any of
        its names, accents and case folded): for the browse pages', the API's and search's
        place filters alike, so that a name leads to the same place everywhere, and a link
        written before an editor changed a slug still does. Of several regions of that name,
        the first kind in READER_KIND_ORDER, then the most populous."""
        value = value.strip()
        if not value:
            return None
        if region := self.resolving(value).first():
            return region
        candidates = self.filter(
            id__in=RegionName.objects.filter(folded=fold(value)).values("region_id")
        )
        return min(
            candidates,
            key=lambda r: (READER_KIND_ORDER.get(r.kind, len(READER_KIND_ORDER)), -r.population),
            default=None,
        )

    def subtree_of(self, region: "Region") -> "RegionQuerySet":
        """The region and every region under it, however deep."""
        return self.with_path_prefix(region.path)

    def with_path_prefix(self, prefix: str) -> "RegionQuerySet":
        if not prefix:
            return self.all()
        after = _after_prefix(prefix)
        matching = self.filter(path__gte=prefix)
        return matching.filter(path__lt=after) if after else matching

    def published_article_counts_by_branch(self, prefix: str, depth: int) -> dict[int, int]:
        """Published articles under each region at ``depth`` (1 = continents) below the
        prefix, counted once each however many of the branch's places they cover: one query.
        A syndicated copy is left out, as the region pages list it (``listed_condition``).

        An article counts under a branch if one of its places covered is in that branch.
        """
        key_length = depth * PATH_WIDTH
        rows = (
            self.with_path_prefix(prefix)
            .annotate(path_length=Length("path"))
            .filter(path_length__gte=key_length)
            .annotate(branch=Substr("path", 1, key_length))
            .values("branch")
            .annotate(count=Count("articles", filter=listed_condition("articles__"), distinct=True))
            .filter(count__gt=0)
            .values_list("branch", "count")
        )
        return {int(branch[-PATH_WIDTH:]): count for branch, count in rows}


class Region(KeepsOldSlugs):
    """A place in the gazetteer tree: continent > country > province > city, plus areas."""

    class Kind(models.TextChoices):
        CONTINENT = "continent", "Continent"
        COUNTRY = "country", "Country"
        PROVINCE = "province", "Province"
        CITY = "city", "City"
        AREA = "area", "Area"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.AREA)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    geonames_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    iso_code = models.CharField(
        "ISO 3166-2 code",
        max_length=8,
        null=True,
        blank=True,
        unique=True,
        help_text='Provinces only, e.g. "IQ-AR".',
    )
    country_code = models.CharField(
        max_length=2,
        blank=True,
        db_index=True,
        help_text="ISO 3166-1 alpha-2 of the country; taken from the parent when left blank.",
    )
    population = models.PositiveBigIntegerField(default=0)
    path = models.CharField(
        max_length=255,
        db_index=True,
        editable=False,
        default="",
        help_text="Ancestors' ids and its own, fixed width: the subtree is a prefix range.",
    )
    # When what the API shows of the region (name, slug, kind, country) may have changed:
    # articles show their places, and an article's Last-Modified is its own updated_at or
    # its places', whichever is later (api.views.ArticleDetail). Written by save() and by
    # load_regions' upserts; not by the path's bulk rewrites, which the API does not show.
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        """ "Erbil, Iraq": a place below a country is named with its country."""
        if self.kind in (self.Kind.CITY, self.Kind.PROVINCE, self.Kind.AREA):
            if country := country_names().get(self.country_code):
                return f"{self.name}, {country}"
            if self.parent_id:
                return f"{self.name}, {self.parent.name}"
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        """Keep the path (and the country code) true to the parent, for this region and,
        when it moves, for everything under it. A changed slug's old addresses keep leading
        here (``KeepsOldSlugs.save``): from the admin's form, load_regions' areas, the
        shell or a curation function alike; the path is kept true beside it here, rather
        than in the admin's save_model, for the same reason."""
        self.iso_code = self.iso_code or None
        parent = Region.objects.filter(pk=self.parent_id).first() if self.parent_id else None
        if parent and not self.country_code:
            self.country_code = parent.country_code
        super().save(*args, **kwargs)
        old_path = self.path
        new_path = (parent.path if parent else "") + path_segment(self.pk)
        if new_path != old_path:
            self.path = new_path
            Region.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                Region.objects.with_path_prefix(old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
                )
                region_moved.send(sender=Region, region=self)
            regions_changed()  # the paths were written after the post_save signal

    def get_absolute_url(self) -> str:
        return reverse("archive:region", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.pk and self.parent_id:
            parent = Region.objects.filter(pk=self.parent_id).only("path").first()
            if parent and self.pk in path_ids(parent.path):
                raise ValidationError({"parent": "A region cannot sit inside itself."})

    @property
    def ancestor_ids(self) -> list[int]:
        """Root first, without the region itself."""
        return path_ids(self.path)[:-1]

    def ancestors(self) -> list["Region"]:
        """Root first, in one query."""
        by_id = Region.objects.in_bulk(self.ancestor_ids)
        return [by_id[i] for i in self.ancestor_ids if i in by_id]


# A reader who names a place means the most prominent of that name: a country before the
# continent it shares a name with (Antarctica), then a province, an area, a city. Datelines
# name towns and rank the other way (archive.places.dateline_place).
READER_KIND_ORDER = {
    Region.Kind.COUNTRY: 0,
    Region.Kind.CONTINENT: 1,
    Region.Kind.PROVINCE: 2,
    Region.Kind.AREA: 3,
    Region.Kind.CITY: 4,
}


class RegionName(models.Model):
    """One name a region is known by (its own, alternate spellings, codes), folded for look-up."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    folded = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "folded"], name="unique_folded_name_per_region"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.folded = fold(self.name)
        super().save(*args, **kwargs)


def rebuild_region_paths() -> int:
    """Set every region's path from its parent's, for rows written in bulk (no save()).

    Each pass fixes one more level of the tree; a pass that changes nothing ends it, so on
    an up-to-date tree this is one UPDATE that touches no row. Returns the rows changed.
    """
    own_segment = LPad(Cast("id", models.CharField()), PATH_WIDTH, Value("0"))
    parent_path = Subquery(Region.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    expected = Concat(Coalesce(parent_path, Value("")), own_segment)
    changed = 0
    while True:
        rows = (
            Region.objects.annotate(expected=expected)
            .exclude(path=models.F("expected"))
            .values_list("id", flat=True)
        )
        ids = list(rows)
        if not ids:
            return changed
        for start in range(0, len(ids), 5000):
            Region.objects.filter(id__in=ids[start : start + 5000]).update(path=expected)
        changed += len(ids)


_country_names: dict[str, str] | None = None


def country_names() -> dict[str, str]:
    """Country names by ISO code, read once per process (and again after region changes)."""
    global _country_names
    if _country_names is None:
        _country_names = dict(
            Region.objects.filter(kind=Region.Kind.COUNTRY).values_list("country_code", "name")
        )
    return _country_names


@receiver(pre_delete, sender=Region)
def region_deleted(sender, instance: Region, **kwargs) -> None:
    # The articles that covered it or were filed from it no longer show it (the links go, the
    # dateline is set to null): their updated_at moves, as for a deleted tag, so the API's
    # Last-Modified cannot go back to a date before the place's last change.
    now = timezone.now()
    instance.articles.update(updated_at=now)
    instance.datelined_articles.update(updated_at=now)


class GazetteerVersion(models.Model):
    """Which state of the regions and their names the database holds (one row): a new
    random token at every change, so that a gazetteer kept in a file
    (archive.gazetteer_file) is used only while the database holds what it was built from.
    Random, not a counter: a change rolled back leaves the token it replaced, and a counter
    would then give the next change the number of the one rolled back, whose file holds
    other names. A migration that writes regions or names calls ``regions_changed``."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


def regions_changed() -> None:
    """Regions or their names were written (saved, deleted, loaded in bulk): a new version
    token in the database (in the writer's transaction: a rollback takes it back with the
    change), and this process forgets what it holds."""
    token = secrets.token_hex(16)
    # One UPDATE: every region or name saved pays it (update_or_create's lock and savepoint
    # were three statements more). The row is missing only from a flushed test database.
    if not GazetteerVersion.objects.filter(pk=1).update(token=token):
        GazetteerVersion.objects.get_or_create(pk=1, defaults={"token": token})
    forget_gazetteer()


@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
@receiver(post_save, sender=RegionName)
@receiver(post_delete, sender=RegionName)
def region_changed(sender, **kwargs) -> None:
    regions_changed()


def forget_gazetteer() -> None:
    """Drop what this process holds of the regions (the in-memory gazetteer of
    archive.places, country names): the next look-up reads them as the database holds them
    now. ``regions_changed`` calls it; so does anything that wants another process's edits
    seen at once."""
    global _country_names
    from archive.places import forget_gazetteer as forget

    _country_names = None
    forget()
