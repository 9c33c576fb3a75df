"""The API's search (the portal's), the CSV export, and posting a comment with every rule of
the comment form."""

import csv
import io
import time

import pytest
from django.urls import reverse

from archive.models import Article, Comment
from moderation.forms import issue_form_stamp
from search.backends.base import SearchBackendError
from tests.factories import make_article, make_outlet, make_tag
from tests.search.conftest import backend, sync  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def backend_name() -> str:
    return "whoosh"


@pytest.fixture
def archive(sync):  # noqa: F811
    rudaw = make_outlet("Rudaw")
    raqqa = make_tag("Raqqa")
    make_article(
        rudaw,
        title="Army takes the airport",
        body="Fighting near the airport runway.",
        tags=[raqqa],
    )
    make_article(make_outlet("AFP"), title="Airport reopens", body="Flights resume at the airport.")
    make_article(rudaw, title="Dam repairs", body="Engineers at the dam.")
    make_article(rudaw, title="Kurdish parliament votes on budget", body="The parliament met.")
    sync()


def test_search_has_hits_highlights_facets_and_filters(api, archive):
    data = api.get(reverse("api:search"), {"q": "airport"}).json()
    assert data["total"] == 2
    assert all("<mark>" in hit["title_html"] for hit in data["hits"])
    assert {o["value"] for o in data["facets"]["outlet"]} == {"rudaw", "afp"}

    narrowed = api.get(reverse("api:search"), {"q": "airport outlet:rudaw"}).json()
    assert [hit["article"]["title"] for hit in narrowed["hits"]] == ["Army takes the airport"]
    by_tag = api.get(reverse("api:search"), {"q": "airport", "tag": "raqqa"}).json()
    assert by_tag["total"] == 1


def test_search_suggests_a_spelling(api, archive):
    data = api.get(reverse("api:search"), {"q": "parliment"}).json()
    assert data["total"] == 0
    assert data["suggestion"] == "parliament"


def test_search_unavailable_is_503(api, monkeypatch):
    def unavailable(request, backend_used=None):
        raise SearchBackendError("index missing")

    monkeypatch.setattr("search.service.search", unavailable)
    assert api.get(reverse("api:search"), {"q": "x"}).status_code == 503


@pytest.mark.parametrize("url", ["/api/search/export.csv", "/search/export.csv"])
def test_csv_export_from_api_and_portal_up_to_the_limit(client, archive, settings, url):
    settings.SEARCH_EXPORT_LIMIT = 1
    response = client.get(url, {"q": "airport"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["title", "outlet", "published_at", "dateline", "language", "url"]
    assert len(rows) == 2


# Comments


@pytest.fixture
def article(db):
    return make_article(title="Open for comments")


def old_stamp(article, seconds: float = 60) -> str:
    return issue_form_stamp(article, issued_at=time.time() - seconds)


def post(api, article, **fields):
    form = {
        "author_name": "Rita",
        "author_email": "Rita@Example.com",
        "body": "A thoughtful comment on the airport.",
        "stamp": old_stamp(article),
        **fields,
    }
    return api.post(reverse("api:post_comment", args=[article.pk]), form, format="json")


def test_a_comment_is_held_for_moderation(api, article):
    response = post(api, article)
    assert response.status_code == 202
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.author_email == "rita@example.com"
    assert comment.ip_hash


def test_the_stamp_endpoint_gives_a_stamp_that_is_too_fresh_to_post_at_once(api, article):
    stamp = api.get(reverse("api:comment_stamp", args=[article.pk])).json()["stamp"]
    response = post(api, article, stamp=stamp)
    assert response.status_code == 400
    assert response.json()["__all__"][0]["code"] == "too_fast"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": "x"}, "body"),
        ({"author_email": "not-an-address"}, "author_email"),
        ({"stamp": "forged"}, "stamp"),
    ],
)
def test_the_forms_rules_refuse_a_bad_comment(api, article, fields, field):
    response = post(api, article, **fields)
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_stamp_from_another_article_is_refused(api, article):
    other = make_article()
    response = post(api, article, stamp=old_stamp(other))
    assert response.status_code == 400


def test_closed_comments_and_repeats_are_refused(api, article):
    assert post(api, article).status_code == 202
    assert post(api, article).status_code >= 400  # the same text again
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    assert post(api, article, body="Something else entirely.").status_code >= 400
    assert Comment.objects.count() == 1


def test_a_filled_honeypot_is_answered_alike_and_rejected(api, article):
    response = post(api, article, website="http://spam.example")
    assert response.status_code == 202
    assert Comment.objects.get().status == Comment.Status.REJECTED


def test_no_comment_on_a_withdrawn_article(api):
    gone = make_article(status=Article.Status.WITHDRAWN)
    assert post(api, gone).status_code == 404


def test_the_portal_links_to_the_csv_of_its_search(client, archive):
    response = client.get("/search/", {"q": "airport"})
    assert b'href="/search/export.csv?q=airport"' in response.content
