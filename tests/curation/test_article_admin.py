"""The article admin for daily curation: columns, filters, search, autocomplete and every
bulk action."""

import shutil
from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.admin import ArticleAdmin
from archive.models import Article, Comment, Region
from search.models import SearchPromotion
from tests.curation.conftest import edit_form
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
    assert "e" not in response.wsgi_request.GET, "the admin refused the filter"
    return {article.title for article in response.context["cl"].result_list}


def act(client, action: str, articles, **form):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [a.pk for a in articles], **form},
    )


# The list


def an_article_with_everything(outlet, gazetteer_city, tag, number: int) -> Article:
    article = make_article(
        outlet, title=f"Listed {number}", dateline_region=gazetteer_city, tags=[tag]
    )
    article.regions.add(gazetteer_city)
    comment(article, Comment.Status.APPROVED)
    comment(article)
    comment(article)
    return article


def test_the_list_costs_the_same_queries_for_3_articles_as_for_15(
    editor_client, gazetteer, django_assert_num_queries
):
    outlet = make_outlet("Rudaw")
    cities = list(Region.objects.filter(kind=Region.Kind.CITY, country_code="IQ")[:15])
    for number in range(3):
        an_article_with_everything(outlet, cities[number], make_tag(f"T{number}"), number)
    editor_client.get(reverse(CHANGELIST))  # warm the per-process caches (country names)
    with CaptureQueriesContext(connection) as three:
        editor_client.get(reverse(CHANGELIST))

    for number in range(3, 15):
        an_article_with_everything(make_outlet(), cities[number], make_tag(f"T{number}"), number)
    with django_assert_num_queries(len(three.captured_queries)):
        response = editor_client.get(reverse(CHANGELIST))

    rows = response.context["cl"].result_list
    assert len(rows) == 15
    assert {(a.approved_count, a.pending_count) for a in rows} == {(1, 2)}


def test_the_list_shows_title_outlet_date_dateline_place_status_and_comment_counts(
    editor_client, gazetteer
):
    erbil = Region.objects.filter(name="Erbil", kind=Region.Kind.CITY).first()
    article = make_article(
        make_outlet("Rudaw"),
        title="Fighting near Erbil",
        dateline="ERBIL, Kurdistan Region",
        dateline_region=erbil,
        published_at=datetime(2017, 8, 15, tzinfo=UTC),
    )
    comment(article, Comment.Status.APPROVED)
    comment(article)
    response = editor_client.get(reverse(CHANGELIST))
    html = response.content.decode()
    headers = [str(header["text"]).lower() for header in response.context["result_headers"]]
    assert headers[1:] == [
        "title",
        "outlet",
        "published at",
        "dateline",
        "dateline region",
        "status",
        "comments open",
        "comments",
        "pending",
    ]
    for shown in ["Fighting near Erbil", "Rudaw", "Aug. 15, 2017", "ERBIL, Kurdistan Region"]:
        assert shown in html
    assert str(erbil) in html  # "Erbil, Iraq"
    row = response.context["cl"].result_list[0]
    assert (row.approved_count, row.pending_count) == (1, 1)


# Filters: each one the list offers


def test_filter_by_outlet_status_and_comments_open(editor_client):
    rudaw = make_outlet("Rudaw")
    make_article(rudaw, title="Rudaw's")
    make_article(title="Elsewhere")
    make_article(title="Withdrawn", status=Article.Status.WITHDRAWN)
    make_article(title="Closed", comments_open=False)
    assert listed(editor_client, outlet__id__exact=rudaw.pk) == {"Rudaw's"}
    assert listed(editor_client, status__exact="withdrawn") == {"Withdrawn"}
    assert listed(editor_client, comments_open__exact="0") == {"Closed"}


def test_filter_by_date(editor_client):
    make_article(title="August", published_at=datetime(2017, 8, 15, tzinfo=UTC))
    make_article(title="September", published_at=datetime(2017, 9, 2, tzinfo=UTC))
    make_article(title="Last year", published_at=datetime(2016, 8, 15, tzinfo=UTC))
    in_august = {"published_at__gte": "2017-08-01", "published_at__lt": "2017-09-01"}
    assert listed(editor_client, **in_august) == {"August"}
    assert listed(editor_client, published_at__year="2017") == {"August", "September"}


def test_filter_by_tag_through_the_link_in_the_tag_list(editor_client):
    tag = make_tag("Raqqa")
    make_article(title="Tagged", tags=[tag])
    make_article(title="Not tagged", tags=[make_tag("Mosul")])
    tag_list = editor_client.get(reverse("admin:archive_tag_changelist")).content.decode()
    assert f'href="{reverse(CHANGELIST)}?tag=raqqa"' in tag_list
    assert listed(editor_client, tag="raqqa") == {"Tagged"}
    assert listed(editor_client, tag="no-such-tag") == set()


def test_filter_by_place_covered_takes_the_places_inside(editor_client, gazetteer):
    city = Region.objects.filter(country_code="SY", kind=Region.Kind.CITY).first()
    make_article(title="In a Syrian city").regions.add(city)
    make_article(title="In Iraq").regions.add(Region.objects.get(slug="iraq"))
    assert listed(editor_client, region="syria") == {"In a Syrian city"}


def test_filter_by_dateline_place_resolved_unresolved_or_none(editor_client, gazetteer):
    erbil = Region.objects.filter(name="Erbil", kind=Region.Kind.CITY).first()
    make_article(title="Resolved", dateline="ERBIL", dateline_place="ERBIL", dateline_region=erbil)
    make_article(title="Unresolved", dateline="NOWHERESVILLE", dateline_place="NOWHERESVILLE")
    make_article(title="No dateline")
    assert listed(editor_client, dateline_place="unresolved") == {"Unresolved"}
    assert listed(editor_client, dateline_place="resolved") == {"Resolved"}
    assert listed(editor_client, dateline_place="none") == {"No dateline"}


def test_every_filter_of_the_list_is_tested():
    """A filter added to the list must be added to the tests above."""
    tested = {
        "DatelinePlaceFilter",
        "PrintedDatelineFilter",  # tests/curation/test_unresolved_datelines.py
        "status",
        "outlet",
        "comments_open",
        "published_at",
        "TagFilter",
        "RegionFilter",
    }
    offered = {f if isinstance(f, str) else f.__name__ for f in ArticleAdmin.list_filter}
    assert offered == tested


# Search


def test_search_asks_the_index_and_finds_words_of_the_body(editor_client, sync):
    make_article(title="Offensive", body="The army took the airport at dawn.")
    make_article(title="Unrelated", body="Nothing to see.")
    sync()
    assert listed(editor_client, q="airport") == {"Offensive"}
    assert listed(editor_client, q='"took the airport"') == {"Offensive"}


def test_search_finds_withdrawn_titles_and_a_pasted_url_in_the_database(editor_client, sync):
    make_article(title="Airport closed", status=Article.Status.WITHDRAWN)
    make_article(title="By address", canonical_url="https://www.rudaw.net/english/1234")
    sync()
    assert listed(editor_client, q="airport") == {"Airport closed"}
    assert listed(editor_client, q="https://www.rudaw.net/english/1234") == {"By address"}


def test_search_falls_back_to_the_database_when_the_index_is_lost(
    editor_client, sync, backend, settings
):
    make_article(title="Airport closed", body="Runway damaged.")
    sync()
    assert listed(editor_client, q="runway") == {"Airport closed"}
    shutil.rmtree(settings.SEARCH_INDEX_DIR)  # the index is gone: search says so
    assert listed(editor_client, q="runway") == set()
    assert listed(editor_client, q="airport") == {"Airport closed"}


# Autocomplete


def autocomplete(client, model: str, field: str, term: str, app: str = "archive") -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app, "model_name": model, "field_name": field, "term": term},
    )
    assert response.status_code == 200, response.content
    return [result["text"] for result in response.json()["results"]]


def test_autocomplete_for_outlet_tags_and_places(editor_client, gazetteer):
    make_outlet("Rudaw"), make_outlet("Reuters"), make_outlet("AFP")
    make_tag("Deir ez-Zor"), make_tag("Raqqa")
    assert autocomplete(editor_client, "article", "outlet", "ru") == ["Rudaw"]
    assert autocomplete(editor_client, "article", "tags", "deir") == ["Deir ez-Zor"]
    # Places by any of their names, accents and case folded.
    assert "Erbil, Iraq" in autocomplete(editor_client, "article", "regions", "érbil")
    assert "Erbil, Iraq" in autocomplete(editor_client, "article", "dateline_region", "Erbil")
    assert "Syria" in autocomplete(editor_client, "region", "parent", "syr")


def test_autocomplete_of_articles_to_pin_to_a_query(editor_client, sync):
    make_article(title="Army takes the airport")
    sync()
    field = SearchPromotion._meta.get_field("articles").name
    found = autocomplete(editor_client, "searchpromotion", field, "airport", app="search")
    assert found == ["Army takes the airport"]


def test_the_edit_form_and_the_action_forms_use_autocomplete_widgets(editor_client):
    article = make_article()
    page = editor_client.get(reverse("admin:archive_article_change", args=[article.pk]))
    html = page.content.decode()
    for field in ["outlet", "tags", "regions", "dateline_region"]:
        assert f'data-field-name="{field}"' in html, field
    for action in ["add_tag", "set_dateline_region"]:
        assert b"admin-autocomplete" in act(editor_client, action, [article]).content


# Bulk actions: each one


def test_withdraw_and_republish(editor_client, outbox):
    one, two = make_article(), make_article()
    outbox.clear()
    assert act(editor_client, "withdraw", [one, two]).status_code == 302
    assert set(Article.objects.values_list("status", flat=True)) == {"withdrawn"}
    assert outbox() == {one.pk, two.pk}
    outbox.clear()
    act(editor_client, "republish", [one])
    one.refresh_from_db()
    assert one.status == Article.Status.PUBLISHED
    assert outbox() == {one.pk}


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
    assert not outbox()  # nothing happens until the form is sent

    act(editor_client, "add_tag", [one, two], apply="1", tag=tag.pk)
    assert set(tag.articles.all()) == {one, two}
    assert outbox() == {one.pk}

    outbox.clear()
    act(editor_client, "remove_tag", [one, two], apply="1", tag=tag.pk)
    assert not tag.articles.exists()
    assert outbox() == {one.pk, two.pk}


def test_an_intermediate_page_sent_without_a_choice_asks_again(editor_client):
    article = make_article()
    page = act(editor_client, "add_tag", [article], apply="1")
    assert page.status_code == 200
    assert b"This field is required" in page.content


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


def test_locate_again_finds_the_dateline_place(editor_client, gazetteer, outbox):
    article = make_article(dateline="ERBIL, Kurdistan Region", dateline_place="ERBIL")
    article.dateline_qualifier = "Kurdistan Region"
    article.save()
    outbox.clear()
    act(editor_client, "locate_again", [article])
    article.refresh_from_db()
    assert article.dateline_region.name == "Erbil"
    assert outbox() == {article.pk}


def test_editors_cannot_delete_articles_in_bulk(editor_client):
    article = make_article()
    response = act(editor_client, "delete_selected", [article], post="yes")
    assert response.status_code in (200, 302)
    assert Article.objects.filter(pk=article.pk).exists()


def test_every_bulk_action_is_tested(rf, superuser):
    """An action added to the article list must be added to the tests above."""
    tested = {
        "withdraw",
        "republish",
        "add_tag",
        "remove_tag",
        "set_dateline_region",
        "close_comments",
        "open_comments",
        "reindex",
        "locate_again",
        "delete_selected",
    }
    request = rf.get("/")
    request.user = superuser
    assert set(admin.site._registry[Article].get_actions(request)) == tested


def test_an_action_on_every_article_of_a_filtered_list_carries_the_filter_not_the_ids(
    editor_client, monkeypatch, outbox
):
    """ "Select all" of a long list posts select_across, and the form keeps it: a few
    thousand ids would be refused by DATA_UPLOAD_MAX_NUMBER_FIELDS."""
    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)
    rudaw, tag = make_outlet("Rudaw"), make_tag("Mosul")
    theirs = [make_article(rudaw) for _ in range(5)]
    other = make_article()
    outbox.clear()
    url = f"{reverse(CHANGELIST)}?outlet__id__exact={rudaw.pk}"
    selected = {
        "action": "add_tag",
        "select_across": "1",
        "index": "0",
        "_selected_action": [theirs[0].pk, theirs[1].pk],  # the page's two
    }
    page = editor_client.post(url, selected)
    html = page.content.decode()
    assert 'name="select_across" value="1"' in html
    assert html.count('name="_selected_action"') == 2
    assert "5 in all" not in html  # all five are listed by name

    form = {**selected, "apply": "1", "tag": tag.pk}
    del form["index"]  # the intermediate page's form has none, as Django's own
    editor_client.post(url, form)
    assert set(tag.articles.all()) == set(theirs)
    assert other.pk not in outbox()


# Every change in the admin reaches the index


def test_every_change_made_in_the_admin_reaches_the_outbox(
    editor_client, client, superuser, outbox
):
    rudaw, tag = make_outlet("Rudaw"), make_tag("Mosul")
    edited, of_outlet, tagged, deleted = (
        make_article(rudaw),
        make_article(rudaw),
        make_article(tags=[tag]),
        make_article(),
    )

    outbox.clear()
    url = reverse("admin:archive_article_change", args=[edited.pk])
    editor_client.post(url, edit_form(edited, title="A new title"))
    assert outbox() == {edited.pk}

    outbox.clear()
    outlet_form = {"name": "Rudaw English", "slug": "rudaw", "date_order": "DMY"}
    outlet_form |= {"time_zone": "UTC", "country": "", "language": "", "homepage": ""}
    outlet_form |= {"boilerplate": ""}
    editor_client.post(reverse("admin:archive_outlet_change", args=[rudaw.pk]), outlet_form)
    assert outbox() == {edited.pk, of_outlet.pk}

    outbox.clear()
    client.force_login(superuser)
    client.post(reverse("admin:archive_tag_delete", args=[tag.pk]), {"post": "yes"})
    client.post(reverse("admin:archive_article_delete", args=[deleted.pk]), {"post": "yes"})
    assert outbox() == {tagged.pk, deleted.pk}


@pytest.mark.parametrize(
    ("typed", "stored"), [("pt_BR", "pt-br"), (" PT-br ", "pt-br"), ("ckb", "ckb"), ("und", "")]
)
def test_an_edited_language_is_kept_in_the_form_the_filters_compare(editor_client, typed, stored):
    article = make_article(language="en")
    url = reverse("admin:archive_article_change", args=[article.pk])
    assert editor_client.post(url, edit_form(article, language=typed)).status_code == 302
    article.refresh_from_db()
    assert article.language == stored


def test_a_language_that_is_no_tag_is_refused_naming_it(editor_client):
    article = make_article(language="en")
    url = reverse("admin:archive_article_change", args=[article.pk])
    response = editor_client.post(url, edit_form(article, language="English"))
    assert response.status_code == 200
    assert 'not "English"' in response.context["adminform"].form.errors["language"][0]
    article.refresh_from_db()
    assert article.language == "en"


def test_an_outlets_language_is_kept_in_the_same_form(editor_client):
    outlet = make_outlet(name="Folha", language="pt")
    url = reverse("admin:archive_outlet_change", args=[outlet.pk])
    form = {
        "name": outlet.name,
        "slug": outlet.slug,
        "homepage": "",
        "country": "BR",
        "language": "pt_BR",
        "date_order": outlet.date_order,
        "time_zone": "America/Sao_Paulo",
        "boilerplate": "",
    }
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    outlet.refresh_from_db()
    assert outlet.language == "pt-br"
