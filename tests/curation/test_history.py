"""Each article keeps a change history: who changed what, when, shown in the admin."""

import pytest
from django.urls import reverse

from archive.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_bulk_action_records_who_changed_the_article(editor_client, editor):
    article = make_article()
    editor_client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "withdraw", "_selected_action": [article.pk]},
    )
    latest = article.history.latest()
    assert latest.status == Article.Status.WITHDRAWN
    assert latest.history_user == editor
    assert latest.diff_against(latest.prev_record).changed_fields == ["status"]


def test_an_action_that_changes_nothing_writes_no_history(editor_client):
    article = make_article(status=Article.Status.WITHDRAWN)
    before = article.history.count()
    editor_client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "withdraw", "_selected_action": [article.pk]},
    )
    assert article.history.count() == before


def test_the_history_page_lists_an_edit_by_its_editor(editor_client, editor):
    article = make_article(title="Old title")
    article.title = "New title"
    article._history_user = editor
    article.save()
    response = editor_client.get(reverse("admin:archive_article_history", args=[article.pk]))
    assert response.status_code == 200
    assert b"edith" in response.content


def test_the_edit_form_shows_the_body_as_readers_see_it(editor_client):
    article = make_article(body="First <b>paragraph</b>.\n\nSecond one.")
    response = editor_client.get(reverse("admin:archive_article_change", args=[article.pk]))
    assert b"<p>First &lt;b&gt;paragraph&lt;/b&gt;.</p><p>Second one.</p>" in response.content
