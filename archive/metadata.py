"""What pages tell machines about themselves: canonical URLs, Open Graph, JSON-LD.

JSON-LD is built as a dict and serialised with ``json.dumps``; ``json_ld_script`` escapes
"<", ">" and "&" as Django's ``json_script`` filter does, so no text of an article can end
the script element early ("</script>") whatever it holds. Nothing here concatenates HTML.
"""

import json

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from archive.models import Article

SITE_NAME = "Dateline"
DESCRIPTION_WORDS = 40
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def canonical_url(request: HttpRequest, path: str | None = None, page: int | None = None) -> str:
    """The page's address without its filters and sort order: only a page number past the
    first stays, since each page of a list holds other articles. ``page`` is the page
    shown, when a list showed another than the one asked for (past the end: the last)."""
    url = request.build_absolute_uri(path or request.path)
    asked = request.GET.get("page", "")
    if page is None:
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        page = int(asked) if asked.isdecimal() else 1
    return f"{url}?page={page}" if page > 1 else url


def description_of(article: Article) -> str:
    return Truncator(article.summary or article.body).words(DESCRIPTION_WORDS)


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element holding ``data``, safely escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=None).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))


def _published(article: Article) -> str:
    if article.published_time_known:
        return article.published_at.isoformat()
    return article.published_at.date().isoformat()


def article_metadata(article: Article, request: HttpRequest) -> dict:
    """Context for an article page's <head>: canonical URL, Open Graph pairs, JSON-LD."""
    url = canonical_url(request, article.get_absolute_url())
    description = description_of(article)
    tags = [tag.name for tag in article.tags.all()]
    open_graph = [
        ("og:type", "article"),
        ("og:site_name", SITE_NAME),
        ("og:title", article.title),
        ("og:description", description),
        ("og:url", url),
        ("article:published_time", _published(article)),
        ("article:modified_time", article.updated_at.isoformat()),
        *(("article:tag", name) for name in tags),
    ]
    if article.language:
        open_graph.append(("og:locale", article.language.replace("-", "_")))
    outlet = {"@type": "Organization", "name": article.outlet.name}
    if article.outlet.homepage:
        outlet["url"] = article.outlet.homepage
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": Truncator(article.title).chars(110),
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": _published(article),
        "dateModified": article.updated_at.isoformat(),
        "author": outlet,
        "publisher": outlet,
    }
    if article.language:
        news_article["inLanguage"] = article.language
    if tags:
        news_article["keywords"] = tags
    if article.dateline:
        news_article["dateline"] = article.dateline
    if article.dateline_region_id:
        news_article["contentLocation"] = {
            "@type": "Place",
            "name": str(article.dateline_region),
        }
    if article.canonical_url:
        news_article["isBasedOn"] = article.canonical_url
    return {
        "canonical_url": url,
        "open_graph": open_graph,
        "json_ld": json_ld_script(news_article),
    }
