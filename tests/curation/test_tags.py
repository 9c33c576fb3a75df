"""Tag curation: renaming keeps the old address, merging moves articles and redirects."""

import pytest
from django.urls import reverse

from archive.admin_filters import TagFilter
from archive.curation import CurationError, merge_tags, rename_tag
from archive.models import Article, Tag, TagRedirect
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def test_rename_changes_name_and_slug_and_the_old_slug_redirects(client, outbox):
    tag = make_tag("Deir ezZor")
    article = make_article(tags=[tag])
    outbox.clear()

    rename_tag(tag, "Deir ez-Zor")

    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Deir ez-Zor", "deir-ez-zor")
    assert article.pk in outbox()
    response = client.get("/tags/deir-ezzor/?since=2017-08-01")
    assert response.status_code == 301
    assert response["Location"] == "/tags/deir-ez-zor/?since=2017-08-01"
    assert client.get("/tags/deir-ez-zor/").status_code == 200


def test_renaming_back_makes_the_old_slug_live_again(client):
    tag = make_tag("Raqqa")
    rename_tag(tag, "Ar-Raqqa")
    rename_tag(tag, "Raqqa")
    assert client.get("/tags/raqqa/").status_code == 200
    assert list(TagRedirect.objects.values_list("old_slug", flat=True)) == ["ar-raqqa"]


def test_rename_refuses_another_tags_name_or_slug():
    make_tag("Mosul")
    tag = make_tag("Mosel")
    with pytest.raises(CurationError, match="merge"):
        rename_tag(tag, "mosul")
    with pytest.raises(CurationError, match="slug"):
        rename_tag(tag, "Mosul city", slug="mosul")


def test_merge_moves_articles_deletes_sources_and_redirects_their_slugs(client, outbox):
    isis, isil, daesh = make_tag("ISIS"), make_tag("ISIL"), make_tag("Daesh")
    both = make_article(tags=[isis, isil])
    only_isil = make_article(tags=[isil])
    only_daesh = make_article(tags=[daesh])
    untouched = make_article()
    rename_tag(daesh, "Daesh group")  # a redirect to a merged tag follows it
    outbox.clear()

    changed = merge_tags([isil, daesh], into=isis)

    assert changed == 3
    assert set(Tag.objects.values_list("name", flat=True)) == {"ISIS"}
    assert set(isis.articles.all()) == {both, only_isil, only_daesh}
    assert outbox() == {both.pk, only_isil.pk, only_daesh.pk}
    assert untouched.pk not in outbox()
    for old in ("isil", "daesh", "daesh-group"):
        response = client.get(f"/tags/{old}/")
        assert response.status_code == 301, old
        assert response["Location"] == "/tags/isis/"


def test_merging_a_tag_into_itself_changes_nothing():
    tag = make_tag("Erbil")
    make_article(tags=[tag])
    assert merge_tags([tag], into=tag) == 0
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_unknown_tag_slug_is_not_found(client):
    assert client.get("/tags/nowhere/").status_code == 404


def test_tag_admin_lists_counts(editor_client):
    tag = make_tag("Kurdistan")
    make_article(tags=[tag])
    make_article(tags=[tag], status=Article.Status.WITHDRAWN)
    response = editor_client.get(reverse("admin:archive_tag_changelist"))
    assert response.status_code == 200
    row = next(t for t in response.context["cl"].result_list if t.pk == tag.pk)
    assert (row.article_count, row.published_count) == (2, 1)


def test_renaming_in_the_admin_form_keeps_a_redirect(editor_client, client):
    tag = make_tag("Kirkuk")
    url = reverse("admin:archive_tag_change", args=[tag.pk])
    response = editor_client.post(url, {"name": "Kirkuk city", "slug": "kirkuk-city"})
    assert response.status_code == 302
    assert TagRedirect.objects.get(old_slug="kirkuk").tag == tag
    assert client.get("/tags/kirkuk/")["Location"] == "/tags/kirkuk-city/"


def test_merge_action_asks_for_the_target_then_merges(editor_client):
    a, b = make_tag("Aleppo"), make_tag("Halab")
    article = make_article(tags=[b])
    url = reverse("admin:archive_tag_changelist")
    selected = {"action": "merge", "_selected_action": [a.pk, b.pk]}

    page = editor_client.post(url, selected)
    assert page.status_code == 200
    assert b"Merge into" in page.content

    done = editor_client.post(url, {**selected, "apply": "1", "into": a.pk})
    assert done.status_code == 302
    assert list(article.tags.all()) == [a]
    assert not Tag.objects.filter(pk=b.pk).exists()


def test_old_slugs_redirect_in_one_step_after_two_merges_and_a_rename(client):
    """isil merged into isis, isis into "Islamic State", which is then renamed: every old
    address answers 301 straight to the tag's address now, never to another redirect."""
    isil, isis, state = make_tag("ISIL"), make_tag("ISIS"), make_tag("Islamic State")
    article = make_article(tags=[isil])
    merge_tags([isil], into=isis)
    merge_tags([isis], into=state)
    rename_tag(state, "Islamic State group")

    assert list(article.tags.values_list("slug", flat=True)) == ["islamic-state-group"]
    for old in ("isil", "isis", "islamic-state"):
        response = client.get(f"/tags/{old}/?page=2")
        assert response.status_code == 301, old
        assert response["Location"] == "/tags/islamic-state-group/?page=2"
    assert client.get("/tags/islamic-state-group/").status_code == 200


def test_a_merged_slug_reused_by_a_new_tag_is_that_tags_again(client):
    isil, isis = make_tag("ISIL"), make_tag("ISIS")
    merge_tags([isil], into=isis)
    make_tag("ISIL")  # an editor makes the tag anew
    assert client.get("/tags/isil/").status_code == 200


@pytest.fixture
def lilongwe_merged_into_kigali():
    """Lilongwe merged into Kigali: its article is Kigali's now, and "lilongwe" is an old
    slug. An article with neither tag shows whether a filter was dropped rather than applied."""
    kigali, lilongwe = make_tag("Kigali"), make_tag("Lilongwe")
    tagged = make_article(title="Tagged Lilongwe once", tags=[lilongwe])
    make_article(title="Never tagged")
    merge_tags([lilongwe], into=kigali)
    return tagged


def test_an_old_slugs_feed_moves_to_the_tags_feed_keeping_the_query(
    client, lilongwe_merged_into_kigali
):
    response = client.get("/tags/lilongwe/feed/?utm=reader")
    assert response.status_code == 301
    assert response["Location"] == "/tags/kigali/feed/?utm=reader"
    assert client.get("/tags/kigali/feed/").status_code == 200
    assert client.get("/tags/nowhere/feed/").status_code == 404


def test_the_browse_tag_filter_follows_an_old_slug(client, lilongwe_merged_into_kigali):
    response = client.get("/", {"tag": "lilongwe"})
    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]] == ["Tagged Lilongwe once"]


def test_the_api_tag_filter_follows_an_old_slug(client, lilongwe_merged_into_kigali):
    response = client.get(reverse("api:articles"), {"tag": "lilongwe"})
    assert response.status_code == 200
    assert [a["title"] for a in response.json()["results"]] == ["Tagged Lilongwe once"]


def test_the_admin_tag_filter_follows_an_old_slug(editor_client, lilongwe_merged_into_kigali):
    """An editor's bookmark of the article list by tag (the tag list's count links there)
    outlives a rename or merge, as the site's own filters do."""
    response = editor_client.get(reverse("admin:archive_article_changelist"), {"tag": "lilongwe"})

    assert response.status_code == 200
    assert "e" not in response.wsgi_request.GET, "the admin refused the filter"
    assert [a.title for a in response.context["cl"].result_list] == ["Tagged Lilongwe once"]
    (tag_filter,) = [f for f in response.context["cl"].filter_specs if isinstance(f, TagFilter)]
    assert tag_filter.lookup_choices == [("lilongwe", "Kigali")]  # the tag it is now, chosen


def test_resolving_prefers_the_live_tag_then_follows_redirects():
    isil, isis = make_tag("ISIL"), make_tag("ISIS")
    merge_tags([isil], into=isis)
    rename_tag(isis, "Islamic State")
    assert list(Tag.objects.resolving("isil")) == [isis]
    assert list(Tag.objects.resolving("isis")) == [isis]
    assert list(Tag.objects.resolving("nowhere")) == []
    reborn = make_tag("ISIL")  # an editor makes the tag anew: the slug is its own again
    assert Tag.objects.resolving("isil").first() == reborn


def test_merge_offers_only_the_selected_tags_most_used_first_with_counts(editor_client):
    make_tag("Abadan")  # not selected: the whole tag list must not be offered
    kigali, lilongwe = make_tag("Kigali"), make_tag("Lilongwe")
    make_article(tags=[kigali])
    make_article(tags=[kigali])
    make_article(tags=[lilongwe])
    url = reverse("admin:archive_tag_changelist")
    selected = {"action": "merge", "_selected_action": [lilongwe.pk, kigali.pk]}

    page = editor_client.post(url, selected)

    field = page.context["form"]["into"]
    assert [choice.choice_label for choice in field] == [
        "Kigali (2 articles)",
        "Lilongwe (1 article)",
    ]
    assert field.value() == kigali.pk  # the most used is chosen to begin with
    html = page.content.decode()
    assert 'type="radio"' in html
    assert "Abadan" not in html


def test_merge_refuses_a_tag_that_was_not_selected(editor_client):
    abadan, kigali, lilongwe = make_tag("Abadan"), make_tag("Kigali"), make_tag("Lilongwe")
    url = reverse("admin:archive_tag_changelist")
    selected = {"action": "merge", "_selected_action": [lilongwe.pk, kigali.pk]}

    page = editor_client.post(url, {**selected, "apply": "1", "into": abadan.pk})

    assert page.status_code == 200
    assert page.context["form"].errors
    assert Tag.objects.count() == 3


@pytest.mark.parametrize(
    ("others", "message"),
    [
        (["Lilongwe"], "Merged 1 tag into Kigali; 1 article changed."),
        (["Lilongwe", "Blantyre"], "Merged 2 tags into Kigali; 2 articles changed."),
    ],
)
def test_merge_says_what_it_did_in_plain_english(editor_client, others, message):
    kigali = make_tag("Kigali")
    tags = [make_tag(name) for name in others]
    for tag in tags:
        make_article(tags=[tag])
    url = reverse("admin:archive_tag_changelist")
    ids = [kigali.pk, *(tag.pk for tag in tags)]
    selected = {"action": "merge", "_selected_action": ids, "apply": "1", "into": kigali.pk}

    done = editor_client.post(url, selected, follow=True)

    assert [str(m) for m in done.context["messages"]] == [message]
