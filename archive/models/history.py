"""Who changed what in an article, and when (django-simple-history): one row per saved
version, shown under "History" in the admin. Curation's bulk changes write their rows too
(archive.curation). Tags and places are not versioned: their changes reach the index and
the article's page, not this history."""

from simple_history import register

from .articles import Article

register(Article, app="archive", excluded_fields=["content_hash", "simhash", "updated_at"])
