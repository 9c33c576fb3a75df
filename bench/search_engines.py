"""The bare engines of the search benchmark: each search engine asked directly, as a small
application would ask it, on the very index (or table) Dateline built.

Each does the work a results page needs, no more: the top ``page_size`` hits with their
titles, the exact total, facet counts when the query asks for them, and a spelling
suggestion (re-counted) when fewer than three hits are found, as Dateline does. It has no
highlighting and none of Dateline's query compiling: each engine's own parser reads the
words. Filters arrive already resolved (slugs, region ids) in the SearchRequest that
search.service built, untimed.
"""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bench.search_queries import BenchQuery
from search.backends.base import SearchRequest

TEXT_FIELDS = ["title", "body", "tags_text", "dateline"]
FACET_LIMIT = 20
SUGGEST_BELOW = 3


def _day_bounds(request: SearchRequest) -> tuple[datetime | None, datetime | None]:
    """The date range as [start, end) in UTC, whole days."""
    dates = request.date_range
    if dates is None:
        return None, None
    start = datetime.combine(dates.start, time.min, tzinfo=UTC) if dates.start else None
    end = (
        datetime.combine(dates.end, time.min, tzinfo=UTC) + timedelta(days=1) if dates.end else None
    )
    return start, end


class BareWhoosh:
    """A Whoosh searcher on the serving generation, with Whoosh's own MultifieldParser."""

    def __init__(self, index_dir: Path) -> None:
        from whoosh import index
        from whoosh.qparser import MultifieldParser

        generation = (index_dir / "CURRENT").read_text().strip()
        self.index = index.open_dir(str(index_dir / generation))
        self.searcher = self.index.searcher()  # BM25F, Whoosh's default
        self.parser = MultifieldParser(TEXT_FIELDS, self.index.schema)  # words ANDed

    def search(self, query: BenchQuery, request: SearchRequest, page_size: int) -> tuple:
        from whoosh import query as wq
        from whoosh import sorting

        text = self.parser.parse(f"title:{query.words}" if query.title_only else query.words)
        filters: list = []
        if request.outlets:
            filters.append(wq.Or([wq.Term("outlet", slug) for slug in request.outlets]))
        filters += [wq.Term("tag", slug) for slug in request.tags]
        filters += [wq.Term("region", str(region)) for region in request.regions]
        start, end = _day_bounds(request)
        if start or end:
            naive = [moment.replace(tzinfo=None) if moment else None for moment in (start, end)]
            filters.append(
                wq.DateRange(
                    "published",
                    naive[0],
                    naive[1] - timedelta(microseconds=1) if naive[1] else None,
                )
            )
        options: dict = {"limit": page_size}
        if filters:
            options["filter"] = wq.And(filters) if len(filters) > 1 else filters[0]
        if query.sort == "newest":
            options |= {"sortedby": "published", "reverse": True}
        if query.facets:
            options["groupedby"] = {
                "outlet": sorting.FieldFacet("outlet", maptype=sorting.Count),
                "tag": sorting.FieldFacet("tag", allow_overlap=True, maptype=sorting.Count),
                "region": sorting.FieldFacet("region", allow_overlap=True, maptype=sorting.Count),
                "year": sorting.FieldFacet("year", maptype=sorting.Count),
            }
        results = self.searcher.search(text, **options)
        total = len(results)
        titles = [hit["title"] for hit in results]
        if query.facets:
            self.last_facets = {
                name: sorted(results.groups(name).items(), key=lambda item: -item[1])[:FACET_LIMIT]
                for name in options["groupedby"]
            }
        suggested = False
        if total < SUGGEST_BELOW:
            # Words the index lacks, each replaced by the nearest indexed term, if that finds more.
            words = query.words.strip('"').split()
            corrected = [
                (self.searcher.suggest("body", word, limit=1) or [word])[0]
                if self._unknown(word)
                else word
                for word in words
            ]
            if corrected != words:
                found = self.searcher.search(self.parser.parse(" ".join(corrected)), limit=1)
                suggested = len(found) > total
        return total, len(titles), suggested

    def _unknown(self, word: str) -> bool:
        terms = [token.text for token in self.index.schema["body"].analyzer(word)]
        return bool(terms) and not any(
            self.searcher.doc_frequency(field, term) for field in TEXT_FIELDS for term in terms
        )

    def close(self) -> None:
        self.searcher.close()


class BarePostgres:
    """Plain SQL on search_document: websearch_to_tsquery, ts_rank_cd, LIMIT, a separate
    count(*), GROUP BY for facets and pg_trgm for suggestions, through psycopg alone."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(database_url, autocommit=True)

    def search(self, query: BenchQuery, request: SearchRequest, page_size: int) -> tuple:
        params: dict = {"words": query.words, "limit": page_size, "facet_limit": FACET_LIMIT}
        tsquery = (
            "to_tsquery('dateline_search', %(words)s || ':A')"
            if query.title_only
            else "websearch_to_tsquery('dateline_search', %(words)s)"
        )
        conditions = ["vector @@ q"]
        if request.outlets:
            conditions.append("outlet_slug = ANY(%(outlets)s)")
            params["outlets"] = list(request.outlets)
        if request.tags:
            conditions.append("tag_slugs @> %(tags)s::text[]")
            params["tags"] = list(request.tags)
        if request.regions:
            conditions.append("region_ids @> %(regions)s::bigint[]")
            params["regions"] = list(request.regions)
        start, end = _day_bounds(request)
        if start:
            conditions.append("published_at >= %(start)s")
            params["start"] = start
        if end:
            conditions.append("published_at < %(end)s")
            params["end"] = end
        matches = f"FROM search_document, {tsquery} AS q WHERE {' AND '.join(conditions)}"
        order = "published_at DESC" if query.sort == "newest" else "rank DESC"
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT article_id, title, ts_rank_cd(vector, q) AS rank {matches} "
                f"ORDER BY {order} LIMIT %(limit)s",
                params,
            )
            hits = cursor.fetchall()
            cursor.execute(f"SELECT count(*) {matches}", params)
            total = cursor.fetchone()[0]
            if query.facets:
                for value in (
                    "outlet_slug",
                    "unnest(tag_slugs)",
                    "unnest(region_ids)",
                    "extract(year FROM published_at AT TIME ZONE 'UTC')::int",
                ):
                    cursor.execute(
                        f"SELECT value, count(*) FROM (SELECT {value} AS value {matches}) AS v "
                        "GROUP BY value ORDER BY count(*) DESC LIMIT %(facet_limit)s",
                        params,
                    )
                    cursor.fetchall()
            suggested = False
            if total < SUGGEST_BELOW:
                corrected = []
                for word in query.words.strip('"').split():
                    # The most similar indexed word, for a word the index lacks.
                    cursor.execute(
                        "SELECT (SELECT w.word FROM search_word w WHERE w.word %% %(word)s"
                        " ORDER BY similarity(w.word, %(word)s) DESC LIMIT 1)"
                        " WHERE NOT EXISTS (SELECT FROM search_word WHERE word = %(word)s)",
                        {"word": word},
                    )
                    row = cursor.fetchone()
                    corrected.append(row[0] if row and row[0] else word)
                if corrected != query.words.strip('"').split():
                    cursor.execute(
                        "SELECT count(*) FROM search_document "
                        "WHERE vector @@ websearch_to_tsquery('dateline_search', %(words)s)",
                        {"words": " ".join(corrected)},
                    )
                    suggested = cursor.fetchone()[0] > total
        return total, len(hits), suggested

    def close(self) -> None:
        self.connection.close()


class BareTantivy:
    """A tantivy searcher on the tantivy backend's serving generation, with tantivy's own
    query parser (every word required). tantivy does not store analyzers, so the backend's
    is registered, as any application opening the index must."""

    def __init__(self, index_dir: Path) -> None:
        import tantivy

        from search.backends import tantivy_schema  # lands with the tantivy backend

        root = index_dir / "tantivy"
        path = root / (root / "CURRENT").read_text().strip()
        self.tantivy, self.schema_module = tantivy, tantivy_schema
        self.index = tantivy.Index.open(str(path))
        self.index.register_tokenizer(tantivy_schema.WORDS, tantivy_schema.analyzer())
        self.searcher = self.index.searcher()
        self.boosts = dict(tantivy_schema.TEXT_FIELDS)

    def _parse(self, words: str, title_only: bool):
        # "+" makes each word or phrase required, as Dateline's default AND.
        if title_only:
            return self.index.parse_query(f"+title:{words}", ["title"])
        required = (
            f"+{words}" if words.startswith('"') else " ".join(f"+{w}" for w in words.split())
        )
        return self.index.parse_query(required, TEXT_FIELDS, field_boosts=self.boosts)

    def search(self, query: BenchQuery, request: SearchRequest, page_size: int) -> tuple:
        tantivy, Query, Occur = self.tantivy, self.tantivy.Query, self.tantivy.Occur
        schema = self.index.schema
        clauses = [(Occur.Must, self._parse(query.words, query.title_only))]
        if request.outlets:
            clauses.append(
                (Occur.Must, Query.term_set_query(schema, "outlet", list(request.outlets)))
            )
        clauses += [(Occur.Must, Query.term_query(schema, "tag", slug)) for slug in request.tags]
        clauses += [(Occur.Must, Query.term_query(schema, "region", r)) for r in request.regions]
        start, end = _day_bounds(request)
        if start or end:
            chronology = self.schema_module.chronology
            low = chronology(start) if start else -(2**62)
            high = chronology(end) - 1 if end else 2**62
            clauses.append(
                (
                    Occur.Must,
                    Query.range_query(schema, "chronology", tantivy.FieldType.Integer, low, high),
                )
            )
        combined = Query.boolean_query(clauses)
        options: dict = {"limit": page_size, "count": True}
        if query.sort == "newest":
            options |= {"order_by_field": "chronology", "order": tantivy.Order.Desc}
        found = self.searcher.search(combined, **options)
        titles = [self.searcher.doc(address)["title"] for _, address in found.hits]
        if query.facets:
            self.searcher.aggregate(
                combined,
                {
                    name: {"terms": {"field": name, "size": FACET_LIMIT}}
                    for name in ("outlet", "tag", "region", "year")
                },
            )
        suggested = False
        if found.count < SUGGEST_BELOW:
            fuzzy = Query.boolean_query(
                [
                    (Occur.Must, Query.fuzzy_term_query(schema, "body", word, distance=2))
                    for word in query.words.strip('"').split()
                ]
            )
            suggested = self.searcher.search(fuzzy, limit=1, count=True).count > found.count
        return found.count, len(titles), suggested

    def close(self) -> None:
        pass


def bare_engine(backend: str, index_dir: Path, database_url: str):
    if backend == "whoosh":
        return BareWhoosh(index_dir)
    if backend == "postgres":
        return BarePostgres(database_url)
    if backend == "tantivy":
        return BareTantivy(index_dir)
    raise SystemExit(f"No bare engine for the {backend!r} backend.")
