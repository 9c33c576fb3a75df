"""The search benchmark's query classes, drawn deterministically from the benchmark corpus.

The corpus (bench/corpus.py) draws body words from a Zipfian vocabulary, so a word's rank
is its position in ``ranked_vocabulary()``: the first content words are in a large share
of the articles, the tail in a handful. Words, phrases, tags, outlets and places that must
exist are taken from a sample of the archive's own articles (lines of its JSON Lines file),
so every class finds something at any archive size.
"""

import json
import random
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from bench.corpus import FUNCTION_WORDS, ranked_vocabulary

# Class name -> what it asks, in the order tables list them.
CLASSES = {
    "common word": "one word among the most frequent content words",
    "rare word": "one word from the vocabulary's tail (rank 15,000 or more)",
    "2-3 word AND": "two or three frequent words, all required",
    "phrase": 'two or three adjacent words of an article, quoted ("a b")',
    "field filter": "title:word (half) or a frequent word with outlet:NAME (half)",
    "tag filter": 'a frequent word with tag:"NAME"',
    "region filter": 'a frequent word with region:"COUNTRY"',
    "date range": "a frequent word with date:FROM..TO, a tenth of the archive's span",
    "newest first": "a frequent word, sorted newest first",
    "facet counts": "a frequent word with outlet, tag, place and year counts",
    "misspelling": "a frequent word with one letter changed, which finds nothing",
}
SAMPLE_ARTICLES = 2000
RARE_FROM_RANK = 15_000  # of content words
AND_WORDS_RANK = 1000


@dataclass(frozen=True)
class BenchQuery:
    """One search of a class: ``q`` as a reader types it (the API and the page get it),
    ``words`` its words part in the syntax every bare engine's parser reads (plain words,
    a quoted phrase), ``title_only`` for title:word."""

    kind: str
    q: str
    words: str
    title_only: bool = False
    sort: str = ""  # "" relevance, as the page's default for words; or "newest"
    facets: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SampledArticle:
    title: str
    body: str
    outlet: str
    tags: tuple[str, ...]
    country: str
    published: datetime


def sample_articles(corpus: Path, articles: int, count: int = SAMPLE_ARTICLES) -> list:
    """About ``count`` articles spread evenly over the corpus file, first and last included
    (their dates bound the archive's span)."""
    stride = max(1, articles // count)
    sampled = []
    last_line = ""
    with corpus.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number % stride == 0:
                sampled.append(_article(line))
            last_line = line
    if last_line and (articles - 1) % stride:
        sampled.append(_article(last_line))
    return sampled


def _article(line: str) -> SampledArticle:
    item = json.loads(line)
    dateline, _, body = item["body"].partition(" – ")
    return SampledArticle(
        title=item["title"],
        body=body,
        outlet=item["outlet"],
        tags=tuple(item["tags"]),
        country=dateline.partition(", ")[2].strip(),
        published=datetime.fromisoformat(item["published"]),
    )


def make_queries(
    sample: list[SampledArticle], per_class: int, seed: int = 2017
) -> dict[str, list[BenchQuery]]:
    """``per_class`` distinct queries of every class (fewer only if the sample cannot give
    that many), the same for the same corpus and seed."""
    rng = random.Random(f"bench-search-{seed}")
    vocabulary = ranked_vocabulary(seed)
    content = vocabulary[len(FUNCTION_WORDS) :]
    rank = {word: position for position, word in enumerate(content)}
    common = content[: max(300, per_class + 50)]
    makers = {
        "common word": lambda: _plain(rng.choice(common)),
        "rare word": _rare_words(sample, rank, rng),
        "2-3 word AND": _and_words(content, rng),
        "phrase": _phrases(sample, rank, rng),
        "field filter": _field_filters(sample, common, rank, rng),
        "tag filter": lambda: _filtered(
            rng.choice(common), f'tag:"{rng.choice(rng.choice(sample).tags)}"'
        ),
        "region filter": _region_filters(sample, common, rng),
        "date range": _date_ranges(sample, common, rng),
        "newest first": lambda: replace(_plain(rng.choice(common)), sort="newest"),
        "facet counts": lambda: replace(_plain(rng.choice(common)), facets=True),
        "misspelling": _misspellings(vocabulary, content, rng),
    }
    queries = {}
    for kind, make in makers.items():
        found: dict[str, BenchQuery] = {}
        for _attempt in range(per_class * 50):
            if len(found) == per_class:
                break
            query = make()
            if query is not None and query.q not in found:
                found[query.q] = replace(query, kind=kind)
        queries[kind] = list(found.values())
    return queries


def _plain(words: str) -> BenchQuery:
    return BenchQuery("", words, words)


def _filtered(word: str, filter_text: str) -> BenchQuery:
    return BenchQuery("", f"{word} {filter_text}", word)


def _words_of(text: str) -> list[str]:
    return [word.strip(".,").lower() for word in text.split()]


def _rare_words(sample, rank, rng):
    # Tail words that occur in the sample, so they exist in the archive.
    rare = sorted(
        {
            word
            for article in sample
            for word in _words_of(article.title + " " + article.body)
            if rank.get(word, -1) >= RARE_FROM_RANK
        }
    )
    return lambda: _plain(rng.choice(rare)) if rare else None


def _and_words(content, rng):
    def make() -> BenchQuery:
        # One very frequent word and one or two others of the first thousand.
        others = rng.sample(content[:AND_WORDS_RANK], rng.choice((1, 2)))
        return _plain(" ".join([rng.choice(content[:100]), *others]))

    return make


def _phrases(sample, rank, rng):
    def make() -> BenchQuery | None:
        words = rng.choice(sample).body.split()
        length = rng.choice((2, 3))
        start = rng.randrange(0, max(1, len(words) - length))
        window = words[start : start + length]
        # Content words only, within a sentence: a phrase that certainly occurs.
        if any(word.endswith(".") for word in window[:-1]):
            return None
        window = [word.strip(".").lower() for word in window]
        if len(window) < length or not all(word in rank for word in window):
            return None
        phrase = '"' + " ".join(window) + '"'
        return BenchQuery("", phrase, phrase)

    return make


def _field_filters(sample, common, rank, rng):
    def make() -> BenchQuery | None:
        if rng.random() < 0.5:
            words = [w for w in _words_of(rng.choice(sample).title) if w in rank]
            if not words:
                return None
            word = rng.choice(words)
            return BenchQuery("", f"title:{word}", word, title_only=True)
        return _filtered(rng.choice(common), f'outlet:"{rng.choice(sample).outlet}"')

    return make


def _region_filters(sample, common, rng):
    countries = sorted({article.country for article in sample if article.country})

    def make() -> BenchQuery | None:
        if not countries:
            return None
        return _filtered(rng.choice(common), f'region:"{rng.choice(countries)}"')

    return make


def _date_ranges(sample, common, rng):
    first = min(article.published for article in sample).date()
    last = max(article.published for article in sample).date()
    width = max(timedelta(days=30), (last - first) / 10)

    def make() -> BenchQuery:
        offset = rng.random() * max((last - first - width).days, 0)
        start: date = first + timedelta(days=int(offset))
        end = start + width
        return _filtered(rng.choice(common), f"date:{start.isoformat()}..{end.isoformat()}")

    return make


def _misspellings(vocabulary, content, rng):
    """One letter changed in the middle of a frequent word, so that neither the word nor
    its stem is in the corpus: it finds nothing and a suggestion is due."""
    known = set(vocabulary)
    stems = {stem(word) for word in vocabulary}
    candidates = [word for word in content[:2000] if len(word) >= 6]

    def make() -> BenchQuery | None:
        word = rng.choice(candidates)
        position = rng.randrange(2, len(word) - 2)
        letter = rng.choice([c for c in "aeioukmnrst" if c != word[position]])
        wrong = word[:position] + letter + word[position + 1 :]
        if wrong in known or stem(wrong) in stems or wrong in STOP_WORDS:
            return None
        return _plain(wrong)

    return make
