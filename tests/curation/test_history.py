"""Each article keeps a change history: who changed what, when, its tags and places
included, shown in the admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from archive import curation
from archive.models import Article, Region
from tests.curation.conftest import edit_form
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:archive_article_changelist"


def act(client, action: str, articles, **form):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [a.pk for a in articles], **form},
    )


def tags_of(version) -> set[str]:
    return {row.tag.name for row in version.tags.select_related("tag")}


def regions_of(version) -> set[int]:
    return set(version.regions.values_list("region_id", flat=True))


def test_a_bulk_action_records_who_changed_what(editor_client, editor):
    article = make_article()
    act(editor_client, "withdraw", [article])
    latest = article.history.latest()
    assert latest.status == Article.Status.WITHDRAWN
    assert latest.history_user == editor
    assert latest.history_change_reason == "Withdrawn"
    assert latest.diff_against(latest.prev_record).changed_fields == ["status"]


def test_an_action_that_changes_nothing_writes_no_history(editor_client):
    article = make_article(status=Article.Status.WITHDRAWN)
    before = article.history.count()
    act(editor_client, "withdraw", [article])
    assert article.history.count() == before


def test_retagging_in_bulk_is_a_version_with_the_new_tags(editor_client, editor):
    mosul, erbil = make_tag("Mosul"), make_tag("Erbil")
    article = make_article(tags=[erbil])
    act(editor_client, "add_tag", [article], apply="1", tag=mosul.pk)
    added = article.history.latest()
    assert (added.history_user, added.history_change_reason) == (editor, "Tag Mosul added")
    assert tags_of(added) == {"Mosul", "Erbil"}
    assert added.diff_against(added.prev_record).changed_fields == ["tags"]

    act(editor_client, "remove_tag", [article], apply="1", tag=erbil.pk)
    removed = article.history.latest()
    assert removed.history_change_reason == "Tag Erbil removed"
    assert tags_of(removed) == {"Mosul"}
    assert tags_of(added) == {"Mosul", "Erbil"}  # the earlier version keeps its own


def test_merging_tags_is_a_version_of_each_article_moved(editor_client, editor):
    isis, isil = make_tag("ISIS"), make_tag("ISIL")
    moved = make_article(tags=[isil])
    untouched = make_article(tags=[isis])
    before = untouched.history.count()
    editor_client.post(
        reverse("admin:archive_tag_changelist"),
        {"action": "merge", "_selected_action": [isis.pk, isil.pk], "apply": "1", "into": isis.pk},
    )
    version = moved.history.latest()
    assert version.history_user == editor
    assert version.history_change_reason == "Tag ISIL merged into ISIS"
    assert tags_of(version) == {"ISIS"}
    assert untouched.history.count() == before
    # The history page still shows the version that named the merged-away tag.
    page = editor_client.get(reverse("admin:archive_article_history", args=[moved.pk]))
    assert page.status_code == 200


def test_fixing_a_dateline_place_is_a_version_with_the_place(editor_client, editor, gazetteer):
    erbil = Region.objects.filter(name="Erbil", kind=Region.Kind.CITY).first()
    article = make_article(dateline="SMALLTOWN", dateline_place="SMALLTOWN")
    editor_client.post(
        reverse("admin:archive_article_unresolved_datelines"),
        {"place": "SMALLTOWN", "qualifier": "", "region": erbil.pk},
    )
    version = article.history.latest()
    assert version.history_user == editor
    assert version.dateline_region_id == erbil.pk
    assert regions_of(version) == {erbil.pk}
    assert version.history_change_reason == f"Dateline place set to {erbil}"


def test_finding_places_again_at_an_editors_request_is_a_version(editor_client, editor, gazetteer):
    article = make_article(
        dateline="ERBIL, Kurdistan Region",
        dateline_place="ERBIL",
        dateline_qualifier="Kurdistan Region",
    )
    act(editor_client, "locate_again", [article])
    version = article.history.latest()
    assert version.history_user == editor
    assert version.history_change_reason == "Dateline place and places found again"
    assert Region.objects.get(pk=version.dateline_region_id).name == "Erbil"
    assert version.dateline_region_id in regions_of(version)


def test_an_edit_in_the_form_is_one_version_with_its_tags_and_places(
    editor_client, editor, gazetteer
):
    erbil = Region.objects.filter(name="Erbil", kind=Region.Kind.CITY).first()
    old, new = make_tag("Old"), make_tag("New")
    article = make_article(title="Old title", tags=[old])
    before = article.history.count()
    url = reverse("admin:archive_article_change", args=[article.pk])

    response = editor_client.post(
        url, edit_form(article, title="New title", tags=[new.pk], dateline_region=erbil.pk)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert article.history.count() == before + 1  # not one per tag or place changed
    version = article.history.latest()
    assert version.history_user == editor
    assert version.title == "New title"
    assert tags_of(version) == {"New"}
    assert regions_of(version) == {erbil.pk}  # the dateline's place is a place covered
    assert version.history_change_reason == "Edited: title, dateline region, tags"
    changed = set(version.diff_against(version.prev_record).changed_fields)
    assert changed == {"title", "dateline_region", "tags", "regions"}


def test_saving_an_unchanged_form_writes_no_version(editor_client):
    article = make_article()
    before = article.history.count()
    url = reverse("admin:archive_article_change", args=[article.pk])
    assert editor_client.post(url, edit_form(article)).status_code == 302
    assert article.history.count() == before


def test_the_history_page_shows_who_changed_what(editor_client, editor):
    article = make_article(title="Old title", tags=[make_tag("Erbil")])
    act(editor_client, "add_tag", [article], apply="1", tag=make_tag("Mosul").pk)
    response = editor_client.get(reverse("admin:archive_article_history", args=[article.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "edith" in html
    assert "Tag Mosul added" in html
    text = " ".join(strip_tags(html).replace("&nbsp;", " ").replace("&rarr;", "→").split())
    assert "Tags: [Erbil] → [Erbil, Mosul]" in text


def test_a_change_from_the_tags_side_does_not_break_and_reaches_the_index(outbox):
    tag = make_tag("Raqqa")
    article = make_article()
    outbox.clear()
    tag.articles.add(article)
    assert outbox() == {article.pk}


def test_bulk_versions_are_written_in_batches_of_constant_cost(
    editor, monkeypatch, django_assert_num_queries
):
    """A bulk action on 10,000 articles loads at most a batch of them at a time, and its
    queries grow with the batches, not with the articles."""
    monkeypatch.setattr(curation, "BATCH_SIZE", 20)
    outlet, tag = make_outlet("Rudaw"), make_tag("Mosul")
    few = [make_article(outlet) for _ in range(5)]
    many = [make_article(outlet) for _ in range(20)]
    with CaptureQueriesContext(connection) as one_batch:
        assert curation.add_tag(few, tag, by=editor) == 5
    with django_assert_num_queries(len(one_batch.captured_queries)):
        assert curation.add_tag(many, tag, by=editor) == 20  # a full batch: no more queries

    more = [make_article(outlet) for _ in range(60)]
    with CaptureQueriesContext(connection) as three_batches:
        assert curation.withdraw_articles(more, by=editor) == 60
    with CaptureQueriesContext(connection) as one_more_batch:
        curation.withdraw_articles(few, by=editor)
    per_batch = len(one_more_batch.captured_queries)
    assert len(three_batches.captured_queries) <= 3 * per_batch
    assert all(a.history.filter(history_change_reason="Withdrawn").count() == 1 for a in more)


def body_block(html: str) -> str:
    start = html.index('<div class="article__body">')
    return " ".join(html[start : html.index("</div>", start)].split())


def test_the_edit_form_shows_the_body_as_readers_see_it(editor_client, client):
    article = make_article(
        dateline="ERBIL, Kurdistan Region", body="First <b>paragraph</b>.\n\nSecond one."
    )
    form = editor_client.get(reverse("admin:archive_article_change", args=[article.pk]))
    page = client.get(article.get_absolute_url())
    shown = body_block(form.content.decode())
    assert shown == body_block(page.content.decode())
    assert '<span class="dateline">ERBIL, Kurdistan Region</span> – First &lt;b&gt;' in shown
    assert "<p>Second one.</p>" in shown
