"""The public read API: articles, search, tags, regions, outlets, and posting a comment.

Thin views over what the site already does: ArticleFilter (browse pages), search.service
(portal), moderation.services with moderation.forms.CommentForm (the comment form).
"""

import csv
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from api import serializers
from api.conditional import ConditionalGetMixin
from api.ids import ID_PARAMETER
from api.throttling import AnonymousClientThrottle, CommentThrottle
from archive.filters import ArticleFilter
from archive.models import Article, Outlet, Region, Tag
from archive.sanitise import marked_text_html
from moderation.addresses import ip_hash_for
from moderation.forms import CommentForm, issue_form_stamp
from moderation.services import CommentRefused, submit_comment
from search import service
from search.backends.base import SearchBackendError
from search.forms import MAX_PAGE, SearchForm, SearchParams

SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="The portal's query language."),
    OpenApiParameter("outlet", str, many=True),
    OpenApiParameter("tag", str, many=True),
    OpenApiParameter("region", str, many=True),
    OpenApiParameter("language", str),
    OpenApiParameter("since", OpenApiTypes.DATE),
    OpenApiParameter("until", OpenApiTypes.DATE),
    OpenApiParameter("sort", str, enum=["relevance", "newest", "oldest"]),
    OpenApiParameter("page", int),
]


# The answers other than success, in the schema too: schemathesis holds every response to it.
ERROR = serializers.ErrorSerializer
THROTTLED = {429: OpenApiResponse(ERROR, description="Too many requests; see Retry-After.")}
NOT_FOUND = {404: OpenApiResponse(ERROR, description="No such object, or a cursor not ours.")}
INVALID = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="Invalid input: the errors, by field (or detail)."
    )
}
UNAVAILABLE = {503: OpenApiResponse(ERROR, description="Search is down; see Retry-After.")}


class SearchUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Search is unavailable right now; try again in a minute."


class NewestFirst(CursorPagination):
    ordering = ("-published_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        return super().get_page_size(request) or settings.ARTICLES_PER_PAGE


class BySlug(CursorPagination):
    ordering = "slug"
    page_size = 100


@extend_schema(responses={200: serializers.IndexSerializer, **THROTTLED})
class Index(ConditionalGetMixin, APIView):
    """The API's front door: a link to each endpoint (URL names as the serializer's fields),
    so /api/ answers what there is rather than a 404."""

    def get(self, request):
        names = serializers.IndexSerializer().fields
        links = {name: reverse(f"api:{name}", request=request) for name in names}
        return Response(serializers.IndexSerializer(links).data)


@extend_schema(responses={200: serializers.ArticleSerializer, **INVALID, **NOT_FOUND, **THROTTLED})
class ArticleList(ConditionalGetMixin, generics.ListAPIView):
    """Published articles, newest first, with the browse pages' filters.

    An ETag and no Last-Modified: an article withdrawn or deleted leaves the list with no
    newer date in it, so a date would answer 304 to a list that changed.
    """

    serializer_class = serializers.ArticleSerializer
    pagination_class = NewestFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter

    def get_queryset(self):
        return Article.objects.published().for_listing()


@extend_schema(
    parameters=[ID_PARAMETER],
    responses={200: serializers.ArticleDetailSerializer, **NOT_FOUND, **THROTTLED},
)
class ArticleDetail(ConditionalGetMixin, generics.RetrieveAPIView):
    serializer_class = serializers.ArticleDetailSerializer

    def get_queryset(self):
        return (
            Article.objects.published()
            .for_listing()
            .prefetch_related("tags", Prefetch("regions", Region.objects.order_by("name")))
        )

    def get_object(self) -> Article:
        # Asked for the body and again for last_modified: the article (with its tags and
        # places) is read once. A view instance serves one request.
        if not hasattr(self, "_article"):
            self._article = super().get_object()
        return self._article

    def last_modified(self) -> datetime:
        """The article's updated_at, which every change to it moves (a save, and
        archive.curation's bulk changes: status, comments, tags, places, a tag's new name
        or slug), or the latest updated_at of its outlet and the places it shows, if later:
        an editor's change to an outlet's or a place's name or slug changes this answer, not
        the article. Read from what the body was made of: no query."""
        article = self.get_object()
        shown = [article.outlet, *article.regions.all(), article.dateline_region]
        return max([article.updated_at, *(other.updated_at for other in shown if other)])


@extend_schema(responses={200: serializers.TagSerializer, **NOT_FOUND, **THROTTLED})
class TagList(ConditionalGetMixin, generics.ListAPIView):
    serializer_class = serializers.TagSerializer
    pagination_class = BySlug
    queryset = Tag.objects.all()


@extend_schema(responses={200: serializers.OutletSerializer, **NOT_FOUND, **THROTTLED})
class OutletList(ConditionalGetMixin, generics.ListAPIView):
    serializer_class = serializers.OutletSerializer
    pagination_class = BySlug
    queryset = Outlet.objects.all()


@extend_schema(responses={200: serializers.RegionTreeSerializer, **THROTTLED})
class RegionTree(ConditionalGetMixin, generics.ListAPIView):
    """Continents with their countries; a region's own page has its children."""

    serializer_class = serializers.RegionTreeSerializer
    pagination_class = None

    def get_queryset(self):
        countries = Region.objects.filter(kind=Region.Kind.COUNTRY).order_by("name")
        return Region.objects.filter(kind=Region.Kind.CONTINENT).prefetch_related(
            Prefetch("children", countries, to_attr="countries")
        )


@extend_schema(
    parameters=[ID_PARAMETER],
    responses={200: serializers.RegionSerializer, **NOT_FOUND, **THROTTLED},
)
class RegionDetail(ConditionalGetMixin, generics.RetrieveAPIView):
    serializer_class = serializers.RegionSerializer
    queryset = Region.objects.all()


class ApiSearchForm(SearchForm):
    """The portal's search form under the API's names: a date range is ``since`` and
    ``until``, as for /api/articles/."""

    PARAMETER_NAMES = {"date_from": "since", "date_to": "until"}


def api_search_params(query) -> SearchParams:
    """What an API client asked; a value that cannot be read is a 400 naming it (the portal
    falls back to defaults for a reader's hand-edited address; a program should hear)."""
    form = ApiSearchForm(query)
    if not form.is_valid():
        raise ValidationError(
            {form.add_prefix(name): errors for name, errors in form.errors.items()}
        )
    params = form.params()
    if params.page > MAX_PAGE:  # the form takes one past it, for the portal to say so
        raise ValidationError({"page": [f"Ensure this value is at most {MAX_PAGE}."]})
    return params


class Search(ConditionalGetMixin, APIView):
    """The portal's search: the same query language, filters, facets, highlights and
    suggestion."""

    @extend_schema(
        parameters=SEARCH_PARAMETERS,
        responses={
            200: serializers.SearchResultsSerializer,
            **INVALID,
            **THROTTLED,
            **UNAVAILABLE,
        },
    )
    def get(self, request):
        params = api_search_params(request.query_params)
        try:
            page = service.search(params.search_request(page_size=settings.ARTICLES_PER_PAGE))
        except SearchBackendError as error:
            raise SearchUnavailable() from error
        results = page.results
        data = {
            "total": results.total,
            "total_is_estimate": results.total_is_estimate,
            "facets_are_estimates": results.facets_are_estimates,
            "page": params.page,
            "suggestion": results.suggestion or None,
            "hits": [
                {
                    "article": article,
                    "score": hit.score,
                    # As the portal shows them: escaped text, nothing but <mark> as markup.
                    "title_html": str(marked_text_html(hit.title_html)),
                    "snippet_html": str(marked_text_html(hit.snippet_html)),
                }
                for hit, article in page.hits
            ],
            "facets": page.facets,
        }
        context = {"request": request}
        return Response(serializers.SearchResultsSerializer(data, context=context).data)


class SearchExport(APIView):
    """A search's results as CSV, best first, up to SEARCH_EXPORT_LIMIT rows."""

    @extend_schema(
        parameters=SEARCH_PARAMETERS[:-1],
        responses={(200, "text/csv"): OpenApiTypes.STR, **INVALID, **THROTTLED, **UNAVAILABLE},
    )
    def get(self, request):
        return search_results_csv(request, api_search_params(request.query_params))


# A cell starting with one of these is a formula to a spreadsheet ("=HYPERLINK(...)"): it
# gets a leading apostrophe, which spreadsheets show as text (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def search_results_csv(request, params: SearchParams) -> HttpResponse:
    """Shared by the API and the portal's "Download CSV" link. Titles, datelines and outlet
    names come from the sources we ingest: no cell of theirs may run as a formula."""
    limit = settings.SEARCH_EXPORT_LIMIT
    search = params.search_request(page_size=limit, page=1, facets=False)
    try:
        page = service.search(search)
    except SearchBackendError as error:
        raise SearchUnavailable() from error
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search-results.csv"'
    writer = csv.writer(response)
    writer.writerow(["title", "outlet", "published_at", "dateline", "language", "url"])
    for _hit, article in page.hits:
        row = [
            article.title,
            article.outlet.name,
            article.published_at.isoformat(),
            article.dateline,
            article.language,
            request.build_absolute_uri(article.get_absolute_url()),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


class CommentStamp(APIView):
    """The signed stamp a comment must carry: fetch it, then post no sooner than
    COMMENT_MIN_SECONDS later (as the comment form's readers do)."""

    @extend_schema(
        parameters=[ID_PARAMETER],
        responses={200: serializers.CommentStampSerializer, **NOT_FOUND, **THROTTLED},
    )
    def get(self, request, pk: int):
        article = get_object_or_404(Article.objects.published(), pk=pk)
        return Response({"stamp": issue_form_stamp(article)})


class PostComment(APIView):
    """Post a comment: every rule of the comment form, then held for moderation.

    No CSRF token, on purpose. CSRF stops another site from using a visitor's cookies; this
    endpoint reads none (no authentication at all, so a signed-in visitor posts as anyone
    does) and CORS lets no other origin read its answers unless configured. What it takes
    is what a script could send from anywhere, and what guards the form's page guards it
    here: the signed stamp (fetched first, too fresh or too old refused, one article's
    only), the honeypot, the form's field rules, closed and withdrawn articles, the repeat
    check and the rate limits per address and per e-mail (moderation.services), screening,
    and the hold for moderation; on top of those, the API's throttles per address.
    """

    authentication_classes = []
    throttle_classes = [AnonymousClientThrottle, CommentThrottle]

    @extend_schema(
        parameters=[ID_PARAMETER],
        request=serializers.CommentSubmissionSerializer,
        responses={
            202: serializers.CommentReceivedSerializer,
            **INVALID,
            403: OpenApiResponse(ERROR, description="Comments are closed on this article."),
            **NOT_FOUND,
            429: OpenApiResponse(ERROR, description="Too many comments from this address."),
        },
    )
    def post(self, request, pk: int):
        article = get_object_or_404(Article.objects.published(), pk=pk)
        submitted = serializers.CommentSubmissionSerializer(data=request.data)
        submitted.is_valid(raise_exception=True)
        form = CommentForm(submitted.validated_data, article=article)
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        try:
            submit_comment(
                article=article,
                **form.submission(),
                ip_hash=ip_hash_for(request),
                honeypot_filled=form.honeypot_filled,
            )
        except CommentRefused as refusal:
            return Response({"detail": refusal.message}, status=refusal.status_code)
        # A bot that filled the honeypot hears the same: nothing tells it it was caught.
        return Response(
            {"detail": "Thank you: your comment is held for moderation."},
            status=status.HTTP_202_ACCEPTED,
        )
