"""An oracle for the Whoosh backend's tests: random documents over a small vocabulary, the
straightforward answer to a request computed document by document from what the index was
given, and requests that cover every kind of query, filter, sort and page."""

import functools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from search.backends.base import FACET_FIELDS, SearchRequest, Sort
from search.backends.whoosh import SearchBackend
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


def random_document(rng: random.Random, article_id: int) -> SearchDocument:
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


def analysed_words(text: str) -> list[str]:
    return [token.text for token in stock_analyzer()(text)]


@functools.cache
def _tokens_of(text: str) -> list[str]:
    return analysed_words(text)


def _has(document: SearchDocument, term, title_only: bool = False) -> bool:
    words = analysed_words(" ".join(term.words))
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


def expected_facets(documents: list[SearchDocument]) -> dict[str, dict[str, int]]:
    counts = {name: Counter() for name in FACET_FIELDS}
    for document in documents:
        counts["outlet"][document.outlet_slug] += 1
        counts["tag"].update(document.tag_slugs)
        counts["region"].update(str(region) for region in document.region_ids)
        counts["year"][str(document.year)] += 1
    return {name: dict(counter) for name, counter in counts.items()}


def build_archive(index_dir: Path) -> tuple[SearchBackend, Archive]:
    """A Whoosh index written in several commits (several segments), with updates and
    deletions after the first, and the oracle of what it holds."""
    rng = random.Random(2017)
    backend = SearchBackend(index_dir=index_dir, writer_timeout=10)
    archive = Archive()
    for first in range(1, 241, 60):
        archive.apply(
            backend, [random_document(rng, article_id) for article_id in range(first, first + 60)]
        )
    archive.apply(backend, [random_document(rng, article_id) for article_id in range(5, 40, 3)])
    archive.apply(backend, deletions=range(100, 130))
    return backend, archive


def oracle_requests() -> Iterator[SearchRequest]:
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
