"""An exception no view handles: under /api/ a JSON 500 in the API's error shape, elsewhere
the site's own 500 page. The tests run with DEBUG off, as production does."""

import pytest
from django.test import Client

from search import service
from tests.api.headers import BROWSER_ACCEPT

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_search(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(service, "search", fail)


@pytest.fixture
def reader() -> Client:
    # As a server answers: the exception becomes the 500 handler's response, not a raise.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/api/search/?q=airport", "/api/search/export.csv?q=airport"])
def test_an_api_server_error_is_a_json_500(reader, broken_search, path):
    response = reader.get(path, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}  # ErrorSerializer's shape
    assert "nobody expected" not in response.content.decode()


@pytest.mark.parametrize("path", ["/search/?q=airport", "/search/export.csv?q=airport"])
def test_a_server_error_elsewhere_is_the_sites_page(reader, broken_search, path):
    response = reader.get(path, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Something went wrong" in response.content.decode()
    assert "nobody expected" not in response.content.decode()
