"""What the tantivy backend indexes and how it asks: the analyzer, the schema, documents,
queries compiled from a parsed query, and highlights.

The analyzer is Whoosh's (search/backends/whoosh.py) rebuilt from tantivy's own parts, so
both backends find the same words: runs of letters and digits, lower case, accents folded
to ASCII, Whoosh's stop words and single ASCII letters and digits (Whoosh drops every word
shorter than two letters) dropped with their positions kept, then English stemming
(Snowball's, where Whoosh uses Porter's: a few words stem differently; queries and index
always alike). The README lists the differences.
"""

import html
import re
import threading
from datetime import UTC, date, datetime, timedelta
from string import ascii_lowercase, digits

import tantivy
from tantivy import Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer
from whoosh.analysis import STOP_WORDS

from archive.languages import UNDETERMINED, language_ranges
from archive.sanitise import MarkedHTML
from search.backends import base
from search.documents import SearchDocument
from search.query import DateRange, ParsedQuery, Term

WORDS = "dateline_words"  # the analyzer's name in each tantivy Index
STOP = sorted(STOP_WORDS | set(ascii_lowercase) | set(digits))
# How much a match in each text field weighs, as Whoosh's field boosts.
TEXT_FIELDS = {"title": 3.0, "tags_text": 1.5, "dateline": 1.5, "body": 1.0}
# Every range an article's language falls in ("en-us": "en" and "en-us"), so that a
# language filter is a term lookup (archive.languages). Its own name, not "language", which
# an index built before held whole tags in: such an index is stale (``is_current``) and
# filtered on whole tags until rebuilt, as it was.
LANGUAGE_RANGES_FIELD = "language_ranges"
OLD_LANGUAGE_FIELD = "language"
# The facets and the fields that count them (fast fields).
FACET_FIELDS = {"outlet": "outlet", "tag": "tag", "region": "region", "year": "year"}
TITLE_CHARS = 1000  # a title is highlighted whole
SNIPPET_CHARS = 220
_LETTER = re.compile(r"[^\W_]")
# Newest and oldest first sort on one i64: the publication second, then the article id's
# low 24 bits, so that articles published in the same second keep one order on every page.
_ID_BITS = 24
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Each document falls in one of SAMPLE_BUCKETS buckets by its id, so that a broad search's
# facets can be counted on a few buckets' matches (tantivy.py) and scaled up. The index holds
# tiers, not buckets: tier k is the first 2**k buckets, one term, so a sample is one posting
# list. (Buckets themselves, as an earlier schema held them, needed a term set of 16 values,
# which tantivy turns into a bitset of a quarter of the archive each time: 2.6 ms at
# 1,000,000 articles before a match was counted.) 256 buckets: a sample is a bucket at the
# least, and one bucket of 64 held 3,400 of a common word's 227,000 matches at 1,000,000
# articles (4.8 ms to count), where two of 256 hold 1,770. The bucket count is in the
# field's name: an index with tiers of other buckets is counted whole until rebuilt.
SAMPLE_BUCKETS = 256
assert SAMPLE_BUCKETS & (SAMPLE_BUCKETS - 1) == 0, "a power of two: the top bits are the bucket"
SAMPLE_TIER_FIELD = f"sample_tier_{SAMPLE_BUCKETS}"
# Tiers 0 (one bucket) to 7 (half of them): a sample is never more than half the matches.
SAMPLE_TIERS = SAMPLE_BUCKETS.bit_length() - 1
_SAMPLE_SHIFT = 32 - (SAMPLE_BUCKETS - 1).bit_length()
# Knuth's multiplicative hash (the prime next to 2**32 / the golden ratio): ids in sequence,
# as an archive's are, land in every bucket alike.
_FIBONACCI = 0x9E3779B1


def analyzer() -> tantivy.TextAnalyzer:
    # tantivy's simple tokenizer: runs of letters and digits (Rust's is_alphanumeric), five
    # times faster than a regex tokenizer. It is search.query's word pattern, but for inner
    # apostrophes (l'armée is two words, and l is dropped) and for combining vowel signs (a
    # Hindi word is one, not its letters): queries are cut by it too, from what the reader
    # typed (Term.source), so index and query always agree.
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
        .filter(Filter.custom_stopword(STOP))
        .filter(Filter.stemmer("english"))
        .build()
    )


def make_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name=WORDS)
    builder.add_text_field("body", stored=True, tokenizer_name=WORDS)
    builder.add_text_field("tags_text", tokenizer_name=WORDS)
    builder.add_text_field("dateline", tokenizer_name=WORDS)
    # Filters and facets: exact values, no frequencies or positions, fast (columnar) for
    # counting.
    for name in ("outlet", "tag", "year"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field(LANGUAGE_RANGES_FIELD, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("region", indexed=True, fast=True)
    builder.add_integer_field("chronology", fast=True)
    builder.add_integer_field(SAMPLE_TIER_FIELD, indexed=True)
    return builder.build()


def open_index(path: str, create: bool = False) -> tantivy.Index:
    """A tantivy Index with our analyzer registered (tantivy does not store analyzers)."""
    if create:
        index = tantivy.Index(make_schema(), path=path, reuse=False)
    else:
        index = tantivy.Index.open(path)  # with the schema it was built with
    index.register_tokenizer(WORDS, analyzer())
    # This process reloads when it sees meta.json change (backend._reader): no watcher thread.
    index.config_reader(reload_policy="manual")
    return index


def document_of(document: SearchDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_integer("id", document.article_id)
    doc.add_text("title", document.title)
    doc.add_text("body", document.body)
    for name in document.tag_names:  # separate values: a phrase never spans two tags
        doc.add_text("tags_text", name)
    doc.add_text("dateline", document.dateline)
    doc.add_text("outlet", document.outlet_slug)
    for slug in document.tag_slugs:
        doc.add_text("tag", slug)
    for region_id in document.region_ids:
        doc.add_integer("region", region_id)
    for language_range in language_ranges(document.language):
        doc.add_text(LANGUAGE_RANGES_FIELD, language_range)
    # The whole tag too, for an index built before language ranges (tantivy ignores a field
    # its schema lacks): one saved between an upgrade and rebuild_index is found there.
    doc.add_text(OLD_LANGUAGE_FIELD, document.language or UNDETERMINED)
    doc.add_text("year", str(document.year))
    doc.add_integer("chronology", chronology(document.published_at, document.article_id))
    for tier in sample_tiers(sample_bucket(document.article_id)):
        doc.add_integer(SAMPLE_TIER_FIELD, tier)
    return doc


def sample_bucket(article_id: int) -> int:
    """The article's bucket, 0 to SAMPLE_BUCKETS - 1 (Fibonacci hashing of its id)."""
    return ((article_id * _FIBONACCI) & 0xFFFFFFFF) >> _SAMPLE_SHIFT


def sample_tiers(bucket: int) -> range:
    """The tiers a bucket is in (none for the upper half): tier k holds the buckets below
    2**k."""
    return range(bucket.bit_length(), SAMPLE_TIERS)


def chronology(moment: datetime, article_id: int = 0) -> int:
    seconds = (moment.astimezone(UTC) - _EPOCH) // timedelta(seconds=1)
    return (seconds << _ID_BITS) | (article_id & ((1 << _ID_BITS) - 1))


# Queries

_analyzer_lock = threading.Lock()
_query_analyzer = analyzer()


def analysed(text: str) -> list[tuple[int, str]]:
    """(position, token) pairs, as the index holds them."""
    with _analyzer_lock:  # one analyzer object, not to be used by two threads at once
        tokens = _query_analyzer.pre_tokenize(text).tokens
    return [(token.position, token.text) for token in tokens]


def _tokens(term: Term) -> list[tuple[int, str]]:
    """A term's words as the index holds them: two or more make a phrase query."""
    return analysed(term.source or term.text)


def _term_query(schema: tantivy.Schema, term: Term) -> Query | None:
    """A term in its fields, each weighed: None when every word of it is a stop word."""
    tokens = _tokens(term)
    if not tokens:
        return None
    fields = ("title",) if term.field == "title" else tuple(TEXT_FIELDS)
    first = tokens[0][0]
    # A phrase keeps the gaps stop words left: "old city of raqqa" is not "old city raqqa".
    words = [(position - first, token) for position, token in tokens]
    per_field = []
    for field in fields:
        if len(words) == 1:
            query = Query.term_query(schema, field, words[0][1], index_option="freq")
        else:
            query = Query.phrase_query(schema, field, words)
        per_field.append((Occur.Should, Query.boost_query(query, TEXT_FIELDS[field])))
    return Query.boolean_query(per_field)


def has_phrase(parsed: ParsedQuery) -> bool:
    """Whether the query asks for words in order anywhere, as tantivy cuts them: "covid-19"
    is one word to the reader and a phrase of two to the index."""
    terms = (*parsed.terms, *parsed.excluded)
    return any(len(_tokens(term)) > 1 for term in terms)


def text_query(schema: tantivy.Schema, parsed: ParsedQuery) -> Query | None:
    """The words part of a query: every document when there are no words; None when the
    words the reader gave all vanished (stop words only), so nothing matches."""
    groups = []
    for group in parsed.groups:
        alternatives = [q for q in (_term_query(schema, term) for term in group) if q]
        if alternatives:
            groups.append(
                alternatives[0]
                if len(alternatives) == 1
                else Query.boolean_query([(Occur.Should, q) for q in alternatives])
            )
    exclusions = [q for q in (_term_query(schema, term) for term in parsed.excluded) if q]
    if not groups:
        if parsed.has_text:
            return None
        positive = Query.all_query()
    elif len(groups) == 1:
        positive = groups[0]
    else:
        positive = Query.boolean_query([(Occur.Must, group) for group in groups])
    if not exclusions:
        return positive
    return Query.boolean_query(
        [(Occur.Must, positive), *((Occur.MustNot, query) for query in exclusions)]
    )


def filtered(schema: tantivy.Schema, query: Query, request: base.SearchRequest) -> Query:
    """The query with the request's filters, which match or not and never change a score."""
    filters = []
    if request.outlets:
        filters.append(Query.term_set_query(schema, "outlet", list(request.outlets)))
    if request.languages:
        filters.append(_language_filter(schema, list(request.languages)))
    filters += [Query.term_query(schema, "tag", slug) for slug in request.tags]
    filters += [Query.term_query(schema, "region", region) for region in request.regions]
    if request.date_range and (request.date_range.start or request.date_range.end):
        filters.append(_date_filter(schema, request.date_range))
    if not filters:
        return query
    return Query.boolean_query(
        [
            (Occur.Must, query),
            *((Occur.Must, Query.const_score_query(f, 0.0)) for f in filters),
        ]
    )


def whole_tier(buckets: int) -> int:
    """The buckets of the largest tier that holds at most ``buckets`` of them (one at the
    least, half of them at the most): between half and all of those asked for."""
    return 1 << (max(1, min(buckets, SAMPLE_BUCKETS // 2)).bit_length() - 1)


def is_current(schema: tantivy.Schema) -> bool:
    """Whether an index's schema (as it was built) is this code's: it holds language ranges."""
    return _has_field(schema, LANGUAGE_RANGES_FIELD)


def _has_field(schema: tantivy.Schema, name: str) -> bool:
    # tantivy's Python schema lists no fields; a query on a field it lacks is a ValueError.
    try:
        Query.term_query(schema, name, "")
    except ValueError:
        return False
    return True


def _language_filter(schema: tantivy.Schema, ranges: list[str]) -> Query:
    """Any of the ranges, as terms of the article's language ranges; on an index built
    before them, any of the whole tags (until rebuild_index)."""
    field = LANGUAGE_RANGES_FIELD if is_current(schema) else OLD_LANGUAGE_FIELD
    return Query.term_set_query(schema, field, ranges)


def in_sample(schema: tantivy.Schema, query: Query, buckets: int) -> Query | None:
    """The query's matches in the first ``buckets`` buckets, a whole tier (``whole_tier``);
    None for an index built without these tiers (it is counted whole until rebuilt)."""
    if buckets != whole_tier(buckets):
        raise ValueError(f"{buckets} buckets are not a sample tier")
    try:
        sample = Query.term_query(schema, SAMPLE_TIER_FIELD, buckets.bit_length() - 1)
    except ValueError:
        return None
    return Query.boolean_query([(Occur.Must, query), (Occur.Must, sample)])


def with_ids(schema: tantivy.Schema, ids: list[int]) -> Query:
    """The documents with these ids: a term query each, any of them. (A term set query runs
    an automaton over each segment's whole term dictionary: 2.9 ms for 200 ids at
    1,000,000 articles, against 0.6 for these.)"""
    if not ids:
        return Query.empty_query()
    return Query.boolean_query([(Occur.Should, Query.term_query(schema, "id", i)) for i in ids])


def _date_filter(schema: tantivy.Schema, date_range: DateRange) -> Query:
    start, end = date_range.start, date_range.end
    if start and end and start > end:
        return Query.empty_query()  # two ranges that do not meet
    return Query.range_query(
        schema,
        "chronology",
        tantivy.FieldType.Integer,
        lower_bound=chronology(_midnight(start)) if start else None,
        # Up to the last second of the end day: the next day's first, less one.
        upper_bound=chronology(_midnight(end + timedelta(days=1))) - 1 if end else None,
    )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# Highlights


def title_html(title: str, snippet: tantivy.Snippet | None) -> MarkedHTML:
    """The whole title, escaped, with its matched words in <mark>."""
    encoded = title.encode()
    if snippet is None or not snippet.highlighted():
        return _escaped_text(title)
    offset = snippet.fragment_range().start
    return _marked(encoded, [(offset + r.start, offset + r.end) for r in snippet.highlighted()])


def snippet_html(body: str, snippet: tantivy.Snippet | None) -> MarkedHTML:
    """The passage tantivy found best, escaped, with its matched words in <mark> and an
    ellipsis where it cuts the text; the body's first words when no word matched there.

    MarkedHTML: every character from the document went through html.escape here, and the
    only markup is our <mark>, so the page need not sanitise it again."""
    if snippet is None or not snippet.highlighted():
        return _escaped_text(base.first_words(body))
    fragment, where = snippet.fragment(), snippet.fragment_range()
    marked = _marked(fragment.encode(), [(r.start, r.end) for r in snippet.highlighted()])
    # tantivy's passage runs from a word to a word: what is left on either side is either
    # punctuation, kept, or more text, shown as an ellipsis.
    encoded = body.encode()
    before = encoded[: where.start].decode(errors="replace")
    after = encoded[where.end :].decode(errors="replace").rstrip()
    before = "… " if _LETTER.search(before) else html.escape(before.lstrip(), quote=False)
    after = " …" if _LETTER.search(after) else html.escape(after, quote=False)
    return MarkedHTML(f"{before}{marked}{after}")  # escaped above, piece by piece


def _marked(encoded: bytes, spans: list[tuple[int, int]]) -> MarkedHTML:
    """UTF-8 text with the byte ranges ``spans`` (tantivy's offsets) in <mark>."""
    parts, cursor = [], 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        parts.append(_escaped(encoded[cursor:start]))
        parts.append(f"{base.MARK_START}{_escaped(encoded[start:end])}{base.MARK_END}")
        cursor = end
    parts.append(_escaped(encoded[cursor:]))
    return MarkedHTML("".join(parts))  # every part escaped, or our <mark>


def _escaped(encoded: bytes) -> str:
    return html.escape(encoded.decode(errors="replace"), quote=False)


def _escaped_text(text: str) -> MarkedHTML:
    return MarkedHTML(html.escape(text, quote=False))
