"""/robots.txt lets crawlers read the archive, keeps them off staff pages, search and the API,
and names the sitemap; read here by Python's own robots.txt parser, as a crawler would."""

from urllib.robotparser import RobotFileParser

import pytest

pytestmark = pytest.mark.django_db


def robots(response) -> RobotFileParser:
    assert response.status_code == 200  # a missing robots.txt would allow everything
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def test_robots_txt_is_plain_text(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "path",
    ["/", "/articles/some-article/", "/regions/syria/", "/tags/raqqa/feed/", "/archive/2017/",
     "/outlets/rudaw/", "/sitemap.xml", "/sitemap-articles.xml"],
)  # fmt: skip
def test_crawlers_may_read_the_public_archive(client, path):
    assert robots(client.get("/robots.txt")).can_fetch("SomeBot", path)


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/login/", "/moderation/", "/moderation/login/", "/search/",
     "/search/?q=raqqa&page=2", "/search/export.csv?q=raqqa", "/search/feed/?q=raqqa",
     "/api/articles/", "/api/search/?q=raqqa"],
)  # fmt: skip
def test_crawlers_are_kept_off_staff_pages_search_and_the_api(client, path):
    assert not robots(client.get("/robots.txt")).can_fetch("SomeBot", path)


def test_the_sitemap_is_named_with_an_absolute_url_of_the_requested_site(client, settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]

    response = client.get("/robots.txt", headers={"host": "news.example.org"}, secure=True)

    assert robots(response).site_maps() == ["https://news.example.org/sitemap.xml"]
    assert client.get("/sitemap.xml", headers={"host": "news.example.org"}).status_code == 200
