"""The query language readers type, parsed once for every backend.

    syrian army                 all words must match (stemmed, accents and case folded)
    "middle euphrates"          an exact phrase
    raqqa OR deir               either word (OR binds the terms on either side)
    -russia  -"air strikes"     exclude a word or a phrase
    title:offensive             a word (or "phrase") that must be in the title
    outlet:rudaw  tag:"Deir ez-Zor"  region:syria  language:en
    date:2017  date:2017-08  date:2017-08-01..2017-08-31  after:2017-08-01  before:2017-09-01

Nothing a reader types is an error: what the grammar cannot read is searched as plain words,
and what has no words left (punctuation, wildcards, emoji alone) searches for nothing.
"""

import calendar
import dataclasses
import re
from dataclasses import dataclass, field, replace
from datetime import date

# The stop words the embedded backends leave out of their index (Whoosh's list; tantivy's
# analysis uses it too). PostgreSQL's English list holds all but "may", "tbd", "us", "yet".
from whoosh.analysis import STOP_WORDS as COMMON_WORDS

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 32
MAX_WORD_LENGTH = 64  # longer "words" are noise; engines cap token length too

# A word is letters and digits (any script), with inner apostrophes ("Kirkuk's"); everything
# else separates words. The one definition: queries, suggestions and the backends' own
# cutting of text (whoosh_analysis) read words with it.
WORD_PATTERN = r"[^\W_]+(?:['’][^\W_]+)*"
WORD = re.compile(WORD_PATTERN)
_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:(?P<field>[A-Za-z]+):)?
    (?:"(?P<phrase>[^"]*)"|(?P<bare>[^\s"]+))
    """,
    re.VERBOSE,
)
_FIELDS = {"title", "outlet", "tag", "region", "language", "lang", "date", "after", "before"}
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


@dataclass(frozen=True)
class DateRange:
    """Inclusive on both ends; either end may be open. A start after the end is empty (the
    intersection of two ranges that do not overlap): it matches nothing."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def between(cls, first: date | None, second: date | None) -> "DateRange":
        """The range between two dates a reader gave, in whichever order."""
        if first and second and first > second:
            first, second = second, first
        return cls(first, second)

    def intersect(self, other: "DateRange | None") -> "DateRange":
        if other is None:
            return self
        starts = [d for d in (self.start, other.start) if d]
        ends = [d for d in (self.end, other.end) if d]
        return DateRange(max(starts) if starts else None, min(ends) if ends else None)


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of words in order; ``field`` None means title, tags and body."""

    words: tuple[str, ...]
    field: str | None = None
    # What the reader typed for it: a backend whose tokenizer is not this module's word
    # pattern (tantivy's) cuts this instead of the words, as it cut the indexed text.
    source: str = dataclasses.field(default="", compare=False)  # `field` is taken here

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class ParsedQuery:
    """What the reader asked: AND of groups, each group an OR of terms; minus exclusions."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    outlets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    date_range: DateRange | None = None
    original: str = field(default="", compare=False)

    @property
    def has_text(self) -> bool:
        return bool(self.groups)

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group)

    def without_filters(self) -> "ParsedQuery":
        return replace(self, outlets=(), tags=(), regions=(), languages=(), date_range=None)


def only_common_words(query: ParsedQuery) -> bool:
    """Whether every word the query asks for is one an index leaves out ("the", "of"): when
    such a search finds nothing, the reader should hear why, not only "no articles match"."""
    words = [word for term in query.terms for word in term.words]
    return bool(words) and all(word.lower() in COMMON_WORDS for word in words)


def words_of(text: str) -> tuple[str, ...]:
    return tuple(
        match.group(0).replace("’", "'")[:MAX_WORD_LENGTH] for match in WORD.finditer(text)
    )


def parse_query(text: str) -> ParsedQuery:
    """Parse a reader's query; never raises."""
    text = _clean(text)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters: dict[str, list[str]] = {"outlet": [], "tag": [], "region": [], "language": []}
    date_range: DateRange | None = None
    join_next = False

    for match in _TOKEN.finditer(text):
        negated = bool(match.group("neg"))
        field_name = (match.group("field") or "").lower()
        value = match.group("phrase") if match.group("phrase") is not None else match.group("bare")

        if field_name and field_name not in _FIELDS:
            # "foo:bar" with an unknown field: the reader meant words.
            value, field_name = f"{match.group('field')} {value}", ""

        if not field_name and not negated and match.group("bare") == "OR":
            join_next = bool(groups)
            continue

        if field_name in ("outlet", "tag", "region", "language", "lang"):
            value = value.strip()
            if value and not negated:
                filters["language" if field_name == "lang" else field_name].append(value)
            continue
        if field_name in ("date", "after", "before"):
            parsed = _date_filter(field_name, value)
            if parsed is not None:
                date_range = parsed.intersect(date_range)
                continue
            field_name = ""  # an unreadable date is searched as words

        words = words_of(value)
        if not words:
            continue
        term = Term(words=words, field="title" if field_name == "title" else None, source=value)
        if negated:
            excluded.append(term)
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
        if len(groups) + len(excluded) >= MAX_TERMS:
            break

    return ParsedQuery(
        groups=tuple(tuple(group) for group in groups),
        excluded=tuple(excluded),
        outlets=tuple(filters["outlet"]),
        tags=tuple(filters["tag"]),
        regions=tuple(filters["region"]),
        languages=tuple(filters["language"]),
        date_range=date_range,
        original=text,
    )


def _clean(text: str) -> str:
    """Bound the length, drop control characters, and close an unbalanced quote."""
    text = "".join(ch if ch.isprintable() else " " for ch in text[:MAX_QUERY_LENGTH])
    if text.count('"') % 2:
        text = text.replace('"', " ")
    return text


def parse_date_bound(text: str, *, end: bool) -> date | None:
    """ "2017", "2017-08" or "2017-08-15" as the first (or, with ``end``, last) day it covers."""
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2) or (12 if end else 1))
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    last_day = calendar.monthrange(year, month)[1]
    day = int(match.group(3) or (last_day if end else 1))
    if not 1 <= day <= last_day:
        return None
    return date(year, month, day)


def _date_filter(kind: str, value: str) -> DateRange | None:
    if kind == "after":
        start = parse_date_bound(value, end=False)
        return DateRange(start=start) if start else None
    if kind == "before":
        end = parse_date_bound(value, end=True)
        return DateRange(end=end) if end else None
    low, separator, high = value.partition("..")
    if not separator:
        start, end = parse_date_bound(value, end=False), parse_date_bound(value, end=True)
        return DateRange(start, end) if start and end else None
    start = parse_date_bound(low, end=False) if low else None
    end = parse_date_bound(high, end=True) if high else None
    if (low and not start) or (high and not end) or not (start or end):
        return None
    return DateRange.between(start, end)
