"""Script and markup sent through every field a person controls come back as text, wherever
they are shown: pages, feeds, sitemaps, CSV, JSON, the moderation queue and the admin.

The hostile values are stored as they are (as an editor could type them in the admin, or as
an older ingest stored them), so these tests prove the escaping at output on its own; that
ingest strips markup as well is tests/security/test_sanitising.py.
"""

import csv
import io
import json
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from archive.models import Region
from archive.places import forget_gazetteer
from moderation.roles import moderators_group
from moderation.services import approve_comment, submit_comment
from search.backends import reset_backend
from search.sync import apply_outbox
from tests.factories import make_article, make_outlet, make_tag

PASSWORD = "a-long-test-password"


def payload(field: str) -> str:
    """Markup that would run if shown unescaped, naming the field it was sent through."""
    return f"<script>alert({field})</script><img src=x onerror=alert({field})>"


def shown_as_text(field: str) -> str:
    return f"&lt;script&gt;alert({field})&lt;/script&gt;&lt;img src=x onerror=alert({field})&gt;"


def assert_escaped(html: str, *fields: str) -> None:
    """No markup of ours got through, and each field is there, as text."""
    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    for field in fields:
        assert shown_as_text(field) in html, f"{field} is not shown escaped"


@pytest.fixture
def hostile(gazetteer, settings, tmp_path):
    """An article whose every reader-visible field is hostile, indexed, with an approved
    comment whose name and body are hostile too."""
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    reset_backend()
    forget_gazetteer()
    syria = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="SY")
    region = Region.objects.create(
        name=payload("region"), slug="hostile-region", kind=Region.Kind.AREA, parent=syria
    )
    outlet = make_outlet(payload("outlet"), slug="hostile-outlet")
    tag = make_tag(payload("tag"), slug="hostile-tag")
    article = make_article(
        outlet,
        title=f"Budget {payload('title')} debate",
        body=f"The budget {payload('body')} was debated.\n\nA second budget paragraph.",
        summary=f"Budget summary {payload('summary')}",
        dateline=payload("dateline"),
        dateline_region=region,
        published_at=datetime(2017, 8, 15, tzinfo=UTC),
        tags=[tag],
    )
    article.regions.add(region)
    comment = submit_comment(
        article=article,
        author_name=payload("comment_name"),
        author_email="secret.commenter@example.com",
        body=f"I object {payload('comment_body')} strongly.",
        ip_hash="feedface" * 8,
    )
    moderator = get_user_model().objects.create_superuser("ada", "ada@example.com", PASSWORD)
    moderator.groups.add(moderators_group())
    approve_comment(comment, moderator=moderator)
    apply_outbox()
    yield {
        "article": article,
        "comment": comment,
        "region": region,
        "syria": syria,
        "moderator": moderator,
    }
    reset_backend()
    forget_gazetteer()


PAGES = [
    ("home", lambda h: reverse("archive:home"), ["title", "outlet", "dateline", "summary"]),
    (
        "article",
        lambda h: h["article"].get_absolute_url(),
        [
            "title",
            "body",
            "outlet",
            "tag",
            "region",
            "dateline",
            "summary",
            "comment_name",
            "comment_body",
        ],
    ),
    ("tag index", lambda h: reverse("archive:tags"), ["tag"]),
    ("tag", lambda h: reverse("archive:tag", args=["hostile-tag"]), ["tag", "title"]),
    ("country", lambda h: h["syria"].get_absolute_url(), ["region"]),
    ("region", lambda h: h["region"].get_absolute_url(), ["region", "title"]),
    ("outlet index", lambda h: reverse("archive:outlets"), ["outlet"]),
    ("outlet", lambda h: reverse("archive:outlet", args=["hostile-outlet"]), ["outlet"]),
    ("day", lambda h: reverse("archive:archive_day", args=[2017, 8, 15]), ["title"]),
    ("search", lambda h: reverse("search:results") + "?q=budget", ["title", "outlet", "tag"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "fields"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_names_and_titles_are_escaped_on_every_reader_page(client, hostile, url, fields):
    response = client.get(url(hostile))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), *fields)


@pytest.mark.django_db
def test_facet_labels_and_kept_filters_are_escaped(client, hostile):
    html = client.get(reverse("search:results"), {"q": "budget"}).content.decode()
    facets = html[html.index('class="search-facets"') :]
    assert_escaped(facets, "outlet", "tag", "region")

    # Filters come back from the query string into hidden fields and links.
    response = client.get(
        reverse("search:results"),
        {
            "q": "budget",
            "outlet": payload("outlet_filter"),
            "tag": payload("tag_filter"),
            "region": payload("region_filter"),
            "language": payload("language_filter"),
            "from": payload("from"),
        },
    )
    assert response.status_code == 200
    assert_escaped(response.content.decode())


@pytest.mark.django_db
def test_the_search_query_is_echoed_escaped(client, hostile):
    html = client.get(reverse("search:results"), {"q": payload("query")}).content.decode()

    assert_escaped(html, "query")
    assert html.count(shown_as_text("query")) >= 2  # <title> and the search box


@pytest.mark.django_db
def test_a_suggestion_repeating_the_query_is_escaped(client, hostile):
    # Words the index knows (the hostile title's) and one misspelt: "Did you mean" repeats
    # the query with the misspelling corrected, markup and all.
    query = f"{payload('title')} budgett"
    html = client.get(reverse("search:results"), {"q": query}).content.decode()

    suggestion = html[html.index('<p class="suggestion">') :]
    suggestion = suggestion[: suggestion.index("</p>")]
    assert f"{shown_as_text('title')} budget</a>?" in suggestion
    assert_escaped(html, "title")


@pytest.mark.django_db
def test_the_api_gives_the_suggestion_as_a_json_string(client, hostile):
    query = f"{payload('title')} budgett"
    response = client.get(reverse("api:search"), {"q": query})

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["suggestion"] == f"{payload('title')} budget"


def parse_xml(response) -> ElementTree.Element:
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"script", "img"}, "markup became XML elements"
    return root


ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = [
    ("tag", lambda h: reverse("archive:tag_feed", args=["hostile-tag"]), "tag"),
    ("region", lambda h: reverse("archive:region_feed", args=["hostile-region"]), "region"),
    ("outlet", lambda h: reverse("archive:outlet_feed", args=["hostile-outlet"]), "outlet"),
    ("search", lambda h: reverse("search:feed") + "?q=" + payload("query"), "query"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "field"), [f[1:] for f in FEEDS], ids=[f[0] for f in FEEDS])
def test_feeds_carry_names_and_titles_as_text(client, hostile, url, field):
    response = client.get(url(hostile))
    root = parse_xml(response)

    # A feed reader gets the exact text back, never an element.
    assert payload(field) in root.findtext(f"{ATOM}title")
    raw = response.content.decode()
    assert "<script>" not in raw
    # Comments are never syndicated.
    assert "comment_body" not in raw
    assert "comment_name" not in raw


@pytest.mark.django_db
def test_feed_entries_carry_titles_and_outlets_as_text(client, hostile):
    root = parse_xml(client.get(reverse("archive:tag_feed", args=["hostile-tag"])))
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == hostile["article"].title
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == payload("outlet")


@pytest.mark.django_db
def test_sitemaps_are_well_formed_with_hostile_names(client, hostile):
    index = parse_xml(client.get(reverse("sitemap_index")))
    sections = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(sections) == 5
    for url in sections:
        parse_xml(client.get(url.replace("http://testserver", "")))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/search/export.csv", "/api/search/export.csv"])
def test_the_csv_export_is_an_attachment_of_plain_cells(client, hostile, url):
    response = client.get(url, {"q": "budget"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["title"] == hostile["article"].title
    assert rows[0]["outlet"] == payload("outlet")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/search/export.csv", "/api/search/export.csv"])
def test_the_csv_export_never_starts_a_cell_with_a_formula(client, hostile, url):
    make_article(
        make_outlet("+Outlet", slug="plus-outlet"),
        title='=HYPERLINK("https://evil.example","Budget")',
        body="The budget was debated.",
        dateline="@SUM(1+1)",
    )
    apply_outbox()

    rows = list(csv.reader(io.StringIO(client.get(url, {"q": "budget"}).content.decode())))

    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert ['\'=HYPERLINK("https://evil.example","Budget")', "'+Outlet"] in [
        row[:2] for row in rows
    ]


API = [
    ("articles", lambda h: reverse("api:articles"), ["title", "outlet", "dateline", "summary"]),
    (
        "article",
        lambda h: reverse("api:article", args=[h["article"].pk]),
        ["title", "body", "tag", "region", "outlet"],
    ),
    ("tags", lambda h: reverse("api:tags"), ["tag"]),
    ("outlets", lambda h: reverse("api:outlets"), ["outlet"]),
    ("region", lambda h: reverse("api:region", args=[h["region"].pk]), ["region"]),
    ("search", lambda h: reverse("api:search") + "?q=budget", ["outlet", "tag"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "fields"), [a[1:] for a in API], ids=[a[0] for a in API])
def test_the_api_returns_names_as_json_strings_never_html(client, hostile, url, fields):
    response = client.get(url(hostile))

    assert response.status_code == 200
    # JSON, and a browser told not to sniff it as anything else: the text is data.
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = json.dumps(response.json(), ensure_ascii=False)
    for field in fields:
        assert json.dumps(payload(field))[1:-1] in text


@pytest.mark.django_db
def test_the_api_search_highlights_are_escaped_html(client, hostile):
    (hit,) = client.get(reverse("api:search"), {"q": "budget"}).json()["hits"]
    assert_escaped(hit["title_html"], "title")
    assert "<mark>" in hit["title_html"]


@pytest.mark.django_db
def test_the_moderation_queue_shows_comments_escaped(client, hostile):
    article = hostile["article"]
    submit_comment(
        article=article,
        author_name=payload("pending_name"),
        author_email="pending@example.com",
        body=f"Pending {payload('pending_body')} remark.",
    )
    client.force_login(hostile["moderator"])

    for status in ("pending", "approved"):
        response = client.get(reverse("moderation:queue"), {"status": status})
        assert response.status_code == 200
        fields = (
            ["pending_name", "pending_body"]
            if status == "pending"
            else ["comment_name", "comment_body"]
        )
        assert_escaped(response.content.decode(), "title", *fields)


@pytest.mark.django_db
def test_the_queue_fragment_a_decision_returns_is_escaped(client, hostile):
    comment = submit_comment(
        article=hostile["article"],
        author_name=payload("pending_name"),
        author_email="pending@example.com",
        body=f"Pending {payload('pending_body')} remark.",
    )
    client.force_login(hostile["moderator"])

    response = client.post(
        reverse("moderation:approve", args=[comment.pk]),
        {"next": payload("next")},
        headers={"X-Queue-Fragment": "1"},
    )

    assert response.status_code == 200
    assert_escaped(response.content.decode(), "pending_name", "pending_body", "next")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        lambda h: reverse("admin:archive_comment_changelist"),
        lambda h: reverse("admin:archive_comment_change", args=[h["comment"].pk]),
        lambda h: reverse("admin:archive_article_changelist"),
        lambda h: reverse("admin:archive_article_change", args=[h["article"].pk]),
        lambda h: reverse("admin:archive_tag_changelist"),
    ],
    ids=["comments", "comment", "articles", "article", "tags"],
)
def test_the_admin_shows_hostile_values_escaped(client, hostile, url):
    client.force_login(hostile["moderator"])
    response = client.get(url(hostile))
    assert response.status_code == 200
    assert_escaped(response.content.decode())


@pytest.mark.django_db
def test_a_comment_form_sent_back_with_errors_shows_what_was_typed_escaped(client, hostile):
    article = hostile["article"]
    response = client.post(
        reverse("archive:post_comment", args=[article.slug]),
        {
            "author_name": payload("typed_name"),
            "author_email": "not an e-mail",
            "body": payload("typed_body"),
            "stamp": "forged",
        },
    )
    assert response.status_code == 400
    assert_escaped(response.content.decode(), "typed_name", "typed_body")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["moderation:login", "admin:login"])
def test_the_sign_in_pages_echo_next_escaped(client, url):
    response = client.get(reverse(url), {"next": f'/x/"{payload("next")}'})
    assert response.status_code == 200
    assert_escaped(response.content.decode(), "next")


@pytest.mark.django_db
def test_the_lockout_page_shows_the_username_escaped(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("moderation:login"),
            {"username": payload("username"), "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
        )
    assert response.status_code == 429
    assert_escaped(response.content.decode(), "username")
