"""The one FilterSet every article list uses: outlet, tag, place, date range and language.

Its state lives in the query string (``?outlet=rudaw&region=syria&since=2017-08-01``), so a
filtered list can be bookmarked, shared and paged. Places and tags may be given by slug or
by name ("Deir ez-Zor"); a place includes everything inside it.

A value that cannot be read (an outlet, tag or place that does not exist, a date or a
language tag that is not one) is an error naming it, which the browse pages show by its
field and the API answers as a 400. A language is a range (RFC 4647 basic filtering):
"en" lists "en", "en-us" and "en-gb", "en-us" only "en-us" (archive.languages). A
well-formed language tag that no article has is no error: it lists nothing, as a date range
with no articles in it does.
"""

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.text import slugify

from archive.languages import in_language_range, validate_language_tag
from archive.models import Article, Outlet, Region, Tag

# What the browse pages, the API and search call the thing each filter names, in the error
# for a value that names none (unknown_value): one word each, so that all of them say it alike.
FILTER_NOUNS = {"outlet": "outlet", "tag": "tag", "region": "place"}

# What a slug may hold (SlugField(allow_unicode=True) checks the same): a value that could
# not be a slug is not looked for among old slugs, which costs two queries a slug.
_SLUG = re.compile(r"[-\w]+")


def outlets_named(values: Sequence[str]) -> dict[str, Outlet]:
    """Each value that names an outlet, with the outlet: by its slug (as given, or as
    slugify writes the value), else by its name in any case. One query for them all."""
    return _named_by_slug_or_name(Outlet.objects.all(), values, slugify)


def tags_named(values: Sequence[str]) -> dict[str, Tag]:
    """Each value that names a tag, with the tag: by its slug (as given, or as slugify
    writes the value), else by a slug it had before a rename or a merge
    (``Tag.objects.resolving``), else by its name in any case. A slug, live or old, comes
    before a name: a bookmarked filter leads where the tag's page at that slug does.

    The one reading of a tag value, for the browse pages, the API and search alike: one
    query for the live slugs and names, and two for each old slug looked for."""
    return _named_by_slug_or_name(
        Tag.objects.all(),
        values,
        lambda value: slugify(value, allow_unicode=True),
        old_slug=lambda slug: Tag.objects.resolving(slug).first(),
    )


def tag_named(value: str) -> Tag | None:
    """The tag a reader means by a slug or a name (``tags_named``), or None."""
    value = value.strip()
    return tags_named([value]).get(value) if value else None


def _named_by_slug_or_name(
    objects: QuerySet,
    values: Sequence[str],
    slug_of: Callable[[str], str],
    old_slug: Callable[[str], Model | None] = lambda slug: None,
) -> dict[str, Model]:
    """Each value naming one of ``objects``: by its live slug, else by what ``old_slug``
    finds for it, else by its name in any case. Live slugs and names in one query."""
    if not values:
        return {}
    slugs_of = {
        value: tuple(dict.fromkeys(s for s in (value, slug_of(value)) if _SLUG.fullmatch(s)))
        for value in values
    }
    names = Q()
    for value in values:
        names |= Q(name__iexact=value)
    slugs = list(dict.fromkeys(slug for value_slugs in slugs_of.values() for slug in value_slugs))
    found = list(objects.filter(Q(slug__in=slugs) | names))
    by_slug = {found_one.slug: found_one for found_one in found}
    by_name = {found_one.name.casefold(): found_one for found_one in found}
    named = {}
    for value, value_slugs in slugs_of.items():
        # Each lookup only when the one before found nothing: old slugs cost queries.
        if found_one := (
            next((by_slug[slug] for slug in value_slugs if slug in by_slug), None)
            or next(filter(None, map(old_slug, value_slugs)), None)
            or by_name.get(value.casefold())
        ):
            named[value] = found_one
    return named


def in_region(articles: QuerySet, region: Region) -> QuerySet:
    """Articles covering the region or any place inside it, each once.

    One uncorrelated subquery (the article ids of the subtree's places, a range on the
    indexed path joined to the article-region table), which both databases run once: an
    EXISTS per article re-ran the subtree for every row on SQLite.
    """
    inside = Region.objects.subtree_of(region)
    covering = Article.regions.through.objects.filter(region__in=inside).values("article_id")
    return articles.filter(id__in=covering)


def published_on_or_after(day: date) -> datetime:
    # Dates are UTC days: a date printed without a time is stored as midnight UTC.
    return datetime.combine(day, time.min, tzinfo=UTC)


def published_before_end_of(day: date) -> datetime:
    return published_on_or_after(day + timedelta(days=1))


class _DateInput(forms.DateInput):
    input_type = "date"


class NamedObjectField(forms.CharField):
    """A slug or a name, cleaned to the object it names (``find``); one that names nothing
    is an error saying so, rather than a filter that quietly matches no article."""

    def __init__(self, *, find: Callable[[str], Model | None], noun: str, **kwargs):
        super().__init__(**kwargs)
        self.find, self.noun = find, noun

    def clean(self, value) -> Model | None:
        text = super().clean(value)
        if not text:
            return None
        found = self.find(text)
        if found is None:
            raise unknown_value(self.noun, text)
        return found


def unknown_value(noun: str, value: str) -> ValidationError:
    """The error for a filter value that names no outlet, tag or place: the browse pages',
    the API's and search's alike."""
    return ValidationError(
        'There is no %(noun)s "%(value)s".', code="unknown", params={"noun": noun, "value": value}
    )


class NamedObjectFilter(django_filters.CharFilter):
    # A CharFilter still: the API's schema describes the parameter as a string.
    field_class = NamedObjectField


class ArticleFilter(django_filters.FilterSet):
    outlet = django_filters.ModelChoiceFilter(
        queryset=Outlet.objects.all(),
        to_field_name="slug",
        empty_label="Any outlet",
        error_messages={"invalid_choice": f'There is no {FILTER_NOUNS["outlet"]} "%(value)s".'},
    )
    tag = NamedObjectFilter(
        method="filter_tag",
        find=tag_named,
        noun=FILTER_NOUNS["tag"],
        label="Tag",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Any tag"}),
    )
    region = NamedObjectFilter(
        method="filter_region",
        find=Region.objects.named,
        noun=FILTER_NOUNS["region"],
        label="Place",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Anywhere"}),
    )
    since = django_filters.DateFilter(method="filter_since", label="From", widget=_DateInput)
    until = django_filters.DateFilter(method="filter_until", label="To", widget=_DateInput)
    # A code ("en", "ar") rather than a list of the languages in use: listing them would
    # cost every page a scan of the articles. A range: "en" lists "en-us" too.
    language = django_filters.CharFilter(
        method="filter_language",
        validators=[validate_language_tag],
        label="Language",
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. en", "size": 6, "maxlength": 16, "autocapitalize": "off"}
        ),
    )

    class Meta:
        model = Article
        fields = ["outlet", "tag", "region", "since", "until", "language"]

    def filter_tag(self, queryset: QuerySet, name: str, tag: Tag) -> QuerySet:
        return queryset.filter(tags=tag)

    def filter_region(self, queryset: QuerySet, name: str, region: Region) -> QuerySet:
        return in_region(queryset, region)

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Only a value the field's validator passed gets here (django-filter filters on the
        # form's cleaned data), so it holds no LIKE wildcard.
        return queryset.filter(in_language_range(value, name))

    def filter_since(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(published_at__gte=published_on_or_after(value))

    def filter_until(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(published_at__lt=published_before_end_of(value))

    @property
    def is_filtering(self) -> bool:
        """Whether the reader narrowed the list (a page number alone does not)."""
        data = self.form.cleaned_data if self.form.is_bound and self.is_valid() else {}
        return any(value not in (None, "") for value in data.values())
