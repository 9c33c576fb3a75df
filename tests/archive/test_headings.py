"""Every list page has the same heading outline, which screen readers navigate by: one h1
(the page), an h2 for the list of articles, each article's title an h3 under it; no level
skipped anywhere."""

from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import pairwise

import pytest

from archive.models import Region
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class Outline(HTMLParser):
    """The headings of a page, in order: (level, class attribute)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HEADINGS:
            self.headings.append((HEADINGS[tag], dict(attrs).get("class") or ""))


def assert_sound_outline(html: str, articles: int) -> None:
    headings = Outline(html).headings
    levels = [level for level, _ in headings]
    assert levels[0] == 1, levels
    assert levels.count(1) == 1, levels
    for before, after in pairwise(levels):
        assert after <= before + 1, f"h{before} then h{after}: {levels}"
    titles = [i for i, (_, css) in enumerate(headings) if "article-card__title" in css]
    assert len(titles) == articles
    for i in titles:
        assert headings[i][0] == 3, levels
        assert headings[i - 1][0] in (2, 3), levels  # under the list's h2


@pytest.fixture
def tagged(gazetteer):
    rudaw, kigali = make_outlet("Rudaw"), make_tag("Kigali")
    iraq = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="IQ")
    for day in (1, 2):
        make_article(
            rudaw, published_at=datetime(2017, 8, day, tzinfo=UTC), tags=[kigali]
        ).regions.set([iraq])


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/tags/kigali/",
        "/outlets/rudaw/",
        "/regions/iraq/",
        "/archive/2017/",
        "/archive/2017/08/",
        "/archive/2017/08/01/",
    ],
)
def test_list_pages_have_a_sound_heading_outline(client, tagged, url):
    response = client.get(url)
    assert response.status_code == 200
    expected = 1 if url.endswith("/01/") else 2
    assert_sound_outline(response.content.decode(), articles=expected)
