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
