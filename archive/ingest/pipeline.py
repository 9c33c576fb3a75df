"""From parsed records to saved articles: dedup, tags and dateline place, a transaction each."""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.saved_page import OutletRules, parse_saved_page
from archive.ingest.tag_line import split_tag_line
from archive.models import Article, Outlet, Tag
from archive.places import known_place_names, resolve_dateline
from archive.text import content_hash, fold

logger = logging.getLogger(__name__)


@dataclass
class IngestReport:
    created: int = 0
    duplicates: int = 0
    errors: list[IngestError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)


def source_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files named, with directories walked in a stable order."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def ingest_paths(
    paths: Iterable[str | Path], on_error: Callable[[IngestError], None] = lambda error: None
) -> IngestReport:
    """Ingest saved pages; a bad file is reported and skipped, never the ones beside it."""
    report = IngestReport()
    for path in source_files(paths):
        try:
            raw = path.read_bytes()
        except OSError as error:
            report.errors.append(IngestError(path, f"cannot read: {error.strerror or error}"))
            on_error(report.errors[-1])
            continue
        try:
            data = parse_saved_page(raw, str(path), rules_for_outlet)
        except IngestError as error:
            report.errors.append(error)
            on_error(error)
            continue
        _, created = save_article(data)
        if created:
            report.created += 1
        else:
            report.duplicates += 1
    return report


def rules_for_outlet(name: str) -> OutletRules:
    outlet = Outlet.objects.filter(name__iexact=name).first()
    if outlet is None:
        return OutletRules()
    return OutletRules(
        day_first=outlet.date_order == Outlet.DateOrder.DAY_FIRST,
        time_zone=outlet.time_zone,
        boilerplate=frozenset(outlet.boilerplate_lines),
    )


@transaction.atomic
def save_article(data: ArticleData) -> tuple[Article, bool]:
    """Save one article unless the archive has it already; returns it and whether it is new."""
    if data.canonical_url:
        existing = Article.objects.filter(canonical_url=data.canonical_url).first()
        if existing:
            return existing, False
    duplicate = Article.objects.filter(content_hash=content_hash(data.title, data.body)).first()
    if duplicate:
        return duplicate, False

    outlet = outlet_named(data.outlet_name)
    article = Article(
        outlet=outlet,
        title=data.title,
        canonical_url=data.canonical_url,
        published_at=data.published_at,
        published_time_known=data.published_time_known,
        body=data.body,
        summary=data.summary,
        language=data.language or outlet.language,
        source=data.source,
        extra=data.extra,
    )
    if data.dateline:
        article.dateline = data.dateline.printed
        article.dateline_place = data.dateline.place
        article.dateline_qualifier = data.dateline.qualifier
        article.dateline_agency = data.dateline.agency
        article.dateline_region = resolve_dateline(data.dateline, outlet.country)
    article.save()

    tag_names = data.tags or split_tag_line(data.unseparated_tags, known_tag_or_place_names)
    article.tags.set(tags_named(tag_names))
    return article, True


def outlet_named(name: str) -> Outlet:
    outlet = Outlet.objects.filter(name__iexact=name).first()
    if outlet:
        return outlet
    return Outlet.objects.create(name=name, slug=_unique_slug(Outlet, name))


def tags_named(names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip()[:100] for n in names if n.strip()):
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=_unique_slug(Tag, name))
        tags.append(tag)
    return tags


def known_tag_or_place_names(phrases: set[str]) -> set[str]:
    """The folded forms of the phrases that are an existing tag or a place's own name."""
    if not phrases:
        return set()
    tag_names = Tag.objects.filter(
        reduce(or_, (Q(name__iexact=phrase) for phrase in phrases))
    ).values_list("name", flat=True)
    return {fold(name) for name in tag_names} | known_place_names(
        map(fold, phrases), primary_only=True
    )


def _unique_slug(model: type[Outlet] | type[Tag], name: str) -> str:
    base = slugify(name, allow_unicode=True)[:90] or model.__name__.lower()
    slug, suffix = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug
