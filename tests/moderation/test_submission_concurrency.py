"""Taking a comment keeps other writers waiting only for the checks and the insert.

Screening (the toxicity model above all: loading it takes a second or more in a fresh web
worker) used to run inside the submission's transaction. On SQLite that transaction holds the
database's one write lock, so every other writer (an ingest, other comments, the search log)
waited for the model; on PostgreSQL the article's row stayed locked. The load benchmark
(bench/load.py) showed a worker's first comment taking about four seconds under load.
"""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from moderation import services
from moderation.services import submit_comment
from tests.factories import make_article


def another_writer_gets_through(article_id: int) -> str:
    """From another connection, try at once (no waiting) to take what a submission's
    transaction takes: SQLite's write lock, or the article's row. "" if it got through."""
    outcome = {}

    def probe() -> None:
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA busy_timeout = 0")
                    cursor.execute("BEGIN IMMEDIATE")
                    cursor.execute("ROLLBACK")
                else:
                    with transaction.atomic():
                        cursor.execute(
                            "SELECT id FROM archive_article WHERE id = %s FOR UPDATE NOWAIT",
                            [article_id],
                        )
            outcome["error"] = ""
        except OperationalError as error:
            outcome["error"] = str(error) or type(error).__name__
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=30)
    return outcome.get("error", "the probe did not finish")


@pytest.mark.django_db(transaction=True)
def test_screening_a_comment_keeps_no_other_writer_waiting(monkeypatch):
    article = make_article(title="Syrian army advances on Deir ez-Zor")
    blocked_while_screening = []
    real_screen = services.screen

    def screen_and_probe(submission):
        blocked_while_screening.append(another_writer_gets_through(article.pk))
        return real_screen(submission)

    monkeypatch.setattr(services, "screen", screen_and_probe)
    comment = submit_comment(
        article=article,
        author_name="Ann Reader",
        author_email="ann@example.com",
        body="A thoughtful remark about the offensive.",
        ip_hash="a" * 64,
    )
    assert comment.pk is not None
    assert blocked_while_screening == [""]
