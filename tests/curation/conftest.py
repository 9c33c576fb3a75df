import pytest
from django.contrib.auth import get_user_model

from moderation.roles import EDITORS, MODERATORS, ensure_groups
from search.models import IndexOutbox
from tests.search.conftest import backend, sync  # noqa: F401  (fixtures for these tests)


@pytest.fixture
def backend_name() -> str:
    """The embedded index, which runs on every database; a test parametrizes backend_name
    to run on the PostgreSQL backend as well."""
    return "whoosh"


def staff_in(username: str, group_name: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw")
    user.is_staff = True
    user.save()
    user.groups.add(ensure_groups()[group_name])
    return user


@pytest.fixture
def editor(db):
    return staff_in("edith", EDITORS)


@pytest.fixture
def moderator(db):
    return staff_in("mona", MODERATORS)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("sue", "sue@example.com", "pw")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


class Outbox:
    """The article ids recorded for the index (tests run inside a transaction that never
    commits, so the rows stay for the test to read)."""

    def __call__(self) -> set[int]:
        return set(IndexOutbox.objects.values_list("article_id", flat=True))

    def clear(self) -> None:
        IndexOutbox.objects.all().delete()


@pytest.fixture
def outbox(db):
    return Outbox()


def edit_form(article, **changes) -> dict:
    """The change form's fields as they stand, with some changed."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "outlet": article.outlet_id,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "dateline": article.dateline,
        "dateline_place": article.dateline_place,
        "dateline_qualifier": article.dateline_qualifier,
        "dateline_agency": article.dateline_agency,
        "dateline_region": article.dateline_region_id or "",
        "summary": article.summary,
        "body": article.body,
        "language": article.language,
        "tags": [tag.pk for tag in article.tags.all()],
        "regions": [region.pk for region in article.regions.all()],
        "status": article.status,
        "comments_open": "on" if article.comments_open else "",
        "canonical_url": article.canonical_url,
        "extra": "{}",
        "initial-extra": "{}",  # the form's hidden copy of a field with a callable default
    }
    return {**data, **changes}
