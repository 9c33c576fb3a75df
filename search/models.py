from django.db import models


class IndexOutbox(models.Model):
    """An article whose index entry is out of date: written in the same transaction as the
    change, deleted once the backend has applied it. Not a foreign key: a deleted article's
    row must outlive it so its document is removed."""

    article_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    backend = models.CharField(
        max_length=32,
        blank=True,
        default="",
        help_text="Empty: for the configured backend. A backend's name: a change the "
        "configured backend has applied, kept for that backend (an IndexFollower).",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "index outbox row"

    def __str__(self) -> str:
        waiting_for = f" for {self.backend}" if self.backend else ""
        return f"article {self.article_id}{waiting_for} (since {self.created_at:%Y-%m-%d %H:%M:%S})"


class IndexFollower(models.Model):
    """A backend built beside the configured one (``rebuild_index --backend NAME``) and kept
    current until the site switches to it: each change the configured backend applies is
    also queued for it (IndexOutbox rows with its name). See search.sync."""

    backend = models.CharField(max_length=32, unique=True)
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.backend} (since {self.since:%Y-%m-%d %H:%M:%S})"


class SearchLog(models.Model):
    """One portal search, without personal data: what was asked, which filters, how many
    articles it found, and the day (no time, user, address or session). search.insight
    writes and reads these."""

    query = models.CharField(max_length=200, blank=True, help_text="Case and spacing folded.")
    filters = models.JSONField(default=dict, blank=True)
    hit_count = models.PositiveIntegerField()
    day = models.DateField(db_index=True)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["day", "query"], name="searchlog_day_query")]

    def __str__(self) -> str:
        return f"{self.query!r} on {self.day}: {self.hit_count}"


class SearchPromotion(models.Model):
    """Articles editors pin to a query: shown first on the portal's first page for that
    query (folded as SearchLog folds it), marked "Editor's pick"."""

    query = models.CharField(max_length=200, unique=True, help_text="Case and spacing folded.")
    articles = models.ManyToManyField("archive.Article", related_name="promotions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["query"]

    def __str__(self) -> str:
        return self.query

    def save(self, *args, **kwargs) -> None:
        from search.insight import fold_query  # insight imports this module

        self.query = fold_query(self.query)
        super().save(*args, **kwargs)
