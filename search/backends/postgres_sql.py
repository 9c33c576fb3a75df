"""The SQL of the PostgreSQL search backend (tables made by migration search/0002).

Only fixed SQL lives here. Everything a reader typed or a document holds travels as a
query parameter, named ``%(name)s``; a literal ``%`` is written ``%%``.
"""

# ts_headline marks matches with private-use characters no text holds, which the backend
# turns into <mark> after HTML-escaping the text around them. Its parser would drop "<b>"
# and the like from snippets as tags, so "<" and ">" go in as control characters, which it
# keeps as they are; the same characters already in the text are removed.
MARK_START, MARK_END = "\ue000", "\ue001"
LESS_THAN, GREATER_THAN = "\x02", "\x03"
HIGHLIGHT_PARAMS = {
    "hl_from": "<>" + LESS_THAN + GREATER_THAN + MARK_START + MARK_END,
    "hl_to": LESS_THAN + GREATER_THAN,
    "title_options": f'HighlightAll=true, StartSel="{MARK_START}", StopSel="{MARK_END}"',
    # Up to two passages of 20 words. ShortWord=1: a passage keeps the short words at its
    # ends ("The", the b of "<b>"), which the default of 3 trims.
    "snippet_options": (
        "MaxWords=20, MinWords=12, ShortWord=1, MaxFragments=2, "
        f'FragmentDelimiter=" … ", StartSel="{MARK_START}", StopSel="{MARK_END}"'
    ),
}
TITLE_HEADLINE = (
    "ts_headline('dateline_search', translate(d.title, %(hl_from)s, %(hl_to)s),"
    " %(positive)s::tsquery, %(title_options)s)"
)
SNIPPET_HEADLINE = (
    "ts_headline('dateline_search', translate(d.body, %(hl_from)s, %(hl_to)s),"
    " %(positive)s::tsquery, %(snippet_options)s)"
)
# With no words to highlight: the text as it is (the backend keeps the body's first words).
TITLE_PLAIN = "translate(d.title, %(hl_from)s, %(hl_to)s)"
SNIPPET_PLAIN = "translate(left(d.body, 2000), %(hl_from)s, %(hl_to)s)"

# Weights for D, C, B, A: a title (A) match counts five times a body (C) one. Normalization
# 1 divides by 1 + log(length), so long articles do not win by length alone.
RANK = "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', vector, %(positive)s::tsquery, 1)"
NO_RANK = "0::real"

# "m" is the search_document row (or the matches CTE) in the statements below.
ORDER_BY_RANK = "score DESC, m.published_at DESC, m.article_id DESC"
ORDER_BY_NEWEST = "m.published_at DESC, m.article_id DESC"
ORDER_BY_OLDEST = "m.published_at, m.article_id"

# A fixed one in SAMPLE_EVERY of the documents, in a table of its own (migration search/0009,
# kept by triggers on search_document) with the columns searches test: a word in half the
# archive is counted, and its facets, on a sixty-fourth of it, in milliseconds, where every
# match takes a second at 1,000,000 articles, and the sample's rows lie on a few hundred
# pages instead of thousands of search_document's. Chosen by a hash of the id, not the id
# modulo 64: ids follow the order of the ingest, which can be periodic (sources taken in
# turn). The triggers keep the rows where (hashint8(article_id) & 63) = 0.
SAMPLE_EVERY = 64
SAMPLE = "search_sample"
# The title alone as a tsvector, with a GIN index of its own (migration search/0006): the
# articles with the words in their title, the first candidates for ranking by relevance.
# The same expression as the index's, or the planner cannot use it.
TITLE_VECTOR = "to_tsvector('dateline_search'::regconfig, translate(m.title, '<>/', '   '))"

# Facet name (as in base.FACET_FIELDS, in that order) -> the value(s) a match counts for.
# Grouping happens before anything is turned into text, and set-returning functions go in
# the select list, not a lateral join: both about halve the time over many matches.
FACETS = {
    "outlet": "outlet_slug",
    "tag": "unnest(tag_slugs)",
    "region": "unnest(region_ids)",
    "year": "extract(year FROM published_at AT TIME ZONE 'UTC')::int",
}


def count_statement(where: str, sampled: bool = False) -> str:
    """Every match counted, or those in the sample (SAMPLE_EVERY)."""
    return f"SELECT count(*) FROM {_documents(sampled)} m WHERE {where}"


def sampled_count_statement(where: str) -> str:
    """The matches in the sample; and, when that promises at most %(count_bound)s in all,
    the matches counted up to %(count_limit)s (no more rows read than that) with their ids
    when at most %(ids_up_to)s, newest first, so that they are not tested again. The second
    count runs only if the first allows it (a one-time filter): one round trip either way."""
    return f"""
WITH sample AS (SELECT count(*) AS n FROM {SAMPLE} m WHERE {where})
SELECT sample.n, counted.n, counted.ids FROM sample, LATERAL (
    SELECT count(*) AS n,
           CASE WHEN count(*) <= %(ids_up_to)s THEN {_IDS_NEWEST_FIRST} END AS ids
    FROM (
        SELECT m.article_id, m.published_at FROM search_document m
        WHERE {where} AND sample.n * {SAMPLE_EVERY} <= %(count_bound)s
        LIMIT %(count_limit)s
    ) AS matches
) AS counted
"""


def title_candidates_statement(where: str) -> str:
    """The ids of the matches with the words in their title, newest first, up to
    %(candidates)s, as one array."""
    return f"SELECT {_title_candidates(where)}"


def candidates_statement(where: str, windowed: str) -> str:
    """Two arrays of ids, newest first, up to %(candidates)s each: the matches with the
    words in their title, and the matches (``windowed``: in the newest stretch of time)."""
    return f"""
SELECT {_title_candidates(where)}, ARRAY(
    SELECT m.article_id FROM search_document m WHERE {windowed}
    ORDER BY {ORDER_BY_NEWEST} LIMIT %(candidates)s
)
"""


def _title_candidates(where: str) -> str:
    return f"""ARRAY(
    SELECT m.article_id FROM search_document m
    WHERE {TITLE_VECTOR} @@ %(title_match)s::tsquery AND {where}
    ORDER BY {ORDER_BY_NEWEST} LIMIT %(candidates)s
)"""


def in_ids(name: str) -> str:
    """The condition that keeps the documents whose ids the parameter ``name`` holds."""
    return f"m.article_id = ANY(%({name})s::bigint[])"


# The condition a search's words make (postgres_query.conditions), and the same test written
# as the function behind @@, which no index answers: for candidates already found by id,
# each row's tsvector is tested instead of the word index being read for the whole archive.
MATCH = "vector @@ %(match)s::tsquery"
MATCH_EACH = "ts_match_vq(vector, %(match)s::tsquery)"


def ids_statement(where: str) -> str:
    """The matches' ids as one array (NULL for none)."""
    return f"SELECT array_agg(m.article_id) FROM search_document m WHERE {where}"


def bounded_count_statement(where: str) -> str:
    """The matches counted up to %(count_limit)s (no more rows are read than that), and
    their ids when there are at most %(ids_up_to)s, newest first, so that they are not
    tested again."""
    return (
        f"SELECT count(*), CASE WHEN count(*) <= %(ids_up_to)s THEN {_IDS_NEWEST_FIRST} END"
        " FROM (SELECT m.article_id, m.published_at FROM search_document m"
        f" WHERE {where} LIMIT %(count_limit)s) AS matches"
    )


# The counted matches' ids in the order of ORDER_BY_NEWEST: the newest candidates for ranking
# and a newest (or oldest) first page are then slices of it, no statement of their own.
_IDS_NEWEST_FIRST = "array_agg(article_id ORDER BY published_at DESC, article_id DESC)"


def page_statement(where: str, order: str, words: bool, by_rank: bool) -> str:
    """A page of hits as JSON text: [[id, score, title, snippet], ...] in ``order``.

    The page is chosen first and only its ten rows are highlighted; each match is ranked
    only when sorting by relevance. ``where`` may narrow the matches to candidates
    (``m.article_id = ANY(%(candidates)s)``).
    """
    title, snippet = (TITLE_HEADLINE, SNIPPET_HEADLINE) if words else (TITLE_PLAIN, SNIPPET_PLAIN)
    score = RANK if (words and by_rank) else NO_RANK
    page_score = "m.score" if by_rank else (RANK if words else NO_RANK)
    return f"""
WITH page AS (
    SELECT m.article_id, m.published_at, {score} AS score FROM search_document m
    WHERE {where}
    ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s
)
SELECT json_agg(
    json_build_array(m.article_id, {page_score}, {title}, {snippet}) ORDER BY {order}
)::text
FROM page m JOIN search_document d USING (article_id)
"""


def facets_statement(where: str, sampled: bool) -> str:
    """Each facet's top values and counts as JSON text, one column a facet (FACETS' order):
    over every match, or over the sample's with each count scaled up by SAMPLE_EVERY."""
    scale = f" * {SAMPLE_EVERY}" if sampled else ""
    columns = ",\n    ".join(f"({_facet(name, scale)})" for name in FACETS)
    return f"""
WITH matches AS MATERIALIZED (
    SELECT outlet_slug, tag_slugs, region_ids, published_at FROM {_documents(sampled)} m
    WHERE {where}
)
SELECT
    {columns}
"""


def _documents(sampled: bool) -> str:
    return SAMPLE if sampled else "search_document"


def _facet(name: str, scale: str) -> str:
    return f"""SELECT json_agg(json_build_array(value, n{scale}) ORDER BY n DESC, value)::text
    FROM (
        SELECT value, count(*) AS n FROM (SELECT {FACETS[name]} AS value FROM matches) AS v
        GROUP BY value ORDER BY n DESC, value LIMIT %(facet_limit)s
    ) AS counts"""


def settings_statement(count: int, read: bool = True) -> str:
    """Set ``count`` planner settings for the transaction (see postgres._fetch_all for
    why). Parameters: the names, then each name and its value. Reading, the statement
    first returns the values they had."""
    before = ["current_setting(%s)"] * count if read else []
    return f"SELECT {', '.join(before + ['set_config(%s, %s, true)'] * count)}"


# Each side compiled by to_tsquery from operands the backend quoted; '' when no lexemes.
COMPILE = """
SELECT to_tsquery('dateline_search', %(positive)s)::text,
       to_tsquery('dateline_search', %(negative)s)::text,
       to_tsquery('dateline_search', %(title)s)::text
"""


def compile_with_settings(count: int) -> str:
    """COMPILE, the archive's first and last dates, and settings_statement(count) in one
    round trip; positional parameters: the three sources, then settings_statement's."""
    compiled = ", ".join("to_tsquery('dateline_search', %s)::text" for _ in range(3))
    span = "(SELECT min(published_at) FROM search_document), " + (
        "(SELECT max(published_at) FROM search_document)"
    )
    return settings_statement(count).replace("SELECT ", f"SELECT {compiled}, {span}, ", 1)


# A write's documents in one statement, as parallel arrays (a row a position): executemany
# sent each row as a statement of its own, parsed, planned and started on its own. The
# tags and places of a row, arrays themselves, travel as array literals (array_literal).
# UPSERT and ADD_WORDS run on a server-binding cursor (postgres._binding_cursor): "%b" is
# a parameter sent apart from the statement, in binary.
UPSERT = """
INSERT INTO search_document (
    article_id, title, body, dateline, tags_text, tag_slugs, outlet_slug, region_ids,
    language, published_at
)
SELECT article_id, title, body, dateline, tags_text, tag_slugs::text[], outlet_slug,
       region_ids::bigint[], language, published_at
FROM unnest(
    %b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[],
    %b::text[], %b::text[], %b::timestamptz[]
) AS d (
    article_id, title, body, dateline, tags_text, tag_slugs, outlet_slug, region_ids,
    language, published_at
)
ON CONFLICT (article_id) DO UPDATE SET
    title = EXCLUDED.title,
    body = EXCLUDED.body,
    dateline = EXCLUDED.dateline,
    tags_text = EXCLUDED.tags_text,
    tag_slugs = EXCLUDED.tag_slugs,
    outlet_slug = EXCLUDED.outlet_slug,
    region_ids = EXCLUDED.region_ids,
    language = EXCLUDED.language,
    published_at = EXCLUDED.published_at
"""
DELETE = "DELETE FROM search_document WHERE article_id = ANY(%s::bigint[])"
ADD_WORDS = "INSERT INTO search_word (word) SELECT unnest(%b::text[]) ON CONFLICT DO NOTHING"
# DELETE rather than TRUNCATE: readers keep seeing the old rows until the writer commits.
CLEAR = ["DELETE FROM search_document", "DELETE FROM search_word"]
COUNT = "SELECT count(*) FROM search_document"

# For each word the vocabulary lacks, the most similar one it has (pg_trgm's % operator,
# similarity above pg_trgm.similarity_threshold, 0.3 by default; it uses the GIN index).
# Stop words are never corrected: they are not searched anyway.
CORRECTIONS = """
SELECT q.word, (
    SELECT w.word FROM search_word w
    WHERE w.word %% q.word
    ORDER BY similarity(w.word, q.word) DESC, w.word
    LIMIT 1
)
FROM unnest(%s::text[]) AS q(word)
WHERE NOT EXISTS (SELECT FROM search_word w WHERE w.word = q.word)
  AND numnode(plainto_tsquery('dateline_search', q.word)) > 0
"""

CHECK = """
SELECT to_regclass('search_document') IS NOT NULL AND to_regclass('search_word') IS NOT NULL,
       EXISTS (SELECT FROM pg_ts_config WHERE cfgname = 'dateline_search')
"""
