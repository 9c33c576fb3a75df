"""Whoosh's matches as numpy arrays: matching, scoring, counting, facets and date order.

Whoosh walks a query's matches one Python call per document: the exact total, every facet
(tags and places worst of all: Whoosh un-inverts those fields on every search), sorting by
date and each filter's document set. Its shortcut for the top hits (skipping postings
blocks and dropping sub-queries that seem unable to reach the page) is not safe either: on
an index with updated documents it dropped the best hit of an AND query, and its matcher
for ``a -b`` let through a document holding ``b`` (both pinned by tests/search/
test_whoosh_arrays.py). At 100,000 articles the walk is nearly all of a search's time.

Here each segment's postings for a term (document numbers and weights), its field lengths,
publication dates and facet values are read into numpy arrays once and kept: a Whoosh
segment never changes after it is written, only its set of deleted documents does, and
that is applied on every query. A query's matches come from array operations
(intersections, unions, differences, range masks), its BM25F scores from Whoosh's own
formula over the same weights, lengths and statistics, and a facet's counts from one
``bincount``. A phrase's candidates are the documents with all its words (an intersection
of arrays); only their positions are read, and the phrase is checked for all of them at
once (``phrase_matches``), as Whoosh's own phrase matcher would find it, where that matcher
walks every document holding the words one Python call at a time, and did so twice for a
page (once to match, once to rank).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pickle import loads

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import _length_byte_cache

from search.backends.whoosh_postings import PostingsFile

DOCNUM = np.int32
# Whoosh keeps a field's length in a byte; this is its table back to lengths.
BYTE_TO_LENGTH = np.array(_length_byte_cache, dtype=np.float32)
EMPTY_IDS = np.zeros(0, dtype=DOCNUM)
EMPTY_SCORES = np.zeros(0, dtype=np.float64)
# Facet fields holding one value per document are counted per document; the others (an
# article has several tags, and every place brings its ancestors) per posting.
SINGLE_VALUED = frozenset({"outlet", "year"})
# Postings kept per segment, in postings per document of the segment: a common word's list
# is about half the segment, so this keeps a few dozen such words and every rare one; and
# never more than MAX_CACHED_POSTINGS (8 bytes each), so a worker on a big archive stays
# small.
CACHED_POSTINGS_PER_DOCUMENT = 32
MAX_CACHED_POSTINGS = 4_000_000
# A segment opened before its postings file was written (whoosh_postings) looks for it
# again after this many seconds, on a list read from Whoosh.
POSTINGS_FILE_RECHECK_SECONDS = 10.0


# A phrase's positions are checked as keys: document number times this, plus the position.
_POSITION_STRIDE = 1 << 32


class Unscorable(Exception):
    """A query this module does not score itself: Whoosh ranks it."""


@dataclass(frozen=True)
class Postings:
    ids: np.ndarray  # sorted document numbers of the segment
    # The term's weight in each (its frequency times the field's boost): small whole
    # numbers and halves, exact in 32 bits.
    weights: np.ndarray


EMPTY_POSTINGS = Postings(EMPTY_IDS, np.zeros(0, dtype=np.float32))


@dataclass(frozen=True)
class FacetTable:
    """One facet field of a segment: its values, and each document's values, document by
    document: those of document d are ``value_by_doc[doc_starts[d]:doc_starts[d + 1]]``
    (numbers in ``values``). Counting a query's matches then reads their values only,
    instead of every posting of the field (a place facet's field holds each article's
    places and their ancestors: several hundred thousand postings a segment)."""

    values: list[bytes]
    value_by_doc: np.ndarray
    doc_starts: np.ndarray
    value_of_doc: np.ndarray | None  # single-valued fields: -1 where a document has none


class SegmentArrays:
    """What the search needs of one immutable segment, read lazily and then kept. Long
    postings lists come from the segment's postings file when it has one (``folder`` and
    ``segment`` say where: search/backends/whoosh_postings.py)."""

    def __init__(self, doc_count_all: int, folder: str | None = None, segment=None) -> None:
        self.doc_count_all = doc_count_all
        self._folder, self._segment = folder, segment
        self._file: PostingsFile | None = None
        self._file_looked_for = float("-inf")
        self._postings: OrderedDict[tuple[str, str | bytes], Postings] = OrderedDict()
        self._cached = 0
        self._max_cached = min(
            max(CACHED_POSTINGS_PER_DOCUMENT * doc_count_all, 1 << 16), MAX_CACHED_POSTINGS
        )
        self._columns: dict[str, np.ndarray] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._facets: dict[str, FacetTable] = {}
        self._lock = threading.Lock()

    def postings(self, reader, field: str, text: str | bytes) -> Postings:
        """``text``'s postings in ``field``. Documents deleted since they were read may be
        among them: Leaf.deleted says which."""
        key = (field, text)
        with self._lock:  # threaded servers share the cache
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        if (mapped := self._from_file(reader, field, text)) is not None:
            return mapped  # a view of the map: nothing to cache
        found = _read_postings(reader, field, text)
        with self._lock:
            if key not in self._postings:
                self._postings[key] = found
                self._cached += len(found.ids)
            while self._cached > self._max_cached and len(self._postings) > 1:
                _, dropped = self._postings.popitem(last=False)
                self._cached -= len(dropped.ids)
        return found

    def _from_file(self, reader, field: str, text: str | bytes) -> Postings | None:
        file = self.postings_file()
        if file is None or field not in reader.schema:
            return None
        found = file.get(field, reader.schema[field].to_bytes(text))
        return Postings(*found) if found is not None else None

    def postings_file(self) -> PostingsFile | None:
        """The segment's postings file, opened on first use (None when it has none)."""
        if self._segment is None:
            return None
        if self._file is None:
            now = time.monotonic()
            if now - self._file_looked_for < POSTINGS_FILE_RECHECK_SECONDS:
                return None
            self._file_looked_for = now
            self._file = PostingsFile.beside(self._folder, self._segment, self.doc_count_all)
        return self._file

    def positions(
        self, reader, field: str, text: str, docs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """read_positions(reader, field, text, docs), from the segment's postings file when
        it holds them: the documents' slices of the list's positions, gathered at once."""
        file = self.postings_file()
        held = file and file.get_positions(field, reader.schema[field].to_bytes(text))
        if held is None:
            return read_positions(reader, field, text, docs)
        ids, counts, positions = held
        where = np.searchsorted(ids, docs)
        sizes = counts[where].astype(np.int64)
        starts = np.cumsum(counts, dtype=np.int64)[where] - sizes
        # Each document's positions are starts[i] .. starts[i] + sizes[i] - 1.
        firsts = np.cumsum(sizes) - sizes
        picked = np.repeat(starts - firsts, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
        return positions[picked].astype(np.int64), sizes

    def column(self, reader, field: str) -> np.ndarray:
        """A sortable numeric field's value for every document (for dates: Whoosh's long)."""
        if field not in self._columns:
            values = reader.column_reader(field, translate=False)
            self._columns[field] = _numeric_column(values, self.doc_count_all, np.int64)
        return self._columns[field]

    def lengths(self, reader, field: str) -> np.ndarray:
        """Each document's length in ``field`` as Whoosh scores with it (stored in a byte,
        so approximate for long fields, and the same approximation Whoosh uses)."""
        if field not in self._lengths:
            lengths_column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            if lengths_column is None:
                lengths = np.ones(self.doc_count_all, dtype=np.float32)
            else:
                codes = _numeric_column(lengths_column, self.doc_count_all, np.uint8)
                lengths = BYTE_TO_LENGTH[codes]
                lengths[codes == 0] = 1  # Whoosh's doc_field_length(..., default=1)
            self._lengths[field] = lengths
        return self._lengths[field]

    def facet_table(self, reader, field: str) -> FacetTable:
        if field not in self._facets:
            values: list[bytes] = []
            postings: list[np.ndarray] = []
            for term in reader.lexicon(field):
                ids = _read_postings(reader, field, term, listed=True).ids
                if len(ids):
                    values.append(term)
                    postings.append(ids)
            lengths = np.fromiter(map(len, postings), dtype=np.int64, count=len(postings))
            value_of_posting = np.repeat(np.arange(len(values), dtype=DOCNUM), lengths)
            doc_of_posting = np.concatenate(postings) if postings else EMPTY_IDS
            value_of_doc = None
            if field in SINGLE_VALUED:
                value_of_doc = np.full(self.doc_count_all, -1, dtype=DOCNUM)
                value_of_doc[doc_of_posting] = value_of_posting
            by_doc = np.argsort(doc_of_posting, kind="stable")
            doc_starts = np.zeros(self.doc_count_all + 1, dtype=np.int64)
            np.cumsum(np.bincount(doc_of_posting, minlength=self.doc_count_all), out=doc_starts[1:])
            self._facets[field] = FacetTable(
                values, value_of_posting[by_doc], doc_starts, value_of_doc
            )
        return self._facets[field]


def _numeric_column(values, doc_count: int, dtype) -> np.ndarray:
    """A NumericColumn's values for every document, read from its file in one piece (its
    reader returns them one Python call at a time: seconds at 100,000 articles)."""
    try:
        raw = values._dbfile.get(values._basepos, values._count * values._fixedlen)
        found = np.frombuffer(raw, dtype=">" + values._typecode).astype(dtype)
        default = values._default
    except AttributeError:  # another kind of column: ask it document by document
        return np.fromiter((values[d] for d in range(doc_count)), dtype=dtype, count=doc_count)
    if len(found) >= doc_count:
        return found[:doc_count]
    return np.concatenate([found, np.full(doc_count - len(found), default, dtype=dtype)])


def _read_postings(reader, field: str, text: str | bytes, listed: bool = False) -> Postings:
    """A term's postings; ``listed`` when it comes from the field's own lexicon, so it is
    there and the segment's terms file can be asked directly (a facet table reads
    thousands of terms)."""
    terms = getattr(reader, "_terms", None)
    if listed and terms is not None and isinstance(text, bytes):
        matcher = terms.matcher(field, text, reader.schema[field].format)
    elif field not in reader.schema or (field, text) not in reader:
        return EMPTY_POSTINGS
    else:
        matcher = reader.postings(field, text)
    if isinstance(matcher, FilterMatcher):  # deletions: Leaf.deleted applies them
        matcher = matcher.child
    if type(matcher) is W3LeafMatcher and not matcher._byteids:
        return _read_blocks(matcher)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return Postings(np.array(ids, dtype=DOCNUM), np.array(weights, dtype=np.float32))


def _read_blocks(matcher: W3LeafMatcher) -> Postings:
    """A whole postings list a block at a time: Whoosh stores each block's ids as deltas
    and its weights as an array, which numpy turns into arrays in one step each, instead
    of one Python call per posting (this reaches into the matcher's block data, the same
    way its own _read_ids and _read_weights do)."""
    ids, weights = [], []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, block_weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        ids.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if block_weights is None or isinstance(block_weights, float):
            weights.append(np.full(count, block_weights or 1.0, dtype=np.float32))
        else:
            weights.append(np.asarray(block_weights, dtype=np.float32))
        matcher._next_block()
    if not ids:
        return EMPTY_POSTINGS
    return Postings(np.concatenate(ids).astype(DOCNUM), np.concatenate(weights))


@dataclass
class Leaf:
    """A segment as one searcher sees it: where its documents start in the searcher's
    numbering, which of them are deleted, and the searcher whose statistics score them."""

    searcher: object  # whoosh.searching.Searcher on this segment alone
    top: object  # the searcher over every segment: idf and average lengths are global
    offset: int
    arrays: SegmentArrays
    deleted: np.ndarray | None  # bool per document; None when nothing is deleted

    @property
    def reader(self):
        return self.searcher.reader()

    def alive(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` are not deleted, as a mask."""
        if self.deleted is None or not len(ids):
            return np.ones(len(ids), dtype=bool)
        return ~self.deleted[ids]

    def matches(self, query: wq.Query) -> np.ndarray:
        ids = self._match(query)
        return ids[self.alive(ids)]

    def _match(self, query: wq.Query) -> np.ndarray:
        kind = type(query)
        if kind is wq.Term:
            return self.arrays.postings(self.reader, query.fieldname, query.text).ids
        if kind is wq.Every:
            return np.arange(self.arrays.doc_count_all, dtype=DOCNUM)
        if kind is wq.And:
            return _intersection(self._match(part) for part in query.subqueries)
        if kind is wq.Or and not getattr(query, "minmatch", 0):
            parts = [part for part in map(self._match, query.subqueries) if len(part)]
            if not parts:
                return EMPTY_IDS
            return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
        if kind is wq.AndNot:
            positive = self._match(query.a)
            if not len(positive):
                return positive
            return np.setdiff1d(positive, self._match(query.b), assume_unique=True)
        if kind is wq.DateRange:
            return self._date_range(query)
        if kind is wq.Phrase and query.boost == 1:
            return self._phrase(query)
        # Anything else: Whoosh's own matcher, document by document.
        return np.fromiter(query.docs(self.searcher), dtype=DOCNUM)

    def _phrase(self, query: wq.Phrase) -> np.ndarray:
        field = query.fieldname
        if field not in self.reader.schema:
            return EMPTY_IDS
        postings = [self.arrays.postings(self.reader, field, word) for word in query.words]
        candidates = _intersection(p.ids for p in postings)
        if not len(candidates):
            return EMPTY_IDS

        def positions(word: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return self.arrays.positions(self.reader, field, word, docs)

        return phrase_matches(query.words, query.slop, candidates, positions)

    def _date_range(self, query: wq.DateRange) -> np.ndarray:
        # DateRange keeps its bounds as the longs the column holds.
        published = self.arrays.column(self.reader, query.fieldname)
        keep = np.ones(len(published), dtype=bool)
        if query.start is not None:
            keep &= published > query.start if query.startexcl else published >= query.start
        if query.end is not None:
            keep &= published < query.end if query.endexcl else published <= query.end
        return np.flatnonzero(keep).astype(DOCNUM)

    def scored(self, query: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """The matches of a words query with their BM25F scores, as Whoosh computes them
        (deleted documents included: ``alive`` drops them). Raises Unscorable."""
        kind = type(query)
        if kind is wq.Term:
            return self._term_scores(query)
        if kind is wq.Every:
            ids = np.arange(self.arrays.doc_count_all, dtype=DOCNUM)
            return ids, np.zeros(len(ids))
        if kind is wq.Or and not getattr(query, "minmatch", 0):
            parts = [self.scored(part) for part in query.subqueries]
            ids = np.concatenate([part[0] for part in parts])
            scores = np.concatenate([part[1] for part in parts])
            unique, position = np.unique(ids, return_inverse=True)
            return unique, np.bincount(position, weights=scores, minlength=len(unique))
        if kind is wq.And:
            parts = [self.scored(part) for part in query.subqueries]
            ids = _intersection(part[0] for part in parts)
            scores = np.zeros(len(ids))
            for part_ids, part_scores in parts:
                scores += part_scores[np.searchsorted(part_ids, ids)]
            return ids, scores
        if kind is wq.AndNot:
            ids, scores = self.scored(query.a)
            keep = np.isin(ids, self._match(query.b), assume_unique=True, invert=True)
            return ids[keep], scores[keep]
        if kind is wq.Phrase and query.boost == 1:
            return self._phrase_scores(query)
        raise Unscorable(repr(query))

    def _phrase_scores(self, query: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """A phrase scores what its words score together in a document: Whoosh's phrase
        matcher wraps the intersection of its words' matchers (a binary tree of them,
        whoosh.matching.make_binary_tree), whose score is the sum of theirs, added up in
        the same tree so that ties fall as Whoosh's do."""
        ids = self._phrase(query)
        if not len(ids):
            return ids, EMPTY_SCORES
        parts = []
        for word in query.words:
            word_ids, word_scores = self._term_scores(wq.Term(query.fieldname, word))
            parts.append(word_scores[np.searchsorted(word_ids, ids)])
        return ids, _tree_sum(parts)

    def _term_scores(self, query: wq.Term) -> tuple[np.ndarray, np.ndarray]:
        field, text = query.fieldname, query.text
        postings = self.arrays.postings(self.reader, field, text)
        if not len(postings.ids):
            return postings.ids, EMPTY_SCORES
        tf = postings.weights.astype(np.float64)
        if not self.reader.schema[field].scorable:
            return postings.ids, tf
        weighting = self.top.weighting
        if not isinstance(weighting, BM25F) or query.boost != 1:
            raise Unscorable(f"{weighting!r}, boost {query.boost}")
        b = weighting._field_B.get(field, weighting.B)
        k1 = weighting.K1
        idf = self.top.idf(field, text)
        average = self.top.avg_field_length(field) or 1
        lengths = self.arrays.lengths(self.reader, field)[postings.ids].astype(np.float64)
        # whoosh.scoring.bm25, over every posting at once
        return postings.ids, idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / average)))

    def facet_counts(self, field: str, ids: np.ndarray) -> np.ndarray | None:
        """How many of ``ids`` have each of the segment's values of ``field``, in the order
        of FacetTable.values (None when none of them can have one)."""
        if not len(ids):
            return None
        table = self.arrays.facet_table(self.reader, field)
        if not table.values:
            return None
        if table.value_of_doc is not None:
            values = table.value_of_doc[ids]
            return np.bincount(values[values >= 0], minlength=len(table.values))
        starts = table.doc_starts[ids]
        lengths = table.doc_starts[ids + 1] - starts
        # Where each match's values are in value_by_doc: its run, the runs one after another.
        runs = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        positions = runs + np.arange(len(runs))
        return np.bincount(table.value_by_doc[positions], minlength=len(table.values))


def _tree_sum(parts: Sequence[np.ndarray]) -> np.ndarray:
    """``parts`` added up as make_binary_tree pairs them: the first half, then the rest."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def phrase_matches(
    words: Sequence[str],
    slop: int,
    candidates: np.ndarray,
    positions: Callable[[str, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    """The candidates (sorted document numbers holding every word) where the words follow
    each other as Whoosh's phrase matcher (SpanNear2, ordered, mindist 1) wants them: each
    word 1 to ``slop`` positions after the one before. ``positions(word, docs)`` gives the
    word's positions in each of ``docs``, flat, with how many each document has.

    Every candidate is checked at once: a word's occurrences are keys (document, position),
    and the phrase so far ends at a key; the next word keeps the keys 1 to ``slop``
    positions after one of those ends. Candidates left with no end are dropped before the
    next word's positions are read."""
    steps = np.arange(1, max(slop, 1) + 1, dtype=np.int64)

    def occurrences(word: str, docs: np.ndarray) -> np.ndarray:
        found, counts = positions(word, docs)
        return np.repeat(docs.astype(np.int64) * _POSITION_STRIDE, counts) + found

    ends = occurrences(words[0], candidates)
    for word in words[1:]:
        docs = np.unique(ends // _POSITION_STRIDE)
        keys = occurrences(word, docs)
        ends = keys[np.isin(keys, (ends[:, None] + steps).ravel())]
        if not len(ends):
            return EMPTY_IDS
    return np.unique(ends // _POSITION_STRIDE).astype(DOCNUM)


def read_positions(
    reader, field: str, text: str, docs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The positions of ``text`` in ``field`` in each of ``docs`` (sorted, each of them in
    the term's postings), flat, and how many each has. Only the postings blocks that hold
    one of ``docs`` are read, and only those documents' postings are decoded."""
    matcher = reader.postings(field, text)
    if isinstance(matcher, FilterMatcher):  # deletions: Leaf.alive applies them
        matcher = matcher.child
    deltas: list[int] = []
    counts: list[int] = []
    if type(matcher) is not W3LeafMatcher or matcher._byteids:
        for doc in docs.tolist():
            matcher.skip_to(doc)
            found = matcher.value_as("positions")
            deltas += np.diff(found, prepend=0).tolist()
            counts.append(len(found))
    else:
        start, count = 0, len(docs)
        while start < count and matcher.is_active():
            if matcher.block_max_id() < docs[start]:
                matcher._next_block()  # none of the documents asked for is in it
                continue
            if matcher._data is None:
                matcher._read_data()
            block_ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))
            stop = start + int(np.searchsorted(docs[start:], matcher.block_max_id(), "right"))
            matcher._read_values()
            values = matcher._values
            for index in np.searchsorted(block_ids, docs[start:stop]).tolist():
                # Positions.decode_positions, less its Python loop adding up the deltas
                value = values[index]
                codes = loads(value[4:] if value.endswith(b".") else value[4:] + b".")
                deltas += codes
                counts.append(len(codes))
            start = stop
            matcher._next_block()
    sizes = np.array(counts, dtype=np.int64)
    if not deltas:
        return np.zeros(0, dtype=np.int64), sizes
    # Each document's deltas add up from zero: a running sum over them all, less what the
    # documents before it added.
    running = np.cumsum(np.array(deltas, dtype=np.int64))
    firsts = np.cumsum(sizes) - sizes
    added_before = np.where(firsts > 0, running[np.maximum(firsts - 1, 0)], 0)
    return running - np.repeat(added_before, sizes), sizes


def _intersection(parts: Iterable[np.ndarray]) -> np.ndarray:
    arrays = sorted(parts, key=len)
    if not arrays:
        return EMPTY_IDS
    result = arrays[0]
    for other in arrays[1:]:
        if not len(result):
            break
        result = np.intersect1d(result, other, assume_unique=True)
    return result


class DocArrays:
    """The leaves of one searcher, with their arrays carried over from the last searcher
    for every segment that is still there."""

    def __init__(self) -> None:
        self._segments: dict[str, SegmentArrays] = {}

    def snapshot(self, searcher) -> "Snapshot":
        leaves, kept = [], {}
        # An index in a folder on disk may keep postings files beside its segments.
        index = getattr(searcher, "_ix", None)
        folder = getattr(getattr(index, "storage", None), "folder", None)
        for subsearcher, offset in searcher.leaf_searchers():
            reader = subsearcher.reader()
            key = _segment_key(reader)
            arrays = self._segments.get(key) or SegmentArrays(
                reader.doc_count_all(), folder, reader.segment()
            )
            kept[key] = arrays
            leaves.append(Leaf(subsearcher, searcher, offset, arrays, _deleted_mask(reader)))
        self._segments = kept  # segments merged away are let go
        return Snapshot(leaves)


class Snapshot:
    """One searcher's leaves, and what spans them: each facet field's values in one
    numbering, sorted, so that counts from every segment add up in one array and ties
    between counts are broken by the value, as a sort by (count, value) would."""

    def __init__(self, leaves: list[Leaf]) -> None:
        self.leaves = leaves
        self._facet_values: dict[str, tuple[list[bytes], list[np.ndarray]]] = {}

    def open_postings_files(self) -> None:
        """Open each segment's postings file now: its directory of lists is read whole,
        which a first search for a word otherwise waits for (70 ms at 100,000 articles)."""
        for leaf in self.leaves:
            leaf.arrays.postings_file()

    def facet_values(self, field: str) -> tuple[list[bytes], list[np.ndarray]]:
        """Every value of ``field``, sorted, and for each leaf where its values are."""
        if field not in self._facet_values:
            tables = [leaf.arrays.facet_table(leaf.reader, field) for leaf in self.leaves]
            values = sorted({value for table in tables for value in table.values})
            position = {value: number for number, value in enumerate(values)}
            where = [
                np.fromiter((position[v] for v in table.values), dtype=np.int64) for table in tables
            ]
            self._facet_values[field] = (values, where)
        return self._facet_values[field]

    def holds(self, field: str, words: Iterable[str], docnum: int) -> bool:
        """Whether the document (numbered as the searcher numbers them) holds one of
        ``words`` (as indexed) in ``field``, from the words' postings."""
        for leaf in self.leaves:
            local = docnum - leaf.offset
            if 0 <= local < leaf.arrays.doc_count_all:
                for word in words:
                    ids = leaf.arrays.postings(leaf.reader, field, word).ids
                    at = int(np.searchsorted(ids, local))
                    if at < len(ids) and ids[at] == local:
                        return True
                return False
        return True  # not a document of these leaves: no knowing, so not ruled out


def _segment_key(reader) -> str:
    segment = reader.segment()
    if segment is None:  # an empty index's reader
        return "empty"
    return f"{segment.segment_id()}:{reader.doc_count_all()}"


def _deleted_mask(reader) -> np.ndarray | None:
    if not reader.has_deletions():
        return None
    mask = np.zeros(reader.doc_count_all(), dtype=bool)
    deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
    mask[deleted[deleted < len(mask)]] = True
    return mask


@dataclass(frozen=True)
class Matches:
    """A query's matches: per leaf, sorted local document numbers, with their scores when
    the words could be scored here (None when Whoosh must rank them)."""

    snapshot: Snapshot
    ids: list[np.ndarray]
    scores: list[np.ndarray] | None

    @property
    def leaves(self) -> list[Leaf]:
        return self.snapshot.leaves

    @classmethod
    def of(cls, snapshot: Snapshot, words: wq.Query, filters: wq.Query | None) -> "Matches":
        leaves = snapshot.leaves
        try:
            scored = [leaf.scored(words) for leaf in leaves]
        except Unscorable:
            scored = None
        all_ids, all_scores = [], []
        for number, leaf in enumerate(leaves):
            ids, scores = scored[number] if scored else (leaf._match(words), None)
            keep = leaf.alive(ids)
            if filters is not None and len(ids):
                keep &= np.isin(ids, leaf._match(filters), assume_unique=True)
            all_ids.append(ids[keep])
            if scores is not None:
                all_scores.append(scores[keep])
        return cls(snapshot, all_ids, all_scores if scored else None)

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.ids)

    def _global(self) -> np.ndarray:
        parts = [
            ids.astype(np.int64) + leaf.offset
            for leaf, ids in zip(self.leaves, self.ids, strict=True)
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def top_facets(self, field: str, limit: int) -> list[tuple[bytes, int]]:
        """The ``limit`` most frequent values of ``field`` among the matches, with their
        counts, most frequent first and then by value."""
        if not self.total:
            return []
        values, where = self.snapshot.facet_values(field)
        counts = np.zeros(len(values), dtype=np.int64)
        for leaf, ids, positions in zip(self.leaves, self.ids, where, strict=True):
            leaf_counts = leaf.facet_counts(field, ids)
            if leaf_counts is not None:
                counts[positions] += leaf_counts
        if values and values[0] == b"":  # sorted first: an empty value is no facet
            counts[0] = 0
        found = np.flatnonzero(counts)
        # Values are numbered in sorted order: the number breaks ties between counts.
        best = found[np.lexsort((found, -counts[found]))[:limit]]
        return [(values[i], int(counts[i])) for i in best]

    def by_relevance(self, searcher, words: wq.Query, stop: int) -> list[tuple[float, int]]:
        """The first ``stop`` matches, best score first, then by document number (Whoosh's
        order), as (score, searcher docnum) pairs."""
        if stop <= 0 or not self.total:
            return []
        if self.scores is None:
            return self._ranked_by_whoosh(searcher, words, stop)
        scores, docnums = np.concatenate(self.scores), self._global()
        if stop < len(scores):
            # Everything scoring at least the stop-th best, ties at that score included.
            edge = np.partition(scores, len(scores) - stop)[len(scores) - stop]
            chosen = scores >= edge
            scores, docnums = scores[chosen], docnums[chosen]
        order = np.lexsort((docnums, -scores))[:stop]
        return [(float(scores[i]), int(docnums[i])) for i in order]

    def _ranked_by_whoosh(self, searcher, words: wq.Query, stop: int) -> list[tuple[float, int]]:
        # Scoring every match: no skipped blocks, no dropped sub-queries (see the docstring).
        top = TopCollector(limit=stop, usequality=False, replace=0)
        allowed = {int(docnum) for docnum in self._global()}
        searcher.search_with_collector(words, FilterCollector(top, allow=allowed))
        return [(hit.score, hit.docnum) for hit in top.results()]

    def by_date(self, field: str, stop: int, newest_first: bool, article_id) -> list[int]:
        """The first ``stop`` matches by ``field`` then by article id (both descending for
        newest first), as searcher docnums. ``article_id(docnum)`` is asked only for the
        matches up to the page's edge, ties at the edge included."""
        if stop <= 0 or not self.total:
            return []
        parts = [
            leaf.arrays.column(leaf.reader, field)[ids] if len(ids) else EMPTY_IDS
            for leaf, ids in zip(self.leaves, self.ids, strict=True)
        ]
        keys, docnums = np.concatenate(parts).astype(np.int64), self._global()
        if newest_first:
            keys = -keys
        if stop < len(keys):
            edge = np.partition(keys, stop - 1)[stop - 1]
            chosen = keys <= edge
            keys, docnums = keys[chosen], docnums[chosen]
        ids = np.fromiter((article_id(int(d)) for d in docnums), dtype=np.int64, count=len(keys))
        order = np.lexsort((-ids if newest_first else ids, keys))[:stop]
        return [int(docnums[i]) for i in order]
