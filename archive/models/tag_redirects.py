from django.db import models

from .slug_redirects import SlugRedirect


class TagRedirect(SlugRedirect):
    """A slug a tag was once known by: renamed or merged away. Its old address answers with
    a permanent redirect to the tag that carries its articles now. Kept by ``Tag.save``
    (archive.curation renames through it) and by ``merge_tags``; the rules are
    archive.models.slug_redirects', shared with regions."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey("archive.Tag", on_delete=models.CASCADE, related_name="redirects")

    target_field = "tag"
