"""Every public page: status, content, and the order and paging of its lists."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from archive.models import Article
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles_per_page(settings):
    settings.ARTICLES_PER_PAGE = 3
    return 3


def test_home_lists_the_newest_published_articles_first(client):
    outlet = make_outlet("Rudaw")
    older = make_article(outlet, title="Older story", published_at=datetime(2017, 1, 1, tzinfo=UTC))
    newer = make_article(outlet, title="Newer story", published_at=datetime(2017, 2, 1, tzinfo=UTC))
    make_article(outlet, title="Withdrawn story", status=Article.Status.WITHDRAWN)

    response = client.get(reverse("archive:home"))

    assert response.status_code == 200
    assert list(response.context["articles"]) == [newer, older]
    html = response.content.decode()
    assert html.index("Newer story") < html.index("Older story")
    assert "Withdrawn story" not in html
    assert "2 articles in the archive" in html


def test_home_explains_an_empty_archive(client):
    response = client.get(reverse("archive:home"))
    assert response.status_code == 200
    assert "The archive is empty" in response.content.decode()


def test_home_is_paginated(client, articles_per_page):
    outlet = make_outlet()
    start = datetime(2017, 1, 1, tzinfo=UTC)
    for day in range(7):
        make_article(outlet, title=f"Story of day {day}", published_at=start + timedelta(days=day))

    first = client.get(reverse("archive:home"))
    last = client.get(reverse("archive:home"), {"page": 3})

    assert [a.title for a in first.context["articles"]] == [
        "Story of day 6",
        "Story of day 5",
        "Story of day 4",
    ]
    assert [a.title for a in last.context["articles"]] == ["Story of day 0"]
    assert "Page 1 of 3" in first.content.decode()
    past_the_end = client.get(reverse("archive:home"), {"page": 4})  # the last page, not a 404
    assert past_the_end.status_code == 200
    assert past_the_end.context["page_obj"].number == 3


def test_article_page_shows_everything_a_reader_needs(client):
    outlet = make_outlet("Rudaw", slug="rudaw")
    tag = make_tag("Deir ez-Zor")
    article = make_article(
        outlet,
        title="Syrian army advances",
        dateline="ERBIL, Kurdistan Region",
        body="First paragraph.\n\nSecond paragraph.",
        published_at=datetime(2017, 8, 15, tzinfo=UTC),
        tags=[tag],
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Syrian army advances</h1>" in html
    assert 'href="/outlets/rudaw/"' in html
    assert '<time datetime="2017-08-15">15 August 2017</time>' in html
    assert '<span class="dateline">ERBIL, Kurdistan Region</span> – First paragraph.' in html
    assert "<p>Second paragraph.</p>" in html
    assert f'href="{tag.get_absolute_url()}">Deir ez-Zor</a>' in html


def test_a_known_time_of_publication_is_shown_in_the_sites_time_zone(client, settings):
    settings.TIME_ZONE = "Asia/Baghdad"
    article = make_article(
        title="Talks resume",
        published_at=datetime(2017, 8, 15, 22, 30, tzinfo=UTC),
        published_time_known=True,
    )
    expected = '<time datetime="2017-08-16T01:30:00+03:00">16 August 2017, 01:30 +03</time>'
    assert expected in client.get(article.get_absolute_url()).content.decode()
    # A day without a time stays the day the source gave, whatever the site's time zone.
    article.published_time_known = False
    article.save()
    expected = '<time datetime="2017-08-15">15 August 2017</time>'
    assert expected in client.get(article.get_absolute_url()).content.decode()
    assert expected in client.get("/").content.decode()  # the article lists write it alike


def test_article_text_is_escaped(client):
    article = make_article(title="<script>alert(1)</script>", body="<b>bold</b> claim")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in html


def test_a_withdrawn_article_says_it_is_gone(client):
    article = make_article(title="Retracted story", status=Article.Status.WITHDRAWN)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    assert "has been withdrawn" in response.content.decode()
    assert article.body not in response.content.decode()


def test_an_unknown_article_is_not_found(client):
    assert client.get(reverse("archive:article", kwargs={"slug": "nope"})).status_code == 404


def test_outlet_page_lists_only_its_articles_newest_first(client, articles_per_page):
    rudaw, other = make_outlet("Rudaw"), make_outlet("Other")
    start = datetime(2017, 1, 1, tzinfo=UTC)
    for day in range(4):
        make_article(rudaw, title=f"Rudaw {day}", published_at=start + timedelta(days=day))
    make_article(other, title="Not Rudaw")

    response = client.get(rudaw.get_absolute_url())

    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]] == ["Rudaw 3", "Rudaw 2", "Rudaw 1"]
    html = response.content.decode()
    assert "<h1>Rudaw</h1>" in html
    assert "4 articles" in html
    assert "Not Rudaw" not in html
    second = client.get(rudaw.get_absolute_url(), {"page": 2})
    assert [a.title for a in second.context["articles"]] == ["Rudaw 0"]


def test_tag_page_lists_only_its_articles_newest_first(client, articles_per_page):
    syria, iraq = make_tag("Syria"), make_tag("Iraq")
    outlet = make_outlet()
    start = datetime(2017, 1, 1, tzinfo=UTC)
    for day in range(4):
        make_article(
            outlet, title=f"Syria {day}", published_at=start + timedelta(days=day), tags=[syria]
        )
    make_article(outlet, title="Only Iraq", tags=[iraq])
    make_article(outlet, title="Withdrawn Syria", tags=[syria], status=Article.Status.WITHDRAWN)

    response = client.get(syria.get_absolute_url())

    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]] == ["Syria 3", "Syria 2", "Syria 1"]
    html = response.content.decode()
    assert "<h1>Syria</h1>" in html
    assert "4 articles" in html
    assert "Only Iraq" not in html
    assert "Withdrawn Syria" not in html


def test_unknown_outlet_and_tag_are_not_found(client):
    assert client.get(reverse("archive:outlet", kwargs={"slug": "nope"})).status_code == 404
    assert client.get(reverse("archive:tag", kwargs={"slug": "nope"})).status_code == 404


def test_list_pages_use_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    outlet = make_outlet()
    for _ in range(10):
        make_article(outlet, dateline="BAGHDAD")
    with django_assert_max_num_queries(3):
        client.get(reverse("archive:home"))


def test_pages_have_landmarks_for_screen_readers(client):
    html = client.get(reverse("archive:home")).content.decode()
    assert '<main id="main"' in html
    assert '<nav aria-label="Main">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<html lang="en">' in html


def test_an_article_lists_its_syndicated_copies_and_a_copy_names_the_first(client):
    original = make_article(make_outlet("Rudaw"), title="Original story")
    copy = make_article(
        make_outlet("Other Paper"), title="Copied story", near_duplicate_of=original
    )
    make_article(
        make_outlet("Gone Paper"),
        title="Withdrawn copy",
        near_duplicate_of=original,
        status=Article.Status.WITHDRAWN,
    )

    html = client.get(original.get_absolute_url()).content.decode()
    assert "Also published by:" in html
    assert f'<a href="{copy.get_absolute_url()}">Other Paper</a>' in html
    assert "Gone Paper" not in html

    html = client.get(copy.get_absolute_url()).content.decode()
    assert "First published by Rudaw" in html
    assert f'<a href="{original.get_absolute_url()}">Original story</a>' in html
