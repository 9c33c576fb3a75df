"""The PostgreSQL backend's paths for big result sets (search.backends.postgres_results: the count,
_page, _facets), with their bounds lowered so that a few hundred documents take them.

Each path is compared with the straightforward SQL it stands for: where it claims the same
hits (newest first walking the date index, anything under the bounds), the hits are the
same; where it estimates (totals and facets from the sample, relevance among candidates),
the estimate is what the sample or the candidates give, computed here independently.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from search import service
from search.backends import postgres_query, postgres_results, postgres_sql
from search.backends.base import SearchRequest, Sort
from search.documents import SearchDocument
from search.query import parse_query

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: these run in the PostgreSQL pass of .ci/run",
    ),
    pytest.mark.parametrize("backend_name", ["postgres"]),
]
DOCUMENTS = 400
SAMPLE_EVERY = 64
START = datetime(2015, 1, 1, tzinfo=UTC)
RANK = "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', vector, %(q)s::tsquery, 1)"


def _document(n: int) -> SearchDocument:
    """Every document has "dam" in its body (some many times), every seventh in its title
    too; "glacier" is in five; dates rise with n, two documents a day (ties broken by id)."""
    repeats = 1 + (n * 7919) % 6
    body = " ".join(["The river dam held."] * repeats + [f"Report number {n}."])
    if n % 80 == 3:
        body += " A glacier melted."
    return SearchDocument(
        article_id=n,
        title=f"Dam report {n}" if n % 7 == 0 else f"River report {n}",
        body=body,
        dateline="",
        tag_names=(f"Topic {n % 5}",),
        tag_slugs=(f"topic-{n % 5}",),
        outlet_slug=f"outlet-{n % 3}",
        outlet_name=f"Outlet {n % 3}",
        region_ids=(1, 10 + n % 4),
        language="en",
        published_at=START + timedelta(hours=12 * (n // 2)),
    )


@pytest.fixture
def archive(backend):
    backend.apply([_document(n) for n in range(1, DOCUMENTS + 1)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_document")  # the table's size, for walking by date
    return backend


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(postgres_results, "COUNT_EXACTLY_UP_TO", 50)
    monkeypatch.setattr(postgres_results, "FACETS_EXACTLY_UP_TO", 50)
    monkeypatch.setattr(postgres_results, "RANK_ALL_UP_TO", 30)
    monkeypatch.setattr(postgres_results, "RANK_CANDIDATES", 20)
    monkeypatch.setattr(postgres_results, "KEEP_IDS_UP_TO", 50)


def _ids(sql: str, params: dict) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _tsquery(word: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsquery('dateline_search', %s)::text", [word])
        return cursor.fetchone()[0]


def _newest(word: str) -> list[int]:
    return _ids(
        "SELECT article_id FROM search_document WHERE vector @@ %(q)s::tsquery "
        "ORDER BY published_at DESC, article_id DESC",
        {"q": _tsquery(word)},
    )


def _ranked(word: str, among: list[int] | None = None) -> list[int]:
    """Every match ranked, as the straightforward statement ranks them."""
    among_condition = " AND article_id = ANY(%(among)s)" if among is not None else ""
    return _ids(
        f"SELECT article_id FROM search_document WHERE vector @@ %(q)s::tsquery{among_condition}"
        f" ORDER BY {RANK} DESC, published_at DESC, article_id DESC",
        {"q": _tsquery(word), "among": among},
    )


def _in_sample(ids) -> list[int]:
    """Those of ``ids`` in the sample, as the database keeps it (search_sample)."""
    return _ids(
        f"SELECT article_id FROM {postgres_sql.SAMPLE} WHERE article_id = ANY(%(ids)s) ORDER BY 1",
        {"ids": list(ids)},
    )


def _hits(backend, q: str, **options) -> list[int]:
    return [hit.article_id for hit in backend.search(service.build_request(q, **options)).hits]


@pytest.mark.parametrize("bounds", ["default", "small"])
# The newest stretch of time looked in first: too short (widened until every match is
# sorted), about right, or none (every match sorted).
@pytest.mark.parametrize("margin", [0.0001, 3, 1000])
def test_newest_first_gives_the_straightforward_order_on_every_page(
    archive, request, monkeypatch, bounds, margin
):
    if bounds == "small":
        request.getfixturevalue("small_bounds")
    monkeypatch.setattr(postgres_results, "WINDOW_MARGIN", margin)
    newest = _newest("dam")
    for page in (1, 2, 7):
        hits = _hits(archive, "dam", sort=Sort.NEWEST, page=page)
        assert hits == newest[(page - 1) * 10 : page * 10]
    oldest = _hits(archive, "dam", sort=Sort.OLDEST, page=3)
    assert oldest == newest[::-1][20:30]


def test_under_the_bounds_relevance_ranks_every_match(archive, monkeypatch):
    monkeypatch.setattr(postgres_results, "RANK_ALL_UP_TO", DOCUMENTS)
    for word in ("dam", "glacier", "river"):
        for page in (1, 3):
            hits = _hits(archive, word, page=page)
            assert hits == _ranked(word)[(page - 1) * 10 : page * 10], word


def test_under_the_bounds_totals_and_facets_are_exact(archive):
    results = archive.search(service.build_request("dam"))
    assert (results.total, results.total_is_estimate) == (DOCUMENTS, False)
    assert results.facets_are_estimates is False
    outlets = {facet.value: facet.count for facet in results.facets["outlet"]}
    assert outlets == {"outlet-0": 133, "outlet-1": 134, "outlet-2": 133}


def test_over_the_bounds_relevance_ranks_the_title_matches_and_the_newest(archive, small_bounds):
    title_matches = [n for n in range(DOCUMENTS, 0, -1) if n % 7 == 0][:20]
    newest = _newest("dam")[:20]
    candidates = _ranked("dam", among=title_matches + newest)
    assert _hits(archive, "dam") == candidates[:10]
    assert _hits(archive, "dam", page=2) == candidates[10:20]
    # A title match outranks the body-only matches: the best hit is the best of them all.
    assert _hits(archive, "dam")[0] == _ranked("dam")[0]


# The matches counted are kept by id (read again by id for the candidates, the page and the
# facets) or not (their words tested again): the same results.
@pytest.mark.parametrize("keep_ids", [0, 1000])
def test_counted_exactly_but_too_many_to_rank_all_the_candidates_are_ranked(
    archive, small_bounds, monkeypatch, keep_ids
):
    monkeypatch.setattr(postgres_results, "COUNT_EXACTLY_UP_TO", 1000)
    monkeypatch.setattr(postgres_results, "FACETS_EXACTLY_UP_TO", 1000)
    monkeypatch.setattr(postgres_results, "KEEP_IDS_UP_TO", keep_ids)
    results = archive.search(service.build_request("dam"))
    assert (results.total, results.total_is_estimate) == (DOCUMENTS, False)
    title_matches = [n for n in range(DOCUMENTS, 0, -1) if n % 7 == 0][:20]
    candidates = list(dict.fromkeys(title_matches + _newest("dam")[:20]))
    order = _ranked("dam", among=candidates)
    order += [n for n in _newest("dam") if n not in candidates]
    assert [hit.article_id for hit in results.hits] == order[:10]
    assert _hits(archive, "dam", page=5) == order[40:50]  # past the candidates
    assert _hits(archive, "dam", sort=Sort.NEWEST, page=3) == _newest("dam")[20:30]
    assert _hits(archive, "dam", sort=Sort.OLDEST, page=2) == _newest("dam")[::-1][10:20]
    assert _hits(archive, "dam", sort=Sort.NEWEST, page=41) == []  # past the last
    outlets = {facet.value: facet.count for facet in results.facets["outlet"]}
    assert outlets == {"outlet-0": 133, "outlet-1": 134, "outlet-2": 133}


@pytest.mark.parametrize("margin", [0.0001, 3, 1000])
def test_over_the_bounds_pages_past_the_candidates_go_on_newest_first(
    archive, small_bounds, monkeypatch, margin
):
    monkeypatch.setattr(postgres_results, "WINDOW_MARGIN", margin)
    title_matches = [n for n in range(DOCUMENTS, 0, -1) if n % 7 == 0][:20]
    candidates = list(dict.fromkeys(title_matches + _newest("dam")[:20]))
    order = _ranked("dam", among=candidates)
    order += [n for n in _newest("dam") if n not in candidates]
    for page in (1, 3, 4, 5, 40):  # 3 to 5 cross from the candidates to the rest
        assert _hits(archive, "dam", page=page) == order[(page - 1) * 10 : page * 10], page


def test_over_the_bounds_the_total_and_facets_are_estimated_from_the_sample(archive, small_bounds):
    sample = _in_sample(range(1, DOCUMENTS + 1))
    assert sample  # 7 of the 400
    results = archive.search(service.build_request("dam"))
    assert (results.total, results.total_is_estimate) == (len(sample) * SAMPLE_EVERY, True)
    assert results.facets_are_estimates is True
    outlets = {facet.value: facet.count for facet in results.facets["outlet"]}
    expected: dict[str, int] = {}
    for n in sample:
        expected[f"outlet-{n % 3}"] = expected.get(f"outlet-{n % 3}", 0) + SAMPLE_EVERY
    assert outlets == expected


def test_over_the_bounds_few_matches_are_still_counted_exactly(archive, small_bounds):
    results = archive.search(service.build_request("glacier"))
    assert (results.total, results.total_is_estimate) == (5, False)
    assert results.facets_are_estimates is False
    assert [hit.article_id for hit in results.hits] == _ranked("glacier")


def test_matches_the_sample_misses_are_counted_up_to_the_bound(archive, monkeypatch):
    monkeypatch.setattr(postgres_results, "COUNT_EXACTLY_UP_TO", 20)
    # Tag topic-1 (n % 5 == 1) and outlet-0 (n % 3 == 0): 27 documents, none in the sample.
    matching = [n for n in range(1, DOCUMENTS + 1) if n % 5 == 1 and n % 3 == 0]
    assert len(matching) == 27
    assert not _in_sample(matching)
    request = SearchRequest(query=parse_query("dam"), tags=("topic-1",), outlets=("outlet-0",))
    results = archive.search(request)
    assert (results.total, results.total_is_estimate) == (21, True)  # "about 21"


@pytest.mark.parametrize(
    "q",
    [
        "title:dam",
        "title:dam river",
        "title:dam OR title:report",
        "title:dam title:report",
        'title:"dam report"',
        "title:dam -glacier",
        "title:the title:dam",
    ],
)
@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.RELEVANCE])
def test_title_words_found_through_the_title_index_are_those_of_the_weighted_vector(
    archive, q, sort
):
    """Title words are looked up in the title's own index (and, when nothing but title
    words is asked for, only there): the hits, in either order, are those of the weighted
    vector's title lexemes."""
    query = parse_query(q)
    weighted = postgres_query.compile_query(connection.cursor(), query).tsquery
    order = "published_at DESC" if sort == Sort.NEWEST else f"{RANK} DESC, published_at DESC"
    straightforward = _ids(
        "SELECT article_id FROM search_document WHERE vector @@ %(q)s::tsquery"
        f" ORDER BY {order}, article_id DESC",
        {"q": weighted},
    )
    assert straightforward
    found = archive.search(SearchRequest(query=query, sort=sort, page_size=1000))
    hits = [hit.article_id for hit in found.hits]
    assert (found.total, sorted(hits)) == (len(straightforward), sorted(straightforward))
    if sort == Sort.NEWEST or found.total <= postgres_results.RANK_ALL_UP_TO:
        assert hits == straightforward  # above the bound, relevance ranks candidates


def test_a_misspelling_is_corrected_when_the_correction_finds_more(archive, small_bounds):
    assert archive.search(service.build_request("glaciar")).suggestion == "glacier"


@pytest.mark.django_db
def test_the_planner_settings_of_a_search_are_put_back(archive, small_bounds):
    settings = ("enable_seqscan", "enable_bitmapscan", "enable_indexscan", "random_page_cost")

    def current() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
            return list(cursor.fetchone())

    before = current()
    for sort in (Sort.RELEVANCE, Sort.NEWEST):
        archive.search(service.build_request("dam", sort=sort))  # a savepoint in the test's
    assert current() == before


def test_a_phrase_of_common_words_is_looked_for_among_the_newest_documents(archive, monkeypatch):
    phrase = '"river dam"'  # in every body: each document has both words
    exact = archive.search(service.build_request(phrase))
    assert (exact.total, exact.total_is_estimate) == (DOCUMENTS, False)

    monkeypatch.setattr(postgres_results, "PHRASE_CHECKS", 50)
    having_words = len(_in_sample(range(1, DOCUMENTS + 1))) * SAMPLE_EVERY  # the estimate
    # The newest 50/384 of the archive's time: documents are spread evenly over it.
    first, last = _document(1).published_at, _document(DOCUMENTS).published_at
    start = last - (last - first) * (50 / having_words)
    in_window = [n for n in _newest("dam") if _document(n).published_at >= start]
    assert 40 < len(in_window) < 60
    results = archive.search(service.build_request(phrase))
    assert results.total_is_estimate is True
    assert results.facets_are_estimates is True
    assert results.total == round(len(in_window) * having_words / 50)
    hits = [hit.article_id for hit in results.hits]
    assert hits == _ranked("river <-> dam", among=in_window)[:10]


def _with_dam_river(n: int) -> SearchDocument:
    """Document n with the phrase "dam river", which no document has otherwise (each has
    "river dam")."""
    document = _document(n)
    return replace(document, body=document.body + " The dam river flowed.")


def test_a_rare_phrase_of_common_words_is_found_however_old(archive, monkeypatch):
    """Every document has both words; the phrase is in two of the oldest only: the newest
    stretch holds none, so the stretch is widened until every document is checked."""
    archive.apply([_with_dam_river(n) for n in (3, 5)])
    monkeypatch.setattr(postgres_results, "PHRASE_CHECKS", 50)
    results = archive.search(service.build_request('"dam river"'))
    assert (results.total, results.total_is_estimate) == (2, False)
    assert [hit.article_id for hit in results.hits] == _ranked("dam <-> river") == [5, 3]


def test_a_phrase_found_too_rarely_in_the_newest_stretch_is_looked_for_in_a_wider_one(
    archive, monkeypatch
):
    """The phrase is in the 30 oldest of the 400 documents and in the two newest: the first
    stretch (50 documents with both words) holds 2, fewer than a page, the next (400, every
    document) all 32."""
    archive.apply([_with_dam_river(n) for n in [*range(1, 31), DOCUMENTS - 1, DOCUMENTS]])
    monkeypatch.setattr(postgres_results, "PHRASE_CHECKS", 50)
    results = archive.search(service.build_request('"dam river"', sort=Sort.NEWEST))
    assert (results.total, results.total_is_estimate) == (32, False)
    assert [hit.article_id for hit in results.hits] == [400, 399, *range(30, 22, -1)]


@pytest.mark.parametrize("first_checks", [5, 50])  # widened three times, or once
def test_each_widening_checks_the_phrase_only_in_the_documents_it_adds(
    archive, monkeypatch, first_checks
):
    """The phrase is in the two oldest documents: the stretch is widened from the newest
    documents with its words to all of them, and each is checked for it once."""
    archive.apply([_with_dam_river(n) for n in (1, 2)])
    monkeypatch.setattr(postgres_results, "PHRASE_CHECKS", first_checks)
    checked = []
    count = postgres_results._count

    def count_and_note_the_checked(cursor, where, params, **options):
        if postgres_sql.in_ids("phrase_candidates") in where:
            checked.extend(params["phrase_candidates"])
        else:  # the documents older than every stretch, or all
            older_than = params.get("phrase_end", datetime.max.replace(tzinfo=UTC))
            checked.extend(
                n for n in range(1, DOCUMENTS + 1) if _document(n).published_at < older_than
            )
        return count(cursor, where, params, **options)

    monkeypatch.setattr(postgres_results, "_count", count_and_note_the_checked)
    results = archive.search(service.build_request('"dam river"'))
    assert (results.total, results.total_is_estimate) == (2, False)
    assert [hit.article_id for hit in results.hits] == [2, 1]
    assert sorted(checked) == list(range(1, DOCUMENTS + 1))


@pytest.mark.parametrize(
    ("newer", "older", "joined"),
    [
        # Exact and few: the totals added, the ids newest first (the newer stretch's first).
        ((2, False, [9, 8]), (1, False, [3]), (3, False, [9, 8, 3])),
        ((0, False, []), (0, False, []), (0, False, [])),
        # Either an estimate: the sum is one too, with no ids.
        ((2, False, [9, 8]), (640, True, None), (642, True, None)),
        ((2001, True, None), (1, False, [3]), (2002, True, None)),
        # Exact but too many to keep (KEEP_IDS_UP_TO, 50 here): the total alone.
        ((30, False, list(range(30))), (21, False, list(range(21))), (51, False, None)),
        ((60, False, None), (1, False, [3]), (61, False, None)),
    ],
)
def test_the_matches_of_two_stretches_of_time_are_joined(
    backend_name, small_bounds, newer, older, joined
):
    matches = postgres_results.Matches
    assert matches(*newer).then(matches(*older)) == matches(*joined)


@pytest.mark.parametrize(
    ("found", "wanted", "checks_next"),
    [
        (0, 10, 12_000),  # nothing to go by: eight times over
        (5, 10, 4_500),  # as its frequency says the page needs, half as much again
        (9, 10, 3_000),  # at least twice as many
        (1, 10, 12_000),  # at most eight times as many
        (5, 110, 12_000),  # a page far on
    ],
)
def test_a_stretch_is_widened_as_far_as_the_phrase_is_frequent_in_it(
    backend_name, found, wanted, checks_next
):
    assert postgres_results._wider(1_500, found=found, wanted=wanted) == checks_next


def test_documents_whose_ids_come_at_a_fixed_stride_are_sampled_like_any_others(backend):
    """An ingest taking forty outlets' feeds in turn gives each outlet every fortieth id:
    each such outlet has about its sixty-fourth in the sample (by id modulo 64, five outlets
    had eight times that and 35 none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_document (article_id, title, body, outlet_slug, language,"
            " published_at) SELECT n, '', '', 'outlet', 'en', now()"
            " FROM generate_series(1, 64000) AS n"
        )
        cursor.execute(f"SELECT article_id % 40, count(*) FROM {postgres_sql.SAMPLE} GROUP BY 1")
        sampled = dict(cursor.fetchall())
    # 1,600 ids each, 25 of them expected in the sample (binomial sd 4.9); by id modulo 64,
    # 200 for five of the forty and none for the others.
    assert len(sampled) == 40
    assert all(8 < n < 45 for n in sampled.values()), sampled


# The triggers' condition (migration search/0009), written out: what the sample must hold.
SAMPLED = f"(hashint8(article_id) & {SAMPLE_EVERY - 1}) = 0"


def _sample_rows(table: str) -> list[tuple]:
    columns = "article_id, title, vector::text, tag_slugs, outlet_slug, region_ids, language"
    where = SAMPLED if table == "search_document" else "true"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, published_at FROM {table} WHERE {where} ORDER BY article_id"
        )
        return cursor.fetchall()


def test_the_sample_table_follows_the_documents_as_they_are_written(archive):
    """search_sample, kept by triggers, holds the sampled documents as they are now: after
    writes, an update of a sampled document, a deletion and a clear."""
    sampled = _in_sample(range(1, DOCUMENTS + 1))
    assert len(sampled) > 2
    assert _sample_rows(postgres_sql.SAMPLE) == _sample_rows("search_document")

    edited = replace(_document(sampled[0]), title="Glacier retreat", tag_slugs=("ice",))
    archive.apply([edited], deletions=[sampled[1]])
    rows = _sample_rows(postgres_sql.SAMPLE)
    assert rows == _sample_rows("search_document")
    assert [row[0] for row in rows] == [sampled[0], *sampled[2:]]
    assert (rows[0][1], rows[0][3]) == ("Glacier retreat", ["ice"])
    assert archive.search(service.build_request("glacier retreat")).total == 1

    archive.clear()
    assert _sample_rows(postgres_sql.SAMPLE) == []


@pytest.mark.parametrize(
    "condition",
    [
        "region_ids @> '{11}'::bigint[]",
        "tag_slugs @> '{topic-2}'::text[]",
    ],
)
def test_a_word_with_a_filter_is_found_in_one_scan_of_one_index(archive, condition):
    """The words and the array filters share a GIN index (migration search/0010): the scan
    skips through the word's postings by the filter's, instead of a bitmap of every document
    with the word intersected with the filter's."""
    where = f"vector @@ 'dam'::tsquery AND {condition}"
    with (
        connection.cursor() as cursor,
        postgres_query.planner_settings(cursor, postgres_results.BITMAPS),
    ):
        cursor.execute("EXPLAIN " + postgres_sql.count_statement(where))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index_scans = [line for line in plan.splitlines() if "Index Scan" in line]
    assert len(index_scans) == 1, plan
    assert "search_document_words_and_filters" in index_scans[0]
    assert condition.split(" ")[0] in plan.split("Index Cond:")[1], plan
