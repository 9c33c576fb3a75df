from django.db import models

from .slug_redirects import SlugRedirect


class RegionRedirect(SlugRedirect):
    """A slug a region was once known by, before an editor changed it. Its old addresses
    (the region's page and feed) answer with a permanent redirect to the region, and the
    place filters follow it (``Region.objects.resolving``). Kept by ``Region.save``; the rules
    are archive.models.slug_redirects', shared with tags."""

    old_slug = models.SlugField(max_length=200, unique=True)
    region = models.ForeignKey("archive.Region", on_delete=models.CASCADE, related_name="redirects")

    target_field = "region"
