"""A page number that is no page shows a page and says so, rather than a bare 404: past the
end, the last page; not a number, the first (archive.views.page_number)."""

from datetime import UTC, datetime, timedelta

import pytest

from archive import browse
from archive.views import page_number
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_tagged(settings):
    """Five articles tagged Kigali, two a page: pages of 2, 2 and 1, newest first."""
    settings.ARTICLES_PER_PAGE = 2
    kigali = make_tag("Kigali")
    start = datetime(2017, 8, 1, tzinfo=UTC)
    for day in range(5):
        make_article(
            title=f"Day {day + 1}", published_at=start + timedelta(days=day), tags=[kigali]
        )


def shown(response) -> tuple[int, list[str]]:
    assert response.status_code == 200
    return response.context["page_obj"].number, [a.title for a in response.context["articles"]]


@pytest.mark.parametrize("url", ["/", "/tags/kigali/"])
def test_a_page_past_the_end_shows_the_last_page_and_says_so(client, five_tagged, url):
    response = client.get(url, {"page": "999"})
    assert shown(response) == (3, ["Day 1"])
    html = response.content.decode()
    assert "There is no page “999”: this is page 3 of 3." in html
    assert f'<link rel="canonical" href="http://testserver{url}?page=3">' in html


@pytest.mark.parametrize("url", ["/", "/tags/kigali/"])
@pytest.mark.parametrize("page", ["abc", "0", "-2", "2.5", "²"])
def test_a_page_that_is_not_a_number_shows_the_first_page(client, five_tagged, url, page):
    response = client.get(url, {"page": page})
    assert shown(response) == (1, ["Day 5", "Day 4"])
    assert "There is no page" in response.content.decode()
    assert f'<link rel="canonical" href="http://testserver{url}">' in response.content.decode()


def test_a_real_page_says_nothing_about_it(client, five_tagged):
    response = client.get("/", {"page": "2"})
    assert shown(response) == (2, ["Day 3", "Day 2"])
    assert "There is no page" not in response.content.decode()


def test_filters_stay_when_the_page_moves(client, five_tagged):
    response = client.get("/", {"tag": "kigali", "since": "2017-08-04", "page": "7"})
    assert shown(response) == (1, ["Day 5", "Day 4"])


def test_the_tag_index_forgives_a_page_number_too(client, monkeypatch):
    monkeypatch.setattr(browse.TagIndexView, "paginate_by", 2)
    for name in ("Abadan", "Baghdad", "Cairo"):
        make_tag(name)
    response = client.get("/tags/", {"page": "999"})
    assert response.status_code == 200
    assert [tag.name for tag in response.context["tags"]] == ["Cairo"]
    assert client.get("/tags/", {"page": "x"}).context["page_obj"].number == 1


@pytest.mark.parametrize(
    ("asked", "expected"),
    [(None, 1), ("", 1), ("1", 1), ("3", 3), ("4", 3), ("last", 3), ("0", 1), ("nope", 1)],
)
def test_page_number(asked, expected):
    assert page_number(asked, num_pages=3) == expected
