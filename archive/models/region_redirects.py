from django.db import models


class RegionRedirect(models.Model):
    """A slug a region was once known by, before an editor changed it. Its old addresses
    (the region's page and feed) answer with a permanent redirect to the region, and the
    place filters follow it (``Region.objects.resolving``). Written by ``Region.save``."""

    old_slug = models.SlugField(max_length=200, unique=True)
    region = models.ForeignKey("archive.Region", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.region.slug}"
