"""The Whoosh backend's array path (search/backends/whoosh_arrays.py) against the
straightforward answers: totals, facets and date order computed document by document from
what the index was given, and relevance order from Whoosh scoring every match with none of
its shortcuts, on an index of several segments with updates and deletions."""

import functools
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from whoosh.collectors import FilterCollector, UnlimitedCollector

from search.backends.base import FACET_FIELDS, SearchRequest, Sort
from search.backends.whoosh import SearchBackend, _text_query
from search.backends.whoosh_analysis import stock_analyzer
from search.documents import SearchDocument
from search.query import DateRange, parse_query

WORDS = [
    *(
        [
            "ceasefire",
            "talks",
            "parliament",
            "drought",
            "harvest",
            "refinery",
            "pipeline",
            "election",
            "court",
        ]
    ),
    *(
        [
            "protest",
            "border",
            "militia",
            "tribe",
            "council",
            "budget",
            "oil",
            "water",
            "river",
            "dam",
            "school",
        ]
    ),
    *(["hospital", "vaccine", "minister", "envoy", "summit", "sanction", "reconstruction"]),
]
OUTLETS = ("rudaw", "kurdistan24", "reuters", "afp")
TAGS = ("iraq", "syria", "oil", "politics", "health", "water", "security")
REGIONS = (1, 2, 3, 10, 11, 20, 21, 22)  # ids as the index holds them, ancestors included
START = datetime(2019, 1, 1, tzinfo=UTC)


def _document(rng: random.Random, article_id: int) -> SearchDocument:
    body = " ".join(rng.choices(WORDS, k=rng.randint(20, 60)))
    tags = tuple(sorted(set(rng.sample(TAGS, rng.randint(0, 3)))))
    return SearchDocument(
        article_id=article_id,
        title=" ".join(rng.choices(WORDS, k=4)).capitalize(),
        body=body,
        dateline=rng.choice(("ERBIL", "BAGHDAD", "", "DAMASCUS")),
        tag_names=tags,
        tag_slugs=tags,
        outlet_slug=rng.choice(OUTLETS),
        outlet_name="",
        region_ids=tuple(sorted(set(rng.sample(REGIONS, rng.randint(0, 4))))),
        language=rng.choice(("en", "en", "ar")),
        # Whole weeks over five years, so many articles share a moment: ties in date order.
        published_at=START + timedelta(weeks=rng.randrange(0, 5 * 52)),
    )


class Archive:
    """The documents an index was given, as they stand after every write: the oracle the
    backend's answers are checked against, computed document by document."""

    def __init__(self) -> None:
        self.documents: dict[int, SearchDocument] = {}

    def apply(self, backend: SearchBackend, upserts=(), deletions=()) -> None:
        backend.apply(list(upserts), deletions=list(deletions))
        for article_id in deletions:
            self.documents.pop(article_id, None)
        self.documents.update((document.article_id, document) for document in upserts)

    def matching(self, request: SearchRequest) -> list[SearchDocument]:
        return [d for d in self.documents.values() if _matches(d, request)]


def _tokens(text: str) -> list[str]:
    return [token.text for token in stock_analyzer()(text)]


@functools.cache
def _tokens_of(text: str) -> list[str]:
    return _tokens(text)


def _has(document: SearchDocument, term, title_only: bool = False) -> bool:
    words = _tokens(" ".join(term.words))
    texts = (
        [document.title]
        if title_only or term.field == "title"
        else [
            document.title,
            document.body,
            " ".join(document.tag_names),
            document.dateline,
        ]
    )
    for text in texts:
        tokens = _tokens_of(text)
        if any(tokens[i : i + len(words)] == words for i in range(len(tokens))):
            return True
    return False


def _matches(document: SearchDocument, request: SearchRequest) -> bool:
    query = request.query
    if not all(any(_has(document, term) for term in group) for group in query.groups):
        return False
    if any(_has(document, term) for term in query.excluded):
        return False
    if request.outlets and document.outlet_slug not in request.outlets:
        return False
    if request.languages and document.language not in request.languages:
        return False
    if not set(request.tags) <= set(document.tag_slugs):
        return False
    if not set(request.regions) <= set(document.region_ids):
        return False
    dates = request.date_range
    day = document.published_at.date()
    return not dates or (
        (not dates.start or day >= dates.start) and (not dates.end or day <= dates.end)
    )


def _facets(documents: list[SearchDocument]) -> dict[str, dict[str, int]]:
    counts = {name: Counter() for name in FACET_FIELDS}
    for document in documents:
        counts["outlet"][document.outlet_slug] += 1
        counts["tag"].update(document.tag_slugs)
        counts["region"].update(str(region) for region in document.region_ids)
        counts["year"][str(document.year)] += 1
    return {name: dict(counter) for name, counter in counts.items()}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """An index written in several commits (several segments), with updates and deletions
    after the first, and the oracle of what it holds."""
    rng = random.Random(2017)
    backend = SearchBackend(index_dir=tmp_path_factory.mktemp("whoosh-arrays"), writer_timeout=10)
    archive = Archive()
    for first in range(1, 241, 60):
        archive.apply(
            backend, [_document(rng, article_id) for article_id in range(first, first + 60)]
        )
    archive.apply(backend, [_document(rng, article_id) for article_id in range(5, 40, 3)])
    archive.apply(backend, deletions=range(100, 130))
    return backend, archive


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


def _requests():
    queries = [
        "",
        "oil",
        "oil water",
        "oil OR dam",
        "oil -water",
        '"ceasefire talks"',
        '"ceasefire talks" oil',
        "title:summit",
        "harvest outlet:reuters",
        "dam tag:water",
        "refinery region:3",
        "river date:2020-01-01..2021-06-30",
        "tag:oil region:10",
        "minister envoy -court",
        "zzzzqqq",
    ]
    for q in queries:
        parsed = parse_query(q)
        first_page = SearchRequest(
            query=parsed.without_filters(),
            outlets=tuple(parsed.outlets),
            tags=tuple(parsed.tags),
            regions=tuple(int(region) for region in parsed.regions),
            date_range=parsed.date_range,
        )
        yield first_page
        yield replace(first_page, sort=Sort.NEWEST)
        yield replace(first_page, sort=Sort.OLDEST)
        yield replace(first_page, page=3)
        yield replace(first_page, languages=("ar",), outlets=("afp", "rudaw"))
        yield replace(
            first_page,
            date_range=DateRange.between(date(2021, 3, 1), date(2022, 2, 28)),
            sort=Sort.NEWEST,
            page=2,
        )


def test_answers_equal_the_oracle_and_whoosh_scoring_every_match(archive):
    backend, oracle = archive
    compared = 0
    for request in _requests():
        found = backend.search(request)
        expected = oracle.matching(request)
        assert found.total == len(expected), request
        wanted = _facets(expected)
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


def test_the_comparison_covers_big_and_empty_answers(archive):
    """The requests above are worth comparing: some find much, some nothing, some need a
    suggestion, and facets are counted over many documents."""
    backend, oracle = archive
    totals = [backend.search(request).total for request in _requests()]
    assert max(totals) == len(oracle.documents) == 210
    assert min(totals) == 0
    assert backend.search(SearchRequest(query=parse_query("vacine"))).suggestion == "vaccine"


def test_whoosh_shortcuts_this_path_avoids(archive):
    """Why the backend does not take Whoosh's own ways: on this index, Whoosh's matcher
    for "oil -water" lets through an article holding "water", and its top-hits shortcut
    leaves an updated article off the first page of "oil water". If a Whoosh release
    fixes them, this fails, and the shortcuts can be reconsidered."""
    backend, oracle = archive
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
        SearchDocument(**{**_document(rng, article_id).__dict__, "published_at": moment})
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
    backend.apply([_document(rng, article_id) for article_id in range(1, 21)])
    assert backend.search(SearchRequest()).total == 20
    backend.apply([_document(rng, 21)], deletions=[1, 2])
    results = backend.search(SearchRequest(page_size=30))
    assert results.total == 19
    assert {hit.article_id for hit in results.hits} == set(range(3, 22))
    assert sum(facet.count for facet in results.facets["year"]) == 19


def test_a_big_rebuild_writes_in_two_processes_and_finds_everything(tmp_path):
    rng = random.Random(9)
    documents = [_document(rng, article_id) for article_id in range(1, 1301)]
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
        "oil" in _tokens(d.body + " " + d.title + " " + " ".join(d.tag_names)) for d in documents
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
        return replace(_document(rng, article_id), body=body, title="Report")

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
