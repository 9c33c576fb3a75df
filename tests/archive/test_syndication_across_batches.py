"""First copies are kept for the whole ingest run (archive/ingest/syndication.py): records in
no date order read each day of the archive once, copies are still linked across batches,
a first copy deleted during the run is no link, and memory is bounded."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from archive.ingest import syndication
from archive.ingest.pipeline import Ingester
from archive.ingest.syndication import SyndicationFinder
from archive.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

START = datetime(2017, 1, 1, tzinfo=UTC)


def story(number: int, published: datetime, *, copy_of: int | None = None) -> dict:
    """A record of a story of its own (a word list no other story shares), or a copy of
    ``copy_of``'s with a word changed."""
    seed = number if copy_of is None else copy_of
    words = [f"w{seed}x{k}{'abcdefghij'[(seed * k) % 10]}" for k in range(400)]
    if copy_of is not None:
        words[200] = "changed"
    return {
        "title": f"Story {number}",
        "body": "WASHINGTON — " + " ".join(words) + ".",
        "url": f"https://wire.example.com/{number}",
        "outlet": "Wire" if copy_of is None else "Other Paper",
        "published": published.isoformat(),
    }


def write(tmp_path, records: list[dict]) -> list:
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return [path]


def test_records_in_no_date_order_read_each_day_once_and_copies_are_linked(
    gazetteer, tmp_path, monkeypatch
):
    days = list(range(0, 400, 7))  # a story a week, in shuffled order
    random.Random(3).shuffle(days)
    records = [story(n, START + timedelta(days=day)) for n, day in enumerate(days)]
    # Copies a day after their first copies, each in a later batch than its first copy.
    records += [
        story(1000 + n, START + timedelta(days=day + 1), copy_of=n)
        for n, day in enumerate(days[:10])
    ]
    read_days: list[datetime] = []
    published_within = SyndicationFinder.published_within

    def recording(ranges):
        for start, end in ranges:
            read_days.extend(start + timedelta(days=d) for d in range((end - start).days))
        return published_within(ranges)

    monkeypatch.setattr(SyndicationFinder, "published_within", staticmethod(recording))

    report = Ingester(batch_size=5).run(write(tmp_path, records))

    assert (report.new, report.near_duplicates, report.errors) == (len(days), 10, [])
    assert len(read_days) == len(set(read_days))  # no day read twice in the run
    for n in range(10):
        copy = Article.objects.get(canonical_url=f"https://wire.example.com/{1000 + n}")
        assert copy.near_duplicate_of.canonical_url == f"https://wire.example.com/{n}"


def test_a_copy_whose_first_copy_was_deleted_during_the_run_is_a_first_copy(gazetteer, tmp_path):
    records = [story(1, START), story(2, START + timedelta(hours=5), copy_of=1)]

    def delete_the_first_copy(count: int) -> None:
        Article.objects.filter(canonical_url="https://wire.example.com/1").delete()

    report = Ingester(batch_size=1, on_saved=delete_the_first_copy).run(write(tmp_path, records))

    assert (report.new, report.near_duplicates, report.errors) == (2, 0, [])
    copy = Article.objects.get(canonical_url="https://wire.example.com/2")
    assert copy.near_duplicate_of is None


def test_days_let_go_past_the_limit_are_read_again_when_needed(gazetteer, tmp_path, monkeypatch):
    monkeypatch.setattr(syndication, "MAX_KEPT_ARTICLES", 2)
    firsts = [story(n, START + timedelta(days=30 * n)) for n in range(6)]
    copy = story(100, START + timedelta(days=1), copy_of=0)  # of the first, long let go
    report = Ingester(batch_size=1).run(write(tmp_path, [*firsts, copy]))

    assert (report.new, report.near_duplicates) == (6, 1)
    linked = Article.objects.get(canonical_url="https://wire.example.com/100")
    assert linked.near_duplicate_of.canonical_url == "https://wire.example.com/0"


def test_a_first_copy_another_process_saves_during_the_run_is_linked_to(
    gazetteer, tmp_path, settings
):
    records = [story(1, START), story(2, START + timedelta(days=1)), story(3, START, copy_of=9)]
    other = story(9, START + timedelta(hours=2))  # saved by someone else, on a day read
    settings.SEARCH_SYNC_ON_COMMIT = False  # the run holds the index's writer: no waiting

    def someone_else_saves_a_story(count: int) -> None:
        if not Article.objects.filter(canonical_url=other["url"]).exists():
            make_article(
                body=other["body"],
                canonical_url=other["url"],
                published_at=datetime.fromisoformat(other["published"]),
            )

    report = Ingester(batch_size=1, on_saved=someone_else_saves_a_story).run(
        write(tmp_path, records)
    )

    assert (report.new, report.near_duplicates) == (2, 1)
    copy = Article.objects.get(canonical_url="https://wire.example.com/3")
    assert copy.near_duplicate_of.canonical_url == other["url"]


def test_copies_of_a_deleted_first_copy_in_one_batch_are_one_story(gazetteer, tmp_path):
    first = story(1, START)
    copies = [story(n, START + timedelta(hours=n), copy_of=1) for n in (2, 3)]

    def delete_the_first_copy(count: int) -> None:
        Article.objects.filter(canonical_url=first["url"]).delete()

    ingester = Ingester(batch_size=2, on_saved=delete_the_first_copy)
    report = ingester.run(write(tmp_path, [first, story(50, START), *copies]))

    assert (report.new, report.near_duplicates) == (3, 1)
    earlier, later = (Article.objects.get(canonical_url=copy["url"]) for copy in copies)
    assert earlier.near_duplicate_of is None
    assert later.near_duplicate_of == earlier


def test_a_new_version_in_the_run_is_compared_as_it_is_now(gazetteer, tmp_path):
    first = story(1, START)
    new_version = {**story(7, START), "url": first["url"]}  # the same page, its text replaced
    copy_of_new_version = story(8, START + timedelta(hours=3), copy_of=7)
    report = Ingester(batch_size=1).run(write(tmp_path, [first, new_version, copy_of_new_version]))

    assert (report.new, report.updated, report.near_duplicates) == (1, 1, 1)
    copy = Article.objects.get(canonical_url=copy_of_new_version["url"])
    assert copy.near_duplicate_of.canonical_url == first["url"]
