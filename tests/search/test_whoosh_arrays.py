"""The Whoosh backend's array path (search/backends/whoosh_arrays.py) against the
straightforward answers: totals, facets and date order computed document by document from
what the index was given, and relevance order from Whoosh scoring every match with none of
its shortcuts, on an index of several segments with updates and deletions."""

import random
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from whoosh.collectors import FilterCollector, UnlimitedCollector

from search.backends import whoosh_arrays
from search.backends.base import FACET_FIELDS, SearchRequest, Sort
from search.backends.whoosh import SearchBackend, _text_query
from search.documents import SearchDocument
from search.query import parse_query
from tests.search.oracle import (
    WORDS,
    analysed_words,
    expected_facets,
    oracle_requests,
    random_document,
)


def _whoosh_ranking(backend: SearchBackend, request: SearchRequest, allowed_ids: set[int]):
    """Whoosh scoring every match, with none of its shortcuts, restricted to the documents
    the oracle says match: [(score, article id)], best first."""
    searcher = backend._get_searcher()
    reader = searcher.reader()
    allowed = {
        docnum
        for docnum in range(reader.doc_count_all())
        if not reader.is_deleted(docnum) and int(reader.stored_fields(docnum)["id"]) in allowed_ids
    }
    collector = UnlimitedCollector()
    collector.replace = 0
    searcher.search_with_collector(
        _text_query(request.query), FilterCollector(collector, allow=allowed)
    )
    return [(hit.score, int(hit["id"])) for hit in collector.results()]


def test_answers_equal_the_oracle_and_whoosh_scoring_every_match(whoosh_archive):
    backend, oracle = whoosh_archive
    compared = 0
    for request in oracle_requests():
        found = backend.search(request)
        expected = oracle.matching(request)
        assert found.total == len(expected), request
        wanted = expected_facets(expected)
        for name, facet_counts in found.facets.items():
            assert {f.value: f.count for f in facet_counts} == wanted[name], (name, request)
        page = slice(request.offset, request.offset + request.page_size)
        ids = [hit.article_id for hit in found.hits]
        if request.sort == Sort.RELEVANCE and request.query.has_text:
            ranking = _whoosh_ranking(backend, request, {d.article_id for d in expected})
            assert ids == [article_id for _, article_id in ranking[page]], request
            assert [hit.score for hit in found.hits] == pytest.approx(
                [score for score, _ in ranking[page]]
            )
        else:
            newest = request.sort != Sort.OLDEST
            order = sorted(expected, key=lambda d: (d.published_at, d.article_id), reverse=newest)
            assert ids == [d.article_id for d in order[page]], request
        compared += 1
    assert compared == 90


def test_the_comparison_covers_big_and_empty_answers(whoosh_archive):
    """The requests above are worth comparing: some find much, some nothing, some need a
    suggestion, and facets are counted over many documents."""
    backend, oracle = whoosh_archive
    totals = [backend.search(request).total for request in oracle_requests()]
    assert max(totals) == len(oracle.documents) == 210
    assert min(totals) == 0
    assert backend.search(SearchRequest(query=parse_query("vacine"))).suggestion == "vaccine"


def test_whoosh_shortcuts_this_path_avoids(whoosh_archive):
    """Why the backend does not take Whoosh's own ways: on this index, Whoosh's matcher
    for "oil -water" lets through an article holding "water", and its top-hits shortcut
    leaves an updated article off the first page of "oil water". If a Whoosh release
    fixes them, this fails, and the shortcuts can be reconsidered."""
    backend, oracle = whoosh_archive
    searcher = backend._get_searcher()
    exclusion = SearchRequest(query=parse_query("oil -water"))
    whoosh_ids = {
        int(searcher.stored_fields(docnum)["id"])
        for docnum in searcher.docs_for_query(_text_query(exclusion.query))
    }
    assert whoosh_ids - {d.article_id for d in oracle.matching(exclusion)}
    both = SearchRequest(query=parse_query("oil water"))
    shortcut = [int(hit["id"]) for hit in searcher.search(_text_query(both.query), limit=10)]
    ranking = _whoosh_ranking(backend, both, {d.article_id for d in oracle.matching(both)})
    first_page = [article_id for _, article_id in ranking[:10]]
    assert set(first_page) - set(shortcut)  # an article updated in place, left out
    assert [hit.article_id for hit in backend.search(both).hits] == first_page


def test_articles_at_the_same_moment_come_newest_id_first(tmp_path):
    moment = datetime(2024, 5, 1, 12, tzinfo=UTC)
    rng = random.Random(1)
    documents = [
        SearchDocument(**{**random_document(rng, article_id).__dict__, "published_at": moment})
        for article_id in (3, 11, 7, 2)
    ]
    backend = SearchBackend(index_dir=tmp_path)
    backend.apply(documents)
    newest = backend.search(SearchRequest(sort=Sort.NEWEST, page_size=3))
    oldest = backend.search(SearchRequest(sort=Sort.OLDEST, page_size=3))
    assert [hit.article_id for hit in newest.hits] == [11, 7, 3]
    assert [hit.article_id for hit in oldest.hits] == [2, 3, 7]


def test_a_search_after_a_write_sees_it(tmp_path):
    """Arrays are kept per segment: a new segment and a deletion in an old one both show."""
    rng = random.Random(5)
    backend = SearchBackend(index_dir=tmp_path)
    backend.apply([random_document(rng, article_id) for article_id in range(1, 21)])
    assert backend.search(SearchRequest()).total == 20
    backend.apply([random_document(rng, 21)], deletions=[1, 2])
    results = backend.search(SearchRequest(page_size=30))
    assert results.total == 19
    assert {hit.article_id for hit in results.hits} == set(range(3, 22))
    assert sum(facet.count for facet in results.facets["year"]) == 19


def test_a_warmed_up_backend_reads_no_arrays_at_its_first_search(tmp_path, monkeypatch):
    """warm_up, as a web worker calls it at its start, reads what a first search would: the
    facet tables and the date column of every segment (0.7 s at 100,000 articles). A
    word's own postings and its fields' lengths are read when a search first asks for it."""
    rng = random.Random(3)
    SearchBackend(index_dir=tmp_path).apply([random_document(rng, n) for n in range(1, 41)])
    read = []
    read_postings, column = whoosh_arrays._read_postings, whoosh_arrays.SegmentArrays.column

    def reading_postings(reader, field, text, listed=False):
        if listed:  # a facet table's: every term of the field
            read.append(field)
        return read_postings(reader, field, text, listed)

    def reading_a_column(arrays, reader, field):
        if field not in arrays._columns:
            read.append(field)
        return column(arrays, reader, field)

    monkeypatch.setattr(whoosh_arrays, "_read_postings", reading_postings)
    monkeypatch.setattr(whoosh_arrays.SegmentArrays, "column", reading_a_column)
    # Not warm_up's own search (every article): any search's facets and date order.
    request = SearchRequest(query=parse_query(WORDS[0]), sort=Sort.NEWEST)

    cold = SearchBackend(index_dir=tmp_path)  # another process's: nothing read yet
    assert cold.search(request).total > 0
    assert set(read) == {*FACET_FIELDS, "published"}

    warm = SearchBackend(index_dir=tmp_path)
    warm.warm_up()
    read.clear()
    assert warm.search(request).facets == cold.search(request).facets
    assert read == []


def test_a_big_rebuild_writes_in_two_processes_and_finds_everything(tmp_path):
    rng = random.Random(9)
    documents = [random_document(rng, article_id) for article_id in range(1, 1301)]
    backend = SearchBackend(index_dir=tmp_path)
    written = backend.rebuild(documents[i : i + 500] for i in range(0, len(documents), 500))
    assert written == backend.count() == 1300
    searcher = backend._get_searcher()
    assert len(searcher.leaf_searchers()) >= 2  # a segment per writer process
    everything = backend.search(SearchRequest(page_size=5))
    assert everything.total == 1300
    assert sum(facet.count for facet in everything.facets["outlet"]) == 1300
    newest = max(documents, key=lambda d: (d.published_at, d.article_id))
    assert everything.hits[0].article_id == newest.article_id
    oil = sum(
        "oil" in analysed_words(d.body + " " + d.title + " " + " ".join(d.tag_names))
        for d in documents
    )
    assert backend.search(SearchRequest(query=parse_query("oil"))).total == oil


PHRASE_WORDS = ["oil", "water", "talks", "dam", "river", "of", "the", "and"]  # 3 stop words


@pytest.fixture(scope="module")
def phrase_index(tmp_path_factory):
    """Bodies of a few words, stop words among them (gaps in the positions a phrase may
    span), long enough that each word's postings take several blocks of a segment; written
    in three commits with updates and deletions."""
    rng = random.Random(31)
    backend = SearchBackend(index_dir=tmp_path_factory.mktemp("whoosh-phrases"), writer_timeout=10)

    def document(article_id: int) -> SearchDocument:
        body = " ".join(rng.choices(PHRASE_WORDS, k=rng.randint(3, 40)))
        return replace(random_document(rng, article_id), body=body, title="Report")

    backend.apply([document(article_id) for article_id in range(1, 801)])
    backend.apply([document(article_id) for article_id in range(801, 1001)])
    backend.apply(
        [document(article_id) for article_id in range(3, 300, 7)], deletions=range(50, 90)
    )
    return backend


def _phrases_to_compare():
    rng = random.Random(4)
    phrases = {'"oil water"', '"oil of water"', '"talks the and dam"', '"oil oil"', '"dam x"'}
    while len(phrases) < 40:
        phrases.add('"' + " ".join(rng.choices(PHRASE_WORDS, k=rng.randint(2, 4))) + '"')
    return sorted(phrases)


def test_phrases_match_and_rank_as_whoosh_phrase_matcher_does(phrase_index):
    """Phrases are checked on arrays of the candidates' positions: the same documents as
    Whoosh's own phrase matcher finds (each word 1 to slop positions after the one before,
    the slop widened by the stop words in the phrase), scored as Whoosh scores them."""
    backend = phrase_index
    searcher = backend._get_searcher()
    assert len(searcher.leaf_searchers()) >= 2
    compared = found_some = 0
    for phrase in _phrases_to_compare():
        text_query = _text_query(parse_query(phrase))
        if text_query is None:  # stop words only
            continue
        collector = UnlimitedCollector()
        collector.replace = 0
        searcher.search_with_collector(text_query, collector)
        whoosh = [(hit.score, int(hit["id"])) for hit in collector.results()]
        results = backend.search(SearchRequest(query=parse_query(phrase), page_size=15))
        assert results.total == len(whoosh), phrase
        assert [hit.article_id for hit in results.hits] == [i for _, i in whoosh[:15]], phrase
        assert [hit.score for hit in results.hits] == pytest.approx([s for s, _ in whoosh[:15]])
        compared += 1
        found_some += bool(whoosh)
    assert compared >= 35
    assert found_some >= 20


def test_positions_are_read_for_the_documents_asked_only_as_whoosh_decodes_them(phrase_index):
    from search.backends.whoosh_arrays import read_positions

    searcher = phrase_index._get_searcher()
    longest = 0
    for subsearcher, _ in searcher.leaf_searchers():
        reader = subsearcher.reader()
        every = []
        matcher = reader.postings("body", "oil")
        while matcher.is_active():
            every.append((matcher.id(), matcher.value_as("positions")))
            matcher.next()
        longest = max(longest, len(every))
        for chosen in (every, every[::37], every[-3:], every[:1]):
            docs = np.array([doc for doc, _ in chosen], dtype=np.int32)
            positions, counts = read_positions(reader, "body", "oil", docs)
            assert counts.tolist() == [len(found) for _, found in chosen]
            assert positions.tolist() == [p for _, found in chosen for p in found]
    assert longest > 3 * 128  # a segment's postings in several blocks (Whoosh's are 128)
