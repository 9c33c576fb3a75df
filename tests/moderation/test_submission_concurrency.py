"""Taking a comment keeps no one waiting for the toxicity model.

Loading the model takes a second or more (four to nine on the busy benchmark machine,
bench/load.py). It used to load in a web worker's first comment, inside the submission's
transaction: on SQLite that transaction holds the database's one write lock, so every other
writer (an ingest, other comments, the search log) waited for it; on PostgreSQL the article's
row stayed locked; and every request queued on that worker waited too.
"""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from moderation import services
from moderation.services import submit_comment
from tests.factories import make_article
from tests.processes import run_python


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


def test_the_web_application_loads_the_toxicity_model_before_its_first_request():
    code = "import sys, config.wsgi; print('profanity_check' in sys.modules)"
    result = run_python(code)
    assert result.stdout.split()[-1] == "True"
