"""/api/ itself, and addresses under it that name nothing: the API answers both in JSON, as
it answers everything; the site's own addresses keep the site's pages."""

from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from tests.api.headers import BROWSER_ACCEPT
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_the_api_root_links_every_endpoint_that_takes_no_id_and_the_docs(api):
    response = api.get("/api/")
    assert response.status_code == 200
    links = response.json()
    assert all(link.startswith("http://testserver/api/") for link in links.values())
    assert links["schema"] == "http://testserver" + reverse("api:schema")
    assert links["docs"] == "http://testserver" + reverse("api:docs")
    schema = api.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    starting_points = {path for path in schema["paths"] if "{" not in path} - {"/api/"}
    linked = {urlsplit(link).path for name, link in links.items() if name not in ("schema", "docs")}
    assert linked == starting_points
    for link in links.values():
        resolve(urlsplit(link).path)  # each leads somewhere


@pytest.mark.parametrize(
    "path",
    ["/api/nothing-here", "/api/nothing/here/", "/api/articles/abc/", "/api/articles/999999/"],
)
def test_an_api_address_that_names_nothing_is_a_json_404(client, path):
    make_article()
    response = client.get(path, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}  # the API's error body (ErrorSerializer)


@pytest.mark.parametrize("path", ["/nothing-here/", "/apis/", "/api-docs/"])
def test_the_sites_own_addresses_still_get_the_sites_404_page(client, path):
    response = client.get(path, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content


@pytest.mark.parametrize(("path", "to"), [("/api", "/api/"), ("/api/articles", "/api/articles/")])
def test_an_api_address_without_its_slash_still_redirects(client, path, to):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == to
