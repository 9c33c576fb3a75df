from django.db import models


class IndexOutbox(models.Model):
    """An article whose index entry is out of date: written in the same transaction as the
    change, deleted once the backend has applied it. Not a foreign key: a deleted article's
    row must outlive it so its document is removed."""

    article_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "index outbox row"

    def __str__(self) -> str:
        return f"article {self.article_id} (since {self.created_at:%Y-%m-%d %H:%M:%S})"
