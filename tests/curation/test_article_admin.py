"""The article admin for daily curation: columns, filters, search and bulk actions."""

import pytest
from django.urls import reverse

from archive.models import Article, Comment, Region
from search.backends.base import SearchBackendError
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:archive_article_changelist"


def comment(article, status=Comment.Status.PENDING):
    return Comment.objects.create(
        article=article,
        author_name="Reader",
        author_email="r@example.com",
        body="Fine.",
        status=status,
    )


def listed(client, **query) -> set[str]:
    response = client.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    return {article.title for article in response.context["cl"].result_list}


def act(client, action: str, articles, **form):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [a.pk for a in articles], **form},
    )


def test_list_shows_comment_counts_in_a_fixed_number_of_queries(
    editor_client, django_assert_max_num_queries
):
    outlet = make_outlet("Rudaw")
    for _ in range(3):
        article = make_article(outlet)
        comment(article, Comment.Status.APPROVED)
        comment(article)
        comment(article)
    make_article(outlet)
    with django_assert_max_num_queries(15):
        response = editor_client.get(reverse(CHANGELIST))
    counts = sorted((a.approved_count, a.pending_count) for a in response.context["cl"].result_list)
    assert counts == [(0, 0), (1, 2), (1, 2), (1, 2)]
    assert b"Rudaw" in response.content


def test_filters_by_tag_region_status_and_unresolved_dateline(editor_client, gazetteer):
    syria = Region.objects.get(slug="syria")
    city = Region.objects.filter(country_code="SY", kind=Region.Kind.CITY).first()
    tag = make_tag("Raqqa")
    tagged = make_article(title="Tagged", tags=[tag])
    placed = make_article(title="Placed")
    placed.regions.add(city)
    make_article(title="Withdrawn", status=Article.Status.WITHDRAWN)
    make_article(title="Unresolved", dateline="NOWHERESVILLE", dateline_place="NOWHERESVILLE")

    assert listed(editor_client, tags__id__exact=tag.pk) == {tagged.title}
    assert listed(editor_client, region=syria.slug) == {placed.title}
    assert listed(editor_client, status__exact="withdrawn") == {"Withdrawn"}
    assert listed(editor_client, dateline_place="unresolved") == {"Unresolved"}


def test_search_uses_the_backend_and_finds_withdrawn_titles_in_the_database(
    editor_client, monkeypatch
):
    body_match = make_article(title="Offensive", body="The army took the airport.")
    withdrawn = make_article(title="Airport closed", status=Article.Status.WITHDRAWN)
    make_article(title="Unrelated")
    monkeypatch.setattr("archive.admin.matching_article_ids", lambda q, limit: [body_match.pk])
    assert listed(editor_client, q="airport") == {body_match.title, withdrawn.title}


def test_search_falls_back_to_the_database_when_the_backend_fails(editor_client, monkeypatch):
    def unavailable(q, limit):
        raise SearchBackendError("index missing")

    make_article(title="Airport closed")
    monkeypatch.setattr("archive.admin.matching_article_ids", unavailable)
    assert listed(editor_client, q="airport") == {"Airport closed"}


def test_withdraw_and_republish(editor_client, outbox):
    one, two = make_article(), make_article()
    outbox.clear()
    assert act(editor_client, "withdraw", [one, two]).status_code == 302
    assert set(Article.objects.values_list("status", flat=True)) == {"withdrawn"}
    assert outbox() == {one.pk, two.pk}
    act(editor_client, "republish", [one])
    one.refresh_from_db()
    assert one.status == Article.Status.PUBLISHED


def test_close_and_open_comments(editor_client, outbox):
    article = make_article()
    outbox.clear()
    act(editor_client, "close_comments", [article])
    article.refresh_from_db()
    assert not article.comments_open
    assert outbox() == {article.pk}
    act(editor_client, "open_comments", [article])
    article.refresh_from_db()
    assert article.comments_open


def test_add_and_remove_a_tag_through_the_intermediate_page(editor_client, outbox):
    tag = make_tag("Mosul")
    one, two = make_article(), make_article(tags=[tag])
    outbox.clear()
    page = act(editor_client, "add_tag", [one, two])
    assert page.status_code == 200
    assert b"Add a tag" in page.content

    act(editor_client, "add_tag", [one, two], apply="1", tag=tag.pk)
    assert set(tag.articles.all()) == {one, two}
    assert outbox() == {one.pk}

    act(editor_client, "remove_tag", [one, two], apply="1", tag=tag.pk)
    assert not tag.articles.exists()


def test_set_dateline_region_also_makes_it_a_place_covered(editor_client, gazetteer, outbox):
    erbil = Region.objects.filter(name="Erbil", kind=Region.Kind.CITY).first()
    article = make_article(dateline="ERBIL", dateline_place="ERBIL")
    outbox.clear()
    act(editor_client, "set_dateline_region", [article], apply="1", region=erbil.pk)
    article.refresh_from_db()
    assert article.dateline_region == erbil
    assert erbil in article.regions.all()
    assert outbox() == {article.pk}


def test_reindex_records_the_articles_in_the_outbox(editor_client, outbox):
    article = make_article()
    outbox.clear()
    act(editor_client, "reindex", [article])
    assert outbox() == {article.pk}
