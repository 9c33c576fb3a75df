"""What only the tantivy backend has: its generations on disk, its reader kept across queries
and reloaded after another process writes, its writer lock, a damaged index, and words
analysed as Whoosh analyses them. The contract itself runs in test_contract.py."""

import subprocess
import sys
import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import tantivy
from django.urls import reverse

from archive import sanitise
from archive.sanitise import MarkedHTML, marked_text_html
from search import service
from search.backends import get_backend, load_backend, reset_backend
from search.backends import tantivy as tantivy_backend
from search.backends import tantivy_schema as ts
from search.backends.base import SearchBackendError, SearchUnavailable
from search.backends.tantivy import BULK_WRITE
from search.documents import SearchDocument, iter_all_documents
from search.sync import apply_outbox, pending_count
from tests.factories import bulletin, make_article
from tests.processes import ROOT, environment

pytestmark = pytest.mark.parametrize("backend_name", ["tantivy"])


def titles(backend, q: str = "") -> list[str]:
    page = service.search(service.build_request(q, sort="newest"), backend)
    return [article.title for _, article in page.hits]


# Generations


def test_the_index_lives_beside_whooshs_in_its_own_directory(backend, settings):
    assert backend.root == settings.SEARCH_INDEX_DIR / "tantivy"
    generation = (backend.root / "CURRENT").read_text()
    assert (backend.root / generation / "meta.json").exists()


def test_search_serves_the_old_generation_during_a_rebuild_then_the_new_one(backend, sync):
    make_article(title="Before the rebuild")
    sync()
    before = backend.generations.current()
    seen_during_rebuild = []

    def batches():
        for batch in iter_all_documents(batch_size=1):
            seen_during_rebuild.append(titles(backend, "rebuild"))
            yield batch
        make_article(title="During the rebuild")
        # A change made meanwhile waits for the rebuild instead of being lost.
        with pytest.raises(SearchBackendError, match="rebuild"):
            apply_outbox(backend)

    assert backend.rebuild(batches()) == 1
    assert seen_during_rebuild == [["Before the rebuild"]]
    assert backend.generations.current() != before
    assert not (backend.root / "REBUILDING").exists()
    apply_outbox(backend)
    assert titles(backend, "rebuild") == ["During the rebuild", "Before the rebuild"]


def test_a_failed_rebuild_leaves_the_serving_index_and_no_half_built_one(backend, sync):
    make_article(title="Still served")
    sync()
    serving = backend.generations.current()

    def batches():
        yield from iter_all_documents(batch_size=1)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(batches())
    assert backend.generations.current() == serving
    assert sorted(p.name for p in backend.root.glob("gen-*")) == [serving]
    assert not (backend.root / "REBUILDING").exists()
    assert titles(backend, "served") == ["Still served"]


def test_a_generation_another_process_swapped_in_is_served(backend, sync):
    make_article(title="Indexed by another process")
    elsewhere = load_backend("tantivy")  # another process's backend, on the same directory
    elsewhere.rebuild(iter_all_documents())
    assert titles(backend, "process") == ["Indexed by another process"]


# Readers


@pytest.mark.django_db(transaction=True)  # the other process sees committed articles only
def test_the_reader_is_kept_across_queries_and_reloaded_after_another_process_writes(
    backend, sync, settings
):
    settings.SEARCH_SYNC_ON_COMMIT = False  # the outbox is applied where the test says
    make_article(title="First dispatch")
    sync()
    assert titles(backend, "dispatch") == ["First dispatch"]
    reader = backend._reader()
    assert backend._reader() is reader  # nothing changed: nothing reopened

    script = (
        "import django; django.setup()\n"
        "from search.sync import apply_outbox\n"
        "print(apply_outbox())\n"
    )
    make_article(title="Second dispatch")  # its outbox row, applied by the other process
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment(), cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    assert pending_count() == 0

    assert titles(backend, "dispatch") == ["Second dispatch", "First dispatch"]
    assert backend._reader().index is reader.index  # reloaded in place, not reopened


# The writer lock


def other_writer(backend) -> tantivy.IndexWriter:
    """A writer of the serving generation, as another process would hold it."""
    index = tantivy.Index.open(str(backend.root / backend.generations.current()))
    return index.writer(heap_size=15_000_000, num_threads=1)


def test_a_locked_index_keeps_the_changes_until_it_is_free(backend, settings):
    settings.SEARCH_WRITER_TIMEOUT = 0.2
    reset_backend()
    backend = get_backend()
    make_article(title="Written while the index was locked")
    writer = other_writer(backend)
    try:
        with pytest.raises(SearchBackendError, match="locked"):
            apply_outbox(backend)
        assert pending_count() == 1
    finally:
        writer.wait_merging_threads()  # ends the writer, releasing its lock
    assert apply_outbox(backend) == 1
    assert pending_count() == 0
    assert titles(backend, "locked") == ["Written while the index was locked"]


def test_a_writer_waits_for_the_lock_to_be_released(backend):
    writer = other_writer(backend)
    release = threading.Timer(0.3, writer.wait_merging_threads)
    release.start()
    try:
        backend.index([bulletin(1)])  # waits (up to SEARCH_WRITER_TIMEOUT) instead of failing
    finally:
        release.join()
    assert backend.count() == 1


def test_a_failed_write_releases_the_lock(backend):
    class Unwritable(SearchDocument):
        @property
        def year(self) -> int:
            raise OSError("disk full")

    with pytest.raises(SearchBackendError, match="disk full"):
        backend.index([Unwritable(**{**bulletin(1).__dict__})])
    backend.index([bulletin(2)])  # the lock is free again
    assert backend.count() == 1


# A lost or damaged index


def test_a_lost_index_is_reported_not_silently_emptied(backend, sync):
    make_article(title="Needs an index")
    sync()
    (backend.root / "CURRENT").unlink()
    reset_backend()
    with pytest.raises(SearchUnavailable, match="rebuild_index"):
        get_backend().search(service.build_request("index"))
    assert get_backend().check()


def test_a_damaged_index_gives_the_portals_notice(backend, sync, client):
    make_article(title="Unreadable")
    sync()
    (backend.root / backend.generations.current() / "meta.json").write_text("{not json")
    reset_backend()
    with pytest.raises(SearchUnavailable, match="cannot be opened"):
        get_backend().search(service.build_request("unreadable"))

    response = client.get(reverse("search:results"), {"q": "unreadable"})
    assert response.status_code == 503
    assert "Search is unavailable right now" in response.content.decode()


# Writing in bulk, sorting


def test_a_bulk_write_with_two_indexing_threads_keeps_every_document(backend):
    documents = [bulletin(n) for n in range(1, BULK_WRITE + 2)]
    backend.index(documents)
    backend.index(documents[:10])  # updated again: still one document each
    assert backend.count() == BULK_WRITE + 1
    results = backend.search(service.build_request("bulletins", page_size=1))
    assert results.total == BULK_WRITE + 1
    assert backend.search(service.build_request("bulletns")).suggestion == "bulletins"


def bulletin_ids(backend) -> list[int]:
    results = backend.search(service.build_request("bulletins", sort="oldest", page_size=50))
    return sorted(hit.article_id for hit in results.hits)


def test_a_bulk_write_indexes_each_batch_as_it_is_added_and_shows_them_at_its_commit(
    backend, monkeypatch
):
    """Its writer is open (the index locked) from the first add: each batch goes to
    tantivy's indexing threads when added, while an ingest saves its next one, not all
    at the commit; searches see none of it until the commit, then all of it."""
    backend.index([bulletin(1), bulletin(2)])
    handed_to_tantivy = []
    document_of = ts.document_of
    monkeypatch.setattr(
        ts, "document_of", lambda d: handed_to_tantivy.append(d.article_id) or document_of(d)
    )
    write = backend.bulk_write()
    write.add([bulletin(3), bulletin(4)])
    assert handed_to_tantivy == [3, 4]
    write.add([replace(bulletin(3), title="Bulletin three")], deletions=[1])
    assert handed_to_tantivy == [3, 4, 3]
    with pytest.raises(ValueError, match="LockBusy"):
        other_writer(backend)
    assert bulletin_ids(backend) == [1, 2]
    write.commit()
    assert bulletin_ids(backend) == [2, 3, 4]  # 3 once, as last added
    assert [hit.article_id for hit in backend.search(service.build_request("three")).hits] == [3]
    other_writer(backend).wait_merging_threads()  # the lock is free again


def test_a_cancelled_bulk_write_leaves_the_index_as_it_was(backend):
    backend.index([bulletin(1)])
    write = backend.bulk_write()
    write.add([bulletin(2)], deletions=[1])
    write.cancel()
    assert bulletin_ids(backend) == [1]
    write.add([bulletin(3)])  # a write afresh, from its first add
    write.commit()
    assert bulletin_ids(backend) == [1, 3]


def test_a_bulk_write_begun_before_a_rebuild_leaves_its_changes_for_after_it(backend):
    """Committed into the generation the rebuild replaced, they would be lost: the commit
    fails, so an ingest's outbox rows stay for the next write."""
    backend.index([bulletin(1)])
    write = backend.bulk_write()
    write.add([bulletin(2)])
    backend.rebuild(iter([[bulletin(1)]]))
    with pytest.raises(SearchBackendError, match="rebuild"):
        write.commit()
    assert bulletin_ids(backend) == [1]
    backend.index([bulletin(2)])  # the old generation's lock is no obstacle either
    assert bulletin_ids(backend) == [1, 2]


def test_a_bulk_write_committed_during_a_rebuild_leaves_its_changes_for_after_it(backend):
    backend.index([bulletin(1)])
    write = backend.bulk_write()
    write.add([bulletin(2)])
    refused = []

    def batches():
        yield [bulletin(1)]
        with pytest.raises(SearchBackendError, match="rebuild") as failure:
            write.commit()  # while the next generation is being built
        refused.append(failure.value)

    backend.rebuild(batches())
    assert refused
    assert bulletin_ids(backend) == [1]


def test_articles_published_the_same_second_keep_one_order(backend):
    same_second = datetime(2020, 5, 1, 9, 30, 15, tzinfo=UTC)
    backend.index([bulletin(n, same_second) for n in (3, 1, 2)])
    backend.index([bulletin(4, datetime(1931, 5, 1, tzinfo=UTC))])  # before 1970 sorts too

    def ids(sort: str) -> list[int]:
        pages = [service.build_request("", sort=sort, page=p, page_size=1) for p in (1, 2, 3, 4)]
        return [backend.search(page).hits[0].article_id for page in pages]

    assert ids("newest") == [3, 2, 1, 4]
    assert ids("oldest") == [4, 1, 2, 3]


def test_facets_count_again_after_a_write(backend):
    backend.index([bulletin(1)])
    request = service.build_request("bulletins")
    assert {f.value: f.count for f in backend.search(request).facets["outlet"]} == {"wire": 1}
    backend.index([bulletin(2)])
    assert {f.value: f.count for f in backend.search(request).facets["outlet"]} == {"wire": 2}
    backend.delete([1, 2])
    assert backend.search(request).facets["outlet"] == []


def test_a_broad_searchs_facets_are_counted_on_a_sample_and_scaled_up(backend, monkeypatch):
    documents = [
        replace(bulletin(n), outlet_slug="post" if n % 4 == 0 else "wire") for n in range(1, 401)
    ]
    backend.index(documents)
    request = service.build_request("bulletins")

    exact = backend.search(request)
    assert exact.facets_are_estimates is False
    assert {f.value: f.count for f in exact.facets["outlet"]} == {"wire": 300, "post": 100}

    # 400 matches, 100 counted exactly: the quarter of the buckets that holds about 100,
    # times 4.
    quarter = ts.SAMPLE_BUCKETS // 4
    monkeypatch.setattr("search.backends.tantivy.FACETS_EXACTLY_UP_TO", 100)
    in_sample = Counter(
        d.outlet_slug for d in documents if ts.sample_bucket(d.article_id) < quarter
    )
    estimated = type(backend)(backend.root).search(request)  # not this process's cached counts
    assert (estimated.total, estimated.total_is_estimate) == (400, False)
    assert estimated.facets_are_estimates is True
    assert {f.value: f.count for f in estimated.facets["outlet"]} == {
        outlet: count * 4 for outlet, count in in_sample.items()
    }
    assert {f.value for f in estimated.facets["year"]} == {"2020"}
    # The 300 matches of outlet:wire: a third of the buckets hold about 100, counted on the
    # tier of a quarter (a sample is a whole tier, one term in the index) and scaled up by 4;
    # wire holds every match, and a count never passes the total.
    wire = type(backend)(backend.root).search(service.build_request("bulletins outlet:wire"))
    assert (wire.total, wire.facets_are_estimates) == (300, True)
    assert [(f.value, f.count) for f in wire.facets["outlet"]] == [("wire", 300)]
    assert wire.facets["year"][0].count == 300

    narrow = backend.search(service.build_request("bulletins outlet:post"))
    assert narrow.facets_are_estimates is False  # 100 matches: counted exactly
    assert [(f.value, f.count) for f in narrow.facets["outlet"]] == [("post", 100)]


def test_facets_are_exact_up_to_twice_the_sample_size(backend, monkeypatch):
    backend.index(
        [replace(bulletin(n), outlet_slug="post" if n % 3 else "wire") for n in range(1, 201)]
    )
    monkeypatch.setattr("search.backends.tantivy.FACETS_EXACTLY_UP_TO", 100)

    at_twice = backend.search(service.build_request("bulletins"))
    assert (at_twice.total, at_twice.facets_are_estimates) == (200, False)
    assert {f.value: f.count for f in at_twice.facets["outlet"]} == {"post": 134, "wire": 66}
    backend.index([bulletin(201)])
    past_twice = type(backend)(backend.root).search(service.build_request("bulletins"))
    assert (past_twice.total, past_twice.facets_are_estimates) == (201, True)


def test_facets_counted_over_a_first_pages_matches_are_those_of_the_query(backend, monkeypatch):
    """A first page with few matches counts its facets over their ids (FACETS_FROM_MATCHES_UP_TO);
    any other page runs the query again: the counts are the same."""
    backend.index(
        [
            replace(
                bulletin(n),
                body=f"Number {n} of the bulk bulletins."
                + (" Rare words here." if n % 7 == 0 else ""),
                outlet_slug=f"outlet-{n % 3}",
                tag_slugs=(f"tag-{n % 4}", f"tag-{n % 5 + 10}"),
                region_ids=(n % 6,),
                published_at=datetime(2015 + n % 4, 1, 1, tzinfo=UTC),
            )
            for n in range(1, 301)
        ]
    )
    backend.index([replace(bulletin(7), body="Number 7, updated. Rare words here.")])
    counted_over_ids = []

    def with_ids(schema, ids):  # noting the ids facets are counted over
        counted_over_ids.append(len(ids))
        return ts_with_ids(schema, ids)

    ts_with_ids = ts.with_ids
    monkeypatch.setattr(ts, "with_ids", with_ids)
    for q, over_ids in [
        ("bulletins", False),  # 300 matches: the query asked again
        ("bulletins -rare", False),  # 258
        ("rare", True),  # 42 matches: counted over their ids
        ('"rare words"', True),
        ('"bulletins rare"', True),
    ]:
        counted_over_ids.clear()
        first = backend.search(service.build_request(q, page_size=5))
        assert bool(counted_over_ids) is over_ids, q
        # Another process's backend (no cached counts), asked for the second page.
        second = type(backend)(backend.root).search(service.build_request(q, page=2, page_size=5))
        assert first.total == second.total
        assert first.facets == second.facets, q
        assert sum(f.count for f in first.facets["outlet"]) == first.total


@pytest.fixture
def counting_ahead(monkeypatch):
    """Facets counted while another thread searches for the page, in a small archive: the
    guess's probe is half the archive (a whole tier of 128 buckets), the exact limit 100."""
    monkeypatch.setattr("search.backends.tantivy.FACETS_AHEAD_FROM_ARTICLES", 0)
    monkeypatch.setattr("search.backends.tantivy.PROBE_ARTICLES", 1 << 20)
    monkeypatch.setattr("search.backends.tantivy.FACETS_EXACTLY_UP_TO", 100)
    threads = []
    page = tantivy_backend._page

    def noting_the_thread(*args):
        threads.append(threading.current_thread().name)
        return page(*args)

    monkeypatch.setattr(tantivy_backend, "_page", noting_the_thread)
    return threads


def in_half(article_id: int) -> bool:
    return ts.sample_bucket(article_id) < ts.SAMPLE_BUCKETS // 2


def sample_counts(documents, buckets: int) -> dict[str, int]:
    """Outlet counts among the documents in the first ``buckets`` buckets, scaled up."""
    counts = Counter(d.outlet_slug for d in documents if ts.sample_bucket(d.article_id) < buckets)
    return {outlet: count * ts.SAMPLE_BUCKETS // buckets for outlet, count in counts.items()}


def test_facets_counted_ahead_are_those_counted_after_the_page(
    backend, counting_ahead, monkeypatch
):
    monkeypatch.setattr("search.backends.tantivy.FACETS_EXACTLY_UP_TO", 1000)  # all exact
    documents = [
        replace(
            bulletin(n),
            body=f"Number {n} of the bulk bulletins." + (" Rare words." if n % 5 == 0 else ""),
            outlet_slug=f"outlet-{n % 3}",
            tag_slugs=(f"tag-{n % 4}",),
        )
        for n in range(1, 401)
    ]
    backend.index(documents)
    for q, matches in [
        ("bulletins", lambda d: True),
        ("bulletins -rare", lambda d: "Rare" not in d.body),
        ("bulletins outlet:outlet-1", lambda d: d.outlet_slug == "outlet-1"),
        ("rare", lambda d: "Rare" in d.body),
    ]:
        found = [d for d in documents if matches(d)]
        guess = 2 * sum(in_half(d.article_id) for d in found)
        counting_ahead.clear()
        results = type(backend)(backend.root).search(service.build_request(q, page_size=5))
        # Guessed more than FACETS_FROM_MATCHES_UP_TO: the page searched on another thread
        # while the facets are counted; fewer: the facets counted over the page's matches.
        assert counting_ahead[0].startswith("tantivy-page") is (guess > 200), (q, guess)
        assert results.facets_are_estimates is False
        assert {f.value: f.count for f in results.facets["outlet"]} == Counter(
            d.outlet_slug for d in found
        )
        assert sum(f.count for f in results.facets["tag"]) == results.total == len(found)


def test_a_sample_counted_ahead_is_kept_when_the_total_bears_the_guess_out(backend, counting_ahead):
    documents = [
        replace(bulletin(n), outlet_slug="post" if n % 4 == 0 else "wire") for n in range(1, 401)
    ]
    backend.index(documents)
    results = backend.search(service.build_request("bulletins"))
    assert counting_ahead[0].startswith("tantivy-page")
    # The guess: the matches in half the archive, twice. Its sample holds about 100 of them
    # (a whole tier): within a tier of the quarter the 400 matches' own sample would be.
    guess = 2 * sum(in_half(d.article_id) for d in documents)
    buckets = ts.whole_tier(ts.SAMPLE_BUCKETS * 100 // guess)
    assert ts.SAMPLE_BUCKETS // 8 <= buckets <= ts.SAMPLE_BUCKETS // 2
    assert (results.total, results.facets_are_estimates) == (400, True)
    assert {f.value: f.count for f in results.facets["outlet"]} == sample_counts(documents, buckets)


def test_a_guess_the_total_does_not_bear_out_is_counted_again(backend, counting_ahead):
    """A search's matches all in the probe's half of the archive: 300 guessed, a sample
    counted ahead; 150 found, few enough to count every one, and so they are."""
    ids = [n for n in range(1, 2000) if in_half(n)][:150]
    backend.index([replace(bulletin(n), outlet_slug=f"outlet-{n % 7}") for n in ids])
    backend.index(
        [replace(bulletin(n), title="Other", body="Unrelated.") for n in range(2000, 2100)]
    )
    counted = []
    count_facets = tantivy_backend._count_facets

    def noting_the_sample(reader, query, limit, buckets):
        counted.append(buckets)
        return count_facets(reader, query, limit, buckets)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tantivy_backend, "_count_facets", noting_the_sample)
        results = backend.search(service.build_request("bulletins"))
    assert counted == [ts.whole_tier(ts.SAMPLE_BUCKETS * 100 // 300), None]
    assert (results.total, results.facets_are_estimates) == (150, False)
    assert {f.value: f.count for f in results.facets["outlet"]} == Counter(
        f"outlet-{n % 7}" for n in ids
    )


def test_a_phrase_is_not_guessed_and_its_facets_are_counted_over_its_matches(
    backend, counting_ahead, monkeypatch
):
    """A probe of a sample tier checks a phrase's positions as often as the search does:
    a phrase is searched at once, collecting up to FACETS_FROM_PHRASE_MATCHES_UP_TO
    matches, and its facets are counted over their ids rather than by a second run."""
    monkeypatch.setattr("search.backends.tantivy.FACETS_EXACTLY_UP_TO", 1000)  # all exact
    documents = [
        replace(bulletin(n), body=f"Number {n} of the bulk bulletins.", outlet_slug=f"o-{n % 3}")
        for n in range(1, 401)
    ]
    backend.index(documents)
    probes, counted_over_ids = [], []
    guessed_total, with_ids = tantivy_backend._guessed_total, ts.with_ids
    monkeypatch.setattr(
        tantivy_backend, "_guessed_total", lambda *args: probes.append(1) or guessed_total(*args)
    )
    monkeypatch.setattr(
        ts,
        "with_ids",
        lambda schema, ids: counted_over_ids.append(len(ids)) or with_ids(schema, ids),
    )
    outlets = Counter(d.outlet_slug for d in documents)

    words = type(backend)(backend.root).search(service.build_request("bulk bulletins"))
    assert (probes, counted_over_ids) == ([1], [])  # 400 guessed: the page on another thread
    assert counting_ahead[0].startswith("tantivy-page")
    assert {f.value: f.count for f in words.facets["outlet"]} == outlets

    probes.clear()
    counting_ahead.clear()
    phrase = type(backend)(backend.root).search(service.build_request('"bulk bulletins"'))
    assert (probes, counted_over_ids) == ([], [400])
    assert not counting_ahead[0].startswith("tantivy-page")
    assert (phrase.total, phrase.facets_are_estimates) == (400, False)
    assert {f.value: f.count for f in phrase.facets["outlet"]} == outlets


def test_each_process_searches_pages_on_threads_of_its_own(backend):
    pool = backend._page_searches()
    assert backend._page_searches() is pool
    backend._page_pool = (-1, pool)  # as a forked worker finds its parent's pool
    assert backend._page_searches() is not pool


# Words analysed as Whoosh analyses them

SAME_AS_WHOOSH = [
    "the budget",
    "a budget",
    "budget x",
    '"budget in the city"',
    '"budget city"',
    "deir ez-zor",
    "DÉIR",
    "fighters",
    "fought",
    "naïve",
    "l'armée",
    "2017",
    "b",
]


def test_queries_find_what_they_find_with_whoosh(backend, sync, settings):
    for title, body in [
        ("Budget in the city", "A budget of 5 million for Straße repairs."),
        ("Fighters in Déir ez-Zor", "The fighting went on; fighters fought. Naive plans."),
        ("L'armée avance", "En 2017, l'armée syrienne, naïve, avançait."),
        ("Strasse closed", "The b road was closed."),
        ("हिन्दी समाचार", "مُحَمَّد said so."),
        ("Kirkuk's oil", "Exports resume."),
    ]:
        make_article(title=title, body=body)
    sync()
    whoosh = load_backend("whoosh")
    whoosh.rebuild(iter_all_documents())
    for q in SAME_AS_WHOOSH:
        assert titles(backend, q) == titles(whoosh, q), q

    # The differences. tantivy folds every letter to ASCII (ß to ss, æ to ae), where
    # Whoosh's accent folding only drops accents: Straße is Strasse in both spellings.
    assert titles(backend, "straße") == ["Strasse closed", "Budget in the city"]
    assert titles(whoosh, "straße") == ["Budget in the city"]
    # Whoosh's word pattern cuts Hindi and vocalised Arabic words at their vowel signs, then
    # drops the one-letter pieces as too short, and with them the word; tantivy's tokenizer
    # keeps such a word whole, in the index and in the query.
    assert titles(backend, "हिन्दी") == titles(backend, "مُحَمَّد") == ["हिन्दी समाचार"]
    assert titles(whoosh, "हिन्दी") == titles(whoosh, "مُحَمَّد") == []
    # An apostrophe separates words for tantivy: Kirkuk's is Kirkuk (and an s, dropped);
    # Whoosh drops a possessive's "'s" and keeps other inner apostrophes ("o'brien").
    assert titles(backend, "kirkuk") == titles(backend, "kirkuk's") == ["Kirkuk's oil"]
    assert titles(whoosh, "kirkuk") == titles(whoosh, "kirkuk's") == ["Kirkuk's oil"]


def test_writing_limits_the_process_to_a_few_malloc_arenas(backend):
    """tantivy's threads, new at each commit, would each get a glibc arena of their own that
    keeps what they freed (an ingest's memory grew with the run): a write asks glibc for at
    most two first, and glibc (this machine's C library) accepts."""
    from search.backends.tantivy import limit_malloc_arenas

    backend.apply([bulletin(1)])

    assert limit_malloc_arenas.cache_info().currsize == 1  # asked, once per process
    assert limit_malloc_arenas.__wrapped__() is True  # mallopt took the setting


def test_highlights_are_built_escaped_and_marked_safe_so_the_page_keeps_them(backend, monkeypatch):
    hostile = 'Budget <img src=x onerror="alert(1)"> & <b>debate</b>'
    backend.apply([replace(bulletin(1), title=hostile, body=f"The {hostile} went on all night.")])

    (hit,) = backend.search(service.build_request("budget")).hits

    assert isinstance(hit.title_html, MarkedHTML)
    assert isinstance(hit.snippet_html, MarkedHTML)
    escaped = '&lt;img src=x onerror="alert(1)"&gt; &amp; &lt;b&gt;debate&lt;/b&gt;'
    assert hit.title_html == f"<mark>Budget</mark> {escaped}"
    assert f"<mark>Budget</mark> {escaped}" in hit.snippet_html
    # Kept as built: nh3 is not asked again (it would be for a plain string).
    monkeypatch.setattr(sanitise.nh3, "clean", None)
    assert marked_text_html(hit.title_html) is hit.title_html


def test_exact_facet_counts_keep_values_each_segment_counts_little(backend):
    """tantivy's terms aggregation keeps a segment's top 10 x size values only: a tag rare in
    one segment and frequent in another lost the first segment's count."""
    # One segment (one commit): "oil" once, among 600 tags each counted twice.
    many_tags = tuple(f"tag-{n:03d}" for n in range(600))
    backend.index(
        [
            replace(bulletin(1), tag_slugs=("oil",)),
            replace(bulletin(2), tag_slugs=many_tags),
            replace(bulletin(3), tag_slugs=many_tags),
        ]
    )
    # Another: "oil" thirty times.
    backend.index([replace(bulletin(n), tag_slugs=("oil",)) for n in range(4, 34)])
    assert backend._reader().searcher.num_segments >= 2

    facets = backend.search(service.build_request("bulletins")).facets["tag"]

    assert (facets[0].value, facets[0].count) == ("oil", 31)
