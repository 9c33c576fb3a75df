import time
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from archive.models import Comment
from moderation.forms import issue_form_stamp
from moderation.roles import ensure_groups, moderators_group
from moderation.services import submit_comment
from tests.factories import make_article

PASSWORD = "a-long-test-password"


@pytest.fixture
def article(db):
    return make_article(title="Syrian army advances on Deir ez-Zor")


@pytest.fixture
def moderator(db):
    user = get_user_model().objects.create_user("mona", "mona@example.com", PASSWORD)
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def reader(db):
    """Signed in, but not a moderator."""
    ensure_groups()
    return get_user_model().objects.create_user("rita", "rita@example.com", PASSWORD)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def form_data(article, *, seconds_ago: float = 60, **fields) -> dict[str, str]:
    """What a reader's browser posts, with a stamp served ``seconds_ago``."""
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.com",
        "body": "A thoughtful remark about the offensive.",
        "website": "",
        "stamp": issue_form_stamp(article, issued_at=time.time() - seconds_ago),
    }
    data.update(fields)
    return data


def post_comment(client, article, *, address: str = "198.51.100.7", **fields):
    return client.post(
        reverse("archive:post_comment", kwargs={"slug": article.slug}),
        form_data(article, **fields),
        REMOTE_ADDR=address,
    )


_serial = count(1)


def make_comment(article, body: str = "A fair point.", **fields) -> Comment:
    """A comment submitted through the service, as the form would; a new commenter each time
    unless ``author_email`` says otherwise."""
    fields.setdefault("author_name", "Ann Reader")
    fields.setdefault("author_email", f"reader{next(_serial)}@example.com")
    fields.setdefault("ip_hash", "")
    return submit_comment(article=article, body=body, **fields)
