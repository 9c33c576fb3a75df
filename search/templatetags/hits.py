"""A results page's hits, written in Python: ten of them a page, and the template they were
(an include per hit, with its variable lookups, filters and tags) cost about 100 µs each, a
tenth of a tantivy results page. The markup is the one templates/search/hit.html had
(tests/search/test_hit_markup.py renders that template beside this and compares): every
value from outside goes through escape, the highlights through ``marks_only`` as before, the
publication time through ``{% published %}``."""

from collections.abc import Iterable, Mapping
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from archive.models import Article
from archive.templatetags.published import published
from search.backends.base import Hit
from search.templatetags.highlights import marks_only

register = template.Library()


@register.simple_tag
def hit_items(
    hits: Iterable[tuple[Hit, Article]], matched_tags: Mapping[int, list[str]] | None = None
) -> SafeString:
    """Each (hit, article) pair as a list item: the highlighted title linking to the
    article, its outlet, publication time and dateline, the highlighted snippet, and the
    article's tags that matched (``matched_tags``, by article id) if it has any."""
    matched_tags = matched_tags or {}
    return mark_safe(
        "".join(hit_item(hit, article, matched_tags.get(article.pk, ())) for hit, article in hits)
    )


def hit_item(hit: Hit, article: Article, matched_tags: Iterable[str] = ()) -> str:
    outlet = article.outlet
    dateline = (
        f'· <span class="dateline">{escape(article.dateline)}</span>' if article.dateline else ""
    )
    # The standard library's html.escape: Django's escape checks for lazy strings first,
    # which costs as much again; slugs, names and datelines are plain strings.
    return (
        '<li class="hit">\n'
        f'  <h3 class="hit__title"><a href="{escape(article.get_absolute_url())}">'
        f"{marks_only(hit.title_html)}</a></h3>\n"
        '  <p class="meta">\n'
        f'    <a href="{escape(outlet.get_absolute_url())}">{escape(outlet.name)}</a>\n'
        f"    · {published(article)}\n"
        f"    {dateline}\n"
        "  </p>\n"
        f'  <p class="hit__snippet">{marks_only(hit.snippet_html)}</p>\n'
        f"{_tagged(matched_tags)}"
        "</li>\n"
    )


def _tagged(names: Iterable[str]) -> str:
    marked = ", ".join(f"<mark>{escape(name)}</mark>" for name in names)
    return f'  <p class="hit__tags">Tagged {marked}</p>\n' if marked else ""
