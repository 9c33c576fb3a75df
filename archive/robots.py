"""/robots.txt: what crawlers may fetch, and where the sitemap lists the pages worth it."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

# Everything else is the public archive, open to crawlers. Kept out:
# - /admin/ and /moderation/: staff pages behind a sign-in, nothing to index;
# - /search/: endless (every query, filter, sort and page is another address, its CSV export
#   and Atom feed too) and each fetch runs a search, while every article it could find is
#   listed in the sitemap and linked from the browse pages;
# - /api/: the same articles as JSON for programs, which do not read robots.txt; crawlers
#   following its links would fetch every article a second time and hit /api/search/.
DISALLOWED_PREFIXES = ["/admin/", "/moderation/", "/search/", "/api/"]


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Disallow lines before "Allow: /": parsers that take the first matching rule (Python's
    # urllib.robotparser among them) would otherwise allow everything; RFC 9309's longest
    # match reads them the same either way.
    lines = [
        "User-agent: *",
        *(f"Disallow: {prefix}" for prefix in DISALLOWED_PREFIXES),
        "Allow: /",
        "",
        # An absolute URL, as https://www.sitemaps.org/protocol.html#submit_robots asks.
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
