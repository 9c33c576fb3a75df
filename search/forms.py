"""The search portal's GET parameters, read leniently and written back into links.

Everything a search is lives in its URL, so it can be bookmarked and shared. A value that
cannot be read (``page=abc``, ``from=notadate``, ``sort=xyz``) falls back to its default
instead of becoming an error page. A filter value that names no outlet, tag or place is
kept, matching nothing, and the page says so; the API answers either as a 400.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import quote_plus, urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model

from archive.filters import FILTER_NOUNS, outlets_named, tags_named, unknown_value
from archive.languages import validate_language_tag
from archive.paths import view_path
from search import service
from search.backends.base import SearchRequest, Sort
from search.query import MAX_QUERY_LENGTH, parse_query

MAX_PAGE = 100  # deeper than anyone reads; bounds the work one request can ask for
MAX_FILTER_VALUES = 20
MAX_FILTER_LENGTH = 200
# Far enough apart for any archive, near enough that adding a day to either end stays a date.
EARLIEST_DATE, LATEST_DATE = date(1000, 1, 1), date(9998, 12, 31)

SORT_CHOICES = [
    (Sort.RELEVANCE.value, "Relevance"),
    (Sort.NEWEST.value, "Newest first"),
    (Sort.OLDEST.value, "Oldest first"),
]
FILTER_KINDS = ("outlet", "tag", "region")


class ValueListField(forms.Field):
    """A repeatable parameter (``?tag=a&tag=b``): its non-blank values, each once, in order."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> tuple[str, ...]:
        values = (_printable(v).strip()[:MAX_FILTER_LENGTH] for v in value or ())
        return tuple(dict.fromkeys(v for v in values if v))[:MAX_FILTER_VALUES]


def _printable(text: str) -> str:
    # Control characters (NUL above all) are refused by PostgreSQL; nobody means them.
    return "".join(ch for ch in str(text) if ch.isprintable())


def _date_field() -> forms.DateField:
    return forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)],
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False)
    outlet = ValueListField(required=False)
    tag = ValueListField(required=False)
    region = ValueListField(required=False)
    language = forms.CharField(
        required=False,
        max_length=16,
        validators=[validate_language_tag],
    )
    date_from = _date_field()
    date_to = _date_field()
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1)

    # "from" is a Python keyword, so these fields read (and render as) other parameter names.
    PARAMETER_NAMES = {"date_from": "from", "date_to": "to"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each filter's values, known or not, with what each names (None: nothing): read
        # once here, and handed on to the search (SearchParams.resolved).
        self.named: dict[str, dict[str, Model | None]] = {}

    def add_prefix(self, field_name: str) -> str:
        return super().add_prefix(self.PARAMETER_NAMES.get(field_name, field_name))

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH]

    def clean_page(self) -> int | None:
        # Past the deepest page shown is past the last page (that page says so and links
        # back), not page 1; and it asks the engine for no deeper a page than one past it.
        page = self.cleaned_data["page"]
        return min(page, MAX_PAGE + 1) if page else page

    def clean_outlet(self) -> tuple[str, ...]:
        return self._naming("outlet", outlets_named)

    def clean_tag(self) -> tuple[str, ...]:
        return self._naming("tag", tags_named)

    def clean_region(self) -> tuple[str, ...]:
        """Each place as its slug, whichever way the address names it, so that every link
        the page writes (facets and their removal, pages, feed, CSV, the form's own hidden
        fields) says the place as the browse pages and the API do. A link shared when search
        links used ids still works, and leads on by slug."""
        return self._naming("region", service.regions_named, as_slugs=True)

    def _naming(
        self,
        kind: str,
        named_by: Callable[[Sequence[str]], Mapping[str, Model]],
        *,
        as_slugs: bool = False,
    ) -> tuple[str, ...]:
        """The filter's values (a place's as the slug it names); each that names nothing is an
        error naming it, as in the browse pages' filters. The API answers it as a 400. The
        portal searches with the value all the same, where it matches nothing (params keeps
        it: ``named``), and says so: a filter parameter is the reader's link or a script's
        address, and an unknown outlet, tag or place there is a mistake to tell of."""
        values = self.cleaned_data[kind]
        named = named_by(values)
        self.named[kind] = {
            named[value].slug if as_slugs and value in named else value: named.get(value)
            for value in values
        }
        if unknown := [value for value in values if value not in named]:
            raise ValidationError([unknown_value(FILTER_NOUNS[kind], value) for value in unknown])
        return tuple(self.named[kind])

    def params(self) -> "SearchParams":
        """What was asked, each value that could not be read replaced by its default, but a
        filter value that names nothing, which is kept (it matches nothing)."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that were valid
        named = {kind: self.named.get(kind, {}) for kind in FILTER_KINDS}
        return SearchParams(
            q=data.get("q") or "",
            outlets=tuple(named["outlet"]),
            tags=tuple(named["tag"]),
            regions=tuple(named["region"]),
            language=(data.get("language") or "").lower(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or "",
            page=data.get("page") or 1,
            resolved=service.ResolvedFilters(named["outlet"], named["tag"], named["region"]),
        )


_MARK = "\x00mark"  # where a value goes (no value from a form holds a NUL)
_ANY_YEAR = 2000  # urls_for_years encodes for_year(_ANY_YEAR), then writes each year's dates


@dataclass(frozen=True)
class _Around:
    """A search's URL encoded once around the pairs its links change."""

    path: str
    before: str
    after: str

    def url(self, pairs: str) -> str:
        return f"{self.path}?{'&'.join(filter(None, (self.before, pairs, self.after)))}"


@dataclass(frozen=True)
class SearchParams:
    """One search as its URL holds it; the ``with_``/``without_`` methods give the search a
    link leads to, so every link keeps whatever it does not change."""

    q: str = ""
    outlets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    language: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = ""  # "": the default for the query (see effective_sort)
    page: int = 1
    # What the form found its filter values to name, so that the search does not look them
    # up again. Not part of the search a link says: links compare and print without it.
    resolved: service.ResolvedFilters = field(
        default_factory=service.ResolvedFilters, compare=False, repr=False
    )

    @property
    def has_filters(self) -> bool:
        return bool(
            self.outlets
            or self.tags
            or self.regions
            or self.language
            or self.date_from
            or self.date_to
        )

    @property
    def is_blank(self) -> bool:
        """Nothing asked yet: no query and no filter."""
        return not self.q.strip() and not self.has_filters

    @property
    def effective_sort(self) -> str:
        """Relevance when there are words to rank by, otherwise newest first."""
        if self.sort:
            return self.sort
        return Sort.RELEVANCE.value if parse_query(self.q).has_text else Sort.NEWEST.value

    @property
    def year(self) -> str | None:
        """The year the date range covers, when it covers exactly one whole year."""
        start, end = self.date_from, self.date_to
        if start and end and start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
            return str(start.year)
        return None

    def values(self, kind: str) -> tuple[str, ...]:
        return {"outlet": self.outlets, "tag": self.tags, "region": self.regions}[kind]

    # The searches links lead to (each starts again at page 1, except on_page)

    def with_value(self, kind: str, value: str) -> "SearchParams":
        return self._with_values(kind, (*self.values(kind), value))

    def without_value(self, kind: str, value: str) -> "SearchParams":
        return self._with_values(kind, tuple(v for v in self.values(kind) if v != value))

    def _with_values(self, kind: str, values: tuple[str, ...]) -> "SearchParams":
        field_name = {"outlet": "outlets", "tag": "tags", "region": "regions"}[kind]
        return replace(self, **{field_name: tuple(dict.fromkeys(values))}, page=1)

    def for_year(self, year: int) -> "SearchParams":
        return replace(self, date_from=date(year, 1, 1), date_to=date(year, 12, 31), page=1)

    def without_dates(self) -> "SearchParams":
        return replace(self, date_from=None, date_to=None, page=1)

    def without_language(self) -> "SearchParams":
        return replace(self, language="", page=1)

    def without_filters(self) -> "SearchParams":
        return SearchParams(q=self.q, sort=self.sort)

    def with_query(self, q: str) -> "SearchParams":
        return replace(self, q=q, page=1)

    def on_page(self, page: int) -> "SearchParams":
        return replace(self, page=page)

    # Writing it back

    def querystring(self) -> str:
        return urlencode(self._pairs())

    def _pairs(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for kind in FILTER_KINDS:
            pairs.extend((kind, value) for value in self.values(kind))
        if self.language:
            pairs.append(("language", self.language))
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.sort:
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def url(self, view_name: str = "search:results") -> str:
        query = self.querystring()
        return view_path(view_name) + (f"?{query}" if query else "")

    def urls_with_each(self, kind: str, values: Sequence[str]) -> list[str]:
        """``with_value(kind, value).url()`` for each value. A results page links to up to
        sixty such searches, which differ in one pair of the query string: the rest is
        encoded once, around it."""
        own = set(self.values(kind))
        path = view_path("search:results")
        marked = self._with_values(kind, (*self.values(kind), _MARK))._pairs()
        at = marked.index((kind, _MARK))
        around = _Around(path, urlencode(marked[:at]), urlencode(marked[at + 1 :]))
        return [
            self.with_value(kind, value).url()  # already there: the link removes duplicates
            if value in own
            else around.url(f"{kind}={quote_plus(value)}")  # as urlencode writes the pair
            for value in values
        ]

    def urls_for_years(self, years: Sequence[int]) -> list[str]:
        """``for_year(year).url()`` for each year (1 to 9999): the year facet's links differ
        in their two dates only, and the rest of the query string is encoded once."""
        path = view_path("search:results")
        pairs = self.for_year(_ANY_YEAR)._pairs()
        at = pairs.index(("from", date(_ANY_YEAR, 1, 1).isoformat()))
        around = _Around(path, urlencode(pairs[:at]), urlencode(pairs[at + 2 :]))
        return [around.url(f"from={y:04d}-01-01&to={y:04d}-12-31") for y in years]

    def feed_url(self) -> str:
        """The Atom feed of this search's newest hits (it sorts and pages for itself)."""
        return replace(self, sort="", page=1).url("search:feed")

    def export_url(self) -> str:
        """This search's results as CSV (best first, from the first: it pages for itself)."""
        return replace(self, page=1).url("search_export")

    def search_request(self, *, page_size: int, **overrides) -> SearchRequest:
        arguments = {
            "outlets": self.outlets,
            "tags": self.tags,
            "regions": self.regions,
            "languages": (self.language,) if self.language else (),
            "date_from": self.date_from,
            "date_to": self.date_to,
            "sort": self.effective_sort,
            "page": self.page,
            "page_size": page_size,
            "resolved": self.resolved,
        }
        return service.build_request(self.q, **{**arguments, **overrides})
