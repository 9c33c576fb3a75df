from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from archive.models import Article, Comment, ModerationEvent, Outlet, Region, Tag
from archive.models.comments import AppendOnlyError
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db


def test_canonical_url_is_unique_when_known():
    make_article(canonical_url="https://example.com/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(canonical_url="https://example.com/a")


def test_articles_without_a_canonical_url_may_coexist():
    make_article(canonical_url="")
    make_article(canonical_url="")
    assert Article.objects.filter(canonical_url="").count() == 2


def test_article_slug_is_unique_in_the_database():
    first = make_article(title="Same title")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(title="Other", slug=first.slug)


def test_articles_with_the_same_title_get_distinct_slugs():
    first = make_article(title="Ceasefire holds in Idlib")
    second = make_article(title="Ceasefire holds in Idlib")
    assert first.slug == "ceasefire-holds-in-idlib"
    assert second.slug == "ceasefire-holds-in-idlib-2"


def test_outlet_and_tag_slugs_are_unique():
    make_outlet("Rudaw", slug="rudaw")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_outlet("Rudaw English", slug="rudaw")
    make_tag("Syria", slug="syria")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_tag("Syria 2", slug="syria")


def test_tag_names_are_unique_whatever_their_case():
    make_tag("ISIS")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_tag("isis")


def test_content_hash_is_kept_in_step_with_the_text():
    article = make_article(title="A title", body="Some words.")
    original = article.content_hash
    assert len(original) == 64
    article.body = "Other words."
    article.save()
    assert article.content_hash != original
    assert Article.objects.filter(content_hash=article.content_hash).count() == 1


def test_articles_are_listed_newest_first():
    outlet = make_outlet()
    old = make_article(outlet, published_at=datetime(2016, 1, 1, tzinfo=UTC))
    new = make_article(outlet, published_at=datetime(2018, 1, 1, tzinfo=UTC))
    assert list(Article.objects.all()) == [new, old]


def test_published_excludes_withdrawn_articles():
    shown = make_article()
    make_article(status=Article.Status.WITHDRAWN)
    assert list(Article.objects.published()) == [shown]


def test_body_paragraphs_split_on_blank_lines():
    article = make_article(body="First.\n\nSecond.\n\n\n\nThird.")
    assert article.paragraphs == ["First.", "Second.", "Third."]


def test_str_of_each_model_names_it(gazetteer):
    outlet = make_outlet("Rudaw")
    article = make_article(outlet, title="Syrian army advances")
    erbil = Region.objects.get(name="Erbil")
    assert str(outlet) == "Rudaw"
    assert str(article) == "Syrian army advances"
    assert str(make_tag("Raqqa")) == "Raqqa"
    assert str(erbil) == "Erbil, Iraq"
    assert str(Region.objects.get(name="Asia")) == "Asia"


def test_a_rejected_comment_must_name_a_policy_reason():
    article = make_article()
    fields = {"article": article, "author_name": "Ann", "author_email": "ann@example.com"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(**fields, body="x", status=Comment.Status.REJECTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(**fields, body="y", rejection_reason=Comment.Reason.OFF_TOPIC)
    rejected = Comment.objects.create(
        **fields, body="z", status=Comment.Status.REJECTED, rejection_reason=Comment.Reason.THREATS
    )
    assert rejected.get_rejection_reason_display() == "Threats"


def test_moderation_events_are_append_only():
    comment = Comment.objects.create(
        article=make_article(), author_name="Ann", author_email="ann@example.com", body="Hello"
    )
    event = ModerationEvent.objects.create(
        comment=comment, from_status="pending", to_status="approved"
    )
    event.note = "changed my mind"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert ModerationEvent.objects.get().note == ""


def test_an_outlet_with_articles_cannot_be_deleted():
    outlet = make_outlet()
    make_article(outlet)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outlet.objects.filter(pk=outlet.pk).delete()


def test_deleting_a_tag_keeps_its_articles():
    tag = make_tag("Temporary")
    article = make_article(tags=[tag])
    tag.delete()
    assert Article.objects.filter(pk=article.pk).exists()
    assert Tag.objects.count() == 0
