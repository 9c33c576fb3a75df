"""Search insight: portal searches logged without personal data, the weekly report, and
articles editors pin to a query."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from search.forms import SearchForm
from search.insight import (
    PromotedQueries,
    SearchLogBuffer,
    editors_picks,
    log_search,
    search_logs,
    top_queries,
    week_of,
    zero_hit_queries,
)
from search.models import SearchLog, SearchPromotion
from tests.factories import make_article
from tests.processes import run_python

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(sync):
    articles = {
        "airport": make_article(
            title="Army takes the airport", body="Fighting near the runway.", language="en"
        ),
        "dam": make_article(title="Dam repairs", body="Engineers at the Tabqa dam.", language="en"),
        "old": make_article(
            title="An older piece", body="Background on the dam and airport.", language="en"
        ),
    }
    sync()
    return articles


def test_a_search_is_logged_with_query_filters_hits_and_day_only(client, archive):
    client.get("/search/", {"q": "  Airport ", "language": "en"}, REMOTE_ADDR="203.0.113.9")
    log = SearchLog.objects.get()
    assert log.query == "airport"
    assert log.filters == {"language": "en"}
    assert log.hit_count == 2
    assert log.day == date.today()
    stored = " ".join(str(value) for value in SearchLog.objects.values().get().values())
    assert "203.0.113" not in stored


def test_further_pages_and_blank_searches_are_not_logged(client, archive):
    client.get("/search/", {"q": "airport", "page": "2"})
    client.get("/search/")
    assert not SearchLog.objects.exists()


def test_the_week_lists_top_queries_and_zero_hit_queries(editor_client, archive):
    for q in ["airport", "Airport", "dam", "zzzz"]:
        editor_client.get("/search/", {"q": q})
    monday, _ = week_of(date.today())
    assert [(row.query, row.searches) for row in top_queries(monday)] == [
        ("airport", 2),
        ("dam", 1),
        ("zzzz", 1),
    ]
    assert [row.query for row in zero_hit_queries(monday)] == ["zzzz"]

    page = editor_client.get(reverse("admin:search_searchlog_changelist"))
    assert page.status_code == 200
    assert b"zzzz" in page.content
    assert b"Queries that found nothing" in page.content


def test_searches_from_another_week_are_not_in_this_weeks_report(db):
    SearchLog.objects.create(query="old news", hit_count=3, day=date(2020, 1, 1))
    assert top_queries(week_of(date.today())[0]) == []
    assert [row.query for row in top_queries(date(2019, 12, 30))] == ["old news"]


def test_pinned_articles_come_first_marked_and_are_not_repeated(client, archive):
    promotion = SearchPromotion.objects.create(query="  The AIRPORT ")
    promotion.articles.add(archive["old"])
    assert promotion.query == "the airport"

    page = client.get("/search/", {"q": "the airport"})
    assert [a.pk for a in page.context["picks"]] == [archive["old"].pk]
    assert archive["old"].pk not in [article.pk for _, article in page.context["hits"]]
    html = page.content.decode()
    assert html.index("Editor's pick") < html.index("Army takes the")


def test_a_promotion_shows_at_once_in_the_process_that_saved_it(archive):
    assert editors_picks("dam") == []  # the process now remembers that nothing is promoted
    promotion = SearchPromotion.objects.create(query="Dam")
    promotion.articles.add(archive["dam"], archive["old"])
    assert editors_picks("DAM ") == [archive["old"], archive["dam"]]  # newest first
    promotion.delete()
    assert editors_picks("dam") == []


def test_promoted_queries_are_read_again_after_a_minute(archive, django_assert_num_queries):
    clock = [0.0]
    promoted = PromotedQueries(kept_for=60, clock=lambda: clock[0])
    assert "dam" not in promoted
    # Saved by another process: no signal here.
    SearchPromotion.objects.bulk_create([SearchPromotion(query="dam")])
    clock[0] = 59.0
    with django_assert_num_queries(0):
        assert "dam" not in promoted
    clock[0] = 61.0
    assert "dam" in promoted


def test_a_read_overtaken_by_a_forget_is_not_kept(archive, monkeypatch):
    promoted = PromotedQueries()
    real_values_list = SearchPromotion.objects.values_list

    def read_then_forget(*args, **kwargs):
        queries = list(real_values_list(*args, **kwargs))
        promoted.forget()  # a promotion saved while this read was on its way
        return queries

    monkeypatch.setattr(SearchPromotion.objects, "values_list", read_then_forget)
    assert "dam" not in promoted
    monkeypatch.undo()
    SearchPromotion.objects.bulk_create([SearchPromotion(query="dam")])
    assert "dam" in promoted


def test_editors_may_pin_articles_and_read_the_report_but_moderators_may_not(
    client, editor, moderator
):
    for user, status in [(editor, 200), (moderator, 403)]:
        client.force_login(user)
        for name in ["search_searchlog_changelist", "search_searchpromotion_add"]:
            assert client.get(reverse(f"admin:{name}")).status_code == status, (user, name)


@pytest.mark.parametrize(
    ("typed", "logged"),
    [
        ("Rita.Writer@example.com airport", "[e-mail] airport"),
        ("call +44 20 7946 0958 now", "call [number] now"),
        ("(0750) 123-4567", "[number]"),
        ("date:2017-08-01..2017-08-31 dam", "date:2017-08-01..2017-08-31 dam"),
        ("2016 2017 2018 budgets", "2016 2017 2018 budgets"),
        ("resolution 2254", "resolution 2254"),
    ],
)
def test_addresses_and_phone_numbers_typed_into_search_are_not_logged(
    client, archive, typed, logged
):
    client.get("/search/", {"q": typed})
    assert SearchLog.objects.get().query == logged


def test_the_report_page_shows_the_week_asked_for(editor_client):
    SearchLog.objects.create(query="old news", hit_count=3, day=date(2020, 1, 1))
    SearchLog.objects.create(query="old nothing", hit_count=0, day=date(2020, 1, 2))
    SearchLog.objects.create(query="next week", hit_count=0, day=date(2020, 1, 6))
    url = reverse("admin:search_searchlog_changelist")
    page = editor_client.get(url, {"week": "2020-01-01"})  # any day of the week
    assert page.context["monday"] == date(2019, 12, 30)
    assert [row.query for row in page.context["top"]] == ["old news", "old nothing"]
    assert [row.query for row in page.context["zero_hits"]] == ["old nothing"]
    assert b'href="?week=2020-01-06"' in page.content
    assert editor_client.get(url, {"week": "not-a-date"}).status_code == 200


def durability_setting(connection) -> str:
    """The setting that decides whether a commit waits for the disk, read on the driver's
    own connection (Django's cursors would run through the wrapper that asks)."""
    query = "PRAGMA synchronous" if connection.vendor == "sqlite" else "SHOW synchronous_commit"
    connection.ensure_connection()
    return str(connection.connection.execute(query).fetchone()[0])


def is_the_log_insert(sql: str) -> bool:
    return sql.startswith("INSERT") and "search_searchlog" in sql


@contextmanager
def settings_at_the_log_insert() -> Iterator[list[str]]:
    """The durability setting each search-log insert ran under, in order."""
    seen: list[str] = []

    def note_the_setting(execute, sql, params, many, context):
        if is_the_log_insert(sql):
            seen.append(durability_setting(context["connection"]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_the_setting):
        yield seen


@pytest.mark.django_db(transaction=True)
def test_the_log_row_is_committed_without_waiting_for_the_disk_and_nothing_else_is():
    before = durability_setting(connection)
    with settings_at_the_log_insert() as seen:
        log_search(SearchForm({"q": "airport"}).params(), 3)

    # SQLite: NORMAL (1) in WAL mode syncs at checkpoints; PostgreSQL: off for that
    # transaction alone.
    assert seen == (["1"] if connection.vendor == "sqlite" else ["off"])
    assert durability_setting(connection) == before  # every later commit waits again
    assert before in ("2", "on")
    assert SearchLog.objects.get().query == "airport"


def refuse_the_log(execute, sql, params, many, context):
    if is_the_log_insert(sql):
        raise DatabaseError("database or disk is full")
    return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_failed_log_write_is_a_warning_and_later_commits_wait_for_the_disk(caplog):
    before = durability_setting(connection)
    with connection.execute_wrapper(refuse_the_log):
        log_search(SearchForm({"q": "airport"}).params(), 3)

    assert "Searches were not logged (1 rows): database or disk is full" in caplog.text
    assert durability_setting(connection) == before
    assert not SearchLog.objects.exists()


def test_a_search_the_log_cannot_record_still_gets_its_results(client, archive, caplog):
    with connection.execute_wrapper(refuse_the_log):
        response = client.get("/search/", {"q": "airport"})

    assert response.status_code == 200
    assert [article.title for _, article in response.context["hits"]] == [
        "Army takes the airport",
        "An older piece",
    ]
    assert "Searches were not logged" in caplog.text
    assert not SearchLog.objects.exists()
    # The request's other writes and reads go on: the failure was undone alone.
    client.get("/search/", {"q": "dam"})
    assert SearchLog.objects.get().query == "dam"


def test_inside_a_transaction_the_log_row_commits_with_it_as_it_was_asked_to():
    with settings_at_the_log_insert() as seen:
        log_search(SearchForm({"q": "airport"}).params(), 3)

    assert seen == (["2"] if connection.vendor == "sqlite" else ["on"])


def a_row(query: str) -> SearchLog:
    return SearchLog(query=query, hit_count=1, day=date(2026, 12, 6))


def test_log_rows_wait_until_the_oldest_is_due_then_go_together(
    db, settings, django_assert_num_queries
):
    settings.SEARCH_LOG_FLUSH_SECONDS = 5.0
    clock = [0.0]
    buffer = SearchLogBuffer(clock=lambda: clock[0])
    with django_assert_num_queries(0):
        buffer.add(a_row("airport"))
        clock[0] = 4.0
        buffer.add(a_row("dam"))
        buffer.flush_if_due()
    assert not SearchLog.objects.exists()
    clock[0] = 5.0  # the first row is five seconds old
    buffer.add(a_row("river"))
    assert sorted(SearchLog.objects.values_list("query", flat=True)) == ["airport", "dam", "river"]
    clock[0] = 9.0
    buffer.add(a_row("bridge"))  # the oldest waiting now is four seconds old
    assert SearchLog.objects.count() == 3


def test_a_full_buffer_is_written_at_once(db, settings):
    settings.SEARCH_LOG_FLUSH_SECONDS = 60.0
    buffer = SearchLogBuffer(most_rows=3, clock=lambda: 0.0)
    for query in ("a", "b"):
        buffer.add(a_row(query))
    assert not SearchLog.objects.exists()
    buffer.add(a_row("c"))
    assert SearchLog.objects.count() == 3


def test_the_end_of_any_request_writes_rows_that_are_due(client, archive, settings, monkeypatch):
    settings.SEARCH_LOG_FLUSH_SECONDS = 5.0
    clock = [100.0]
    monkeypatch.setattr(search_logs, "clock", lambda: clock[0])
    client.get("/search/", {"q": "airport"})
    assert not SearchLog.objects.exists()
    clock[0] = 106.0
    client.get("/")  # not a search
    assert SearchLog.objects.get().query == "airport"


@pytest.mark.django_db(transaction=True)
def test_a_process_writes_its_waiting_rows_as_it_exits():
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "settings.SEARCH_LOG_FLUSH_SECONDS = 60.0\n"
        "from search.forms import SearchForm\n"
        "from search.insight import log_search\n"
        "from search.models import SearchLog\n"
        "log_search(SearchForm({'q': 'airport'}).params(), 3)\n"
        "assert not SearchLog.objects.exists()  # still waiting\n"
    )
    run_python(script)
    assert SearchLog.objects.get().query == "airport"
