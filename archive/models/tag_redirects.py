from django.db import models


class TagRedirect(models.Model):
    """A slug a tag was once known by: renamed or merged away. Its old address answers with
    a permanent redirect to the tag that carries its articles now (archive.curation)."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey("archive.Tag", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.tag.slug}"
