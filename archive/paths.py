"""The paths of the pages readers see most links to (articles, outlets, tags), without a
reverse() each.

A results page or an article list links to each article and its outlet: reverse() walks
the URL patterns, checks the argument against the pattern and quotes the path, about 20 µs
a link (a tenth of a search page's time went to it). The path around the slug is the same
for every slug: reversed once per view (and script prefix and URL configuration), then the
slug is checked against its converter's pattern and quoted as reverse() quotes it. A slug
the pattern refuses goes to reverse(), which raises as it always has.
"""

import functools
import re
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.urls.converters import SlugConverter, StringConverter
from django.utils.http import RFC3986_SUBDELIMS

_MARK = "0slugmark0"  # matches both converters' patterns
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted


def view_path(view_name: str, slug: str | None = None) -> str:
    """``reverse(view_name)`` (with ``slug`` as its one argument, if given), reversed once
    per script prefix and URL configuration: pages link to a few views a hundred times."""
    return _reversed(view_name, slug, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=64)
def _reversed(view_name: str, slug: str | None, script_prefix: str, urlconf: str | None) -> str:
    return reverse(view_name, kwargs=None if slug is None else {"slug": slug}, urlconf=urlconf)


@receiver(setting_changed)
def _urls_changed(setting: str, **kwargs) -> None:
    # ROOT_URLCONF changed (a test's override_settings): the cache key, get_urlconf(), is
    # still None, so the paths are forgotten as Django forgets its own resolvers.
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


class SlugPath:
    """``reverse(view_name, kwargs={"slug": slug})``, for a view whose one argument is a
    slug matched by ``pattern`` (its converter's)."""

    def __init__(self, view_name: str, pattern: str):
        self.view_name = view_name
        self.pattern = re.compile(pattern)

    def __call__(self, slug: str) -> str:
        if not self.pattern.fullmatch(slug):
            return reverse(self.view_name, kwargs={"slug": slug})
        before, after = view_path(self.view_name, _MARK).split(_MARK)
        return before + quote(slug, safe=_SAFE) + after


article_path = SlugPath("archive:article", StringConverter.regex)
outlet_path = SlugPath("archive:outlet", SlugConverter.regex)
tag_path = SlugPath("archive:tag", StringConverter.regex)
