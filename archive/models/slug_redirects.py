"""Old slugs, for the models whose addresses are made of a slug: tags and regions.

A tag renamed or merged away (archive.curation) and a region whose slug an editor changed
keep their old slugs, each model in a table of its own (``TagRedirect``,
``RegionRedirect``: ``SlugRedirect`` subclasses). This module is the one implementation of
the rules for both:

- ``KeepsOldSlugs.save`` records a changed slug (``keep_old_slug``), from whatever path
  saves the object: the admin's form, a curation function, a management command, the shell.
- A redirect points at the object, never at another slug: an old address moves in one step
  however many times the slug changed, and no chain can loop. Changing a slug back makes
  it live again (its redirect goes), and an object that takes an old slug as its own (a
  new tag or place) wins it: the redirect goes.
- ``SlugRedirectQuerySet.resolving`` finds an object by its slug or an old one, in one query.
"""

from typing import ClassVar, Self

from django.db import models, router, transaction
from django.db.models import Case, Q, Subquery, Value, When


class SlugRedirect(models.Model):
    """A slug an object was once known by. A subclass declares ``old_slug`` as its target's
    ``slug`` field is declared (same length, same characters: any slug the target had fits)
    and a ForeignKey to the target, named by ``target_field``, with
    ``related_name="redirects"`` (``SlugRedirectQuerySet.resolving`` follows that name)."""

    old_slug: models.SlugField
    target_field: ClassVar[str]

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["old_slug"]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.target.slug}"

    @property
    def target(self) -> models.Model:
        return getattr(self, self.target_field)


def redirects_of(model: type[models.Model]) -> type[SlugRedirect]:
    """The redirect model of a model with old slugs (Tag → TagRedirect)."""
    return model.redirects.field.model


def keep_old_slug(target: models.Model, old_slug: str | None) -> None:
    """``target``'s slug is live now, whatever redirected from it before; ``old_slug`` (None
    for a new object), if it is another, leads to ``target`` from now on.

    Delete, then insert: two queries, where update_or_create takes a savepoint, a locking
    SELECT and a write. The old slug cannot have a redirect of its own (it was live until
    now: this ran when it was taken), but bulk writes skip this function, so it is cleared
    too rather than trusted.
    """
    redirects = redirects_of(type(target))
    slugs = {target.slug, old_slug} - {None}
    redirects.objects.filter(old_slug__in=slugs).delete()
    if old_slug and old_slug != target.slug:
        redirects.objects.create(old_slug=old_slug, **{redirects.target_field: target})


class SlugRedirectQuerySet(models.QuerySet):
    def resolving(self, slug: str) -> Self:
        """The object a slug names now, the first of at most two: the object with that slug,
        or the object an old slug (a ``SlugRedirect``) leads to.

        The one place old slugs are followed: for the pages and feeds of a tag and a region,
        the browse, API, admin and search filters by tag and by place. The live object comes
        first (``keep_old_slug`` also drops a redirect whose slug an object takes, but bulk
        writes such as the ingest's new tags skip it), and
        ``resolving(slug).first().slug != slug`` tells an old slug, whose address should move
        for good.

        One query: ``slug = %s OR id = (SELECT ... LIMIT 1)``. The subquery is uncorrelated,
        so the database runs it once, first (PostgreSQL's InitPlan), and the OR is two
        indexed look-ups (a BitmapOr of the slug's index and the primary key's), where an
        ``id IN (subquery)`` or a join to the redirects would read every row.
        """
        redirect = self.model.redirects.field
        led_to = (
            redirect.model.objects.filter(old_slug=slug).order_by().values(redirect.attname)[:1]
        )
        return self.filter(Q(slug=slug) | Q(pk=Subquery(led_to))).order_by(
            Case(When(slug=slug, then=Value(0)), default=Value(1))
        )


class KeepsOldSlugs(models.Model):
    """A model whose old slugs redirect (``keep_old_slug`` on every save that changes the
    slug). It remembers the slug the database holds, as loaded or as its last save wrote
    it, so that a save knows the old slug without reading it again. Only an instance made
    with an existing primary key (``Region(pk=..., ...)``), never loaded, asks.

    Bulk writes (``QuerySet.update``, ``bulk_create``) record nothing; a caller that changes
    slugs that way keeps the redirects itself (load_regions never writes a slug)."""

    _slug_in_database: str | None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if "slug" in self.get_deferred_fields() or (
            update_fields is not None and "slug" not in update_fields
        ):
            super().save(*args, **kwargs)  # the slug is not written: nothing to keep
            return
        old_slug = self._slug_before_save()
        if old_slug == self.slug:
            super().save(*args, **kwargs)
        else:
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            with transaction.atomic(using=using, savepoint=False):
                super().save(*args, **kwargs)
                keep_old_slug(self, old_slug)
        self._slug_in_database = self.slug

    @classmethod
    def from_db(cls, db, field_names, values) -> Self:
        instance = super().from_db(db, field_names, values)
        if "slug" in instance.__dict__:  # not deferred (.only(), .defer())
            instance._slug_in_database = instance.slug
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        # Also how a deferred slug is loaded when first read.
        super().refresh_from_db(using, fields, from_queryset)
        if "slug" in self.__dict__ and (fields is None or "slug" in fields):
            self._slug_in_database = self.slug

    def _slug_before_save(self) -> str | None:
        """The slug the database holds for this object: None for a new one."""
        if self.pk is None:
            return None
        if hasattr(self, "_slug_in_database"):
            return self._slug_in_database
        return type(self)._base_manager.filter(pk=self.pk).values_list("slug", flat=True).first()
