"""The public read API: articles, search, tags, regions, outlets, and posting a comment.

Thin views over what the site already does: ArticleFilter (browse pages), search.service
(portal), moderation.services with moderation.forms.CommentForm (the comment form).
"""

import csv

from django.conf import settings
from django.db.models import Max, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from api import serializers
from api.conditional import ConditionalGetMixin
from archive.filters import ArticleFilter
from archive.models import Article, Outlet, Region, Tag
from archive.sanitise import marked_text_html
from moderation.addresses import ip_hash_for
from moderation.forms import CommentForm, issue_form_stamp
from moderation.services import CommentRefused, submit_comment
from search import service
from search.backends.base import SearchBackendError
from search.forms import SearchForm

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


class ArticleList(ConditionalGetMixin, generics.ListAPIView):
    """Published articles, newest first, with the browse pages' filters."""

    serializer_class = serializers.ArticleSerializer
    pagination_class = NewestFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def last_modified(self):
        articles = self.filter_queryset(self.get_queryset())
        return articles.order_by().aggregate(latest=Max("updated_at"))["latest"]


class ArticleDetail(ConditionalGetMixin, generics.RetrieveAPIView):
    serializer_class = serializers.ArticleDetailSerializer

    def get_queryset(self):
        return (
            Article.objects.published()
            .for_listing()
            .prefetch_related("tags", Prefetch("regions", Region.objects.order_by("name")))
        )

    def last_modified(self):
        return self.get_object().updated_at


class TagList(ConditionalGetMixin, generics.ListAPIView):
    serializer_class = serializers.TagSerializer
    pagination_class = BySlug
    queryset = Tag.objects.all()


class OutletList(ConditionalGetMixin, generics.ListAPIView):
    serializer_class = serializers.OutletSerializer
    pagination_class = BySlug
    queryset = Outlet.objects.all()


class RegionTree(ConditionalGetMixin, generics.ListAPIView):
    """Continents with their countries; a region's own page has its children."""

    serializer_class = serializers.RegionTreeSerializer
    pagination_class = None

    def get_queryset(self):
        countries = Region.objects.filter(kind=Region.Kind.COUNTRY).order_by("name")
        return Region.objects.filter(kind=Region.Kind.CONTINENT).prefetch_related(
            Prefetch("children", countries, to_attr="countries")
        )


class RegionDetail(ConditionalGetMixin, generics.RetrieveAPIView):
    serializer_class = serializers.RegionSerializer
    queryset = Region.objects.all()


class Search(ConditionalGetMixin, APIView):
    """The portal's search: the same query language, filters, facets, highlights and
    suggestion."""

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=serializers.SearchResultsSerializer)
    def get(self, request):
        params = SearchForm(request.query_params).params()
        try:
            page = service.search(params.search_request(page_size=settings.ARTICLES_PER_PAGE))
        except SearchBackendError as error:
            raise SearchUnavailable() from error
        results = page.results
        data = {
            "total": results.total,
            "total_is_estimate": results.total_is_estimate,
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
        parameters=SEARCH_PARAMETERS[:-1], responses={(200, "text/csv"): OpenApiTypes.STR}
    )
    def get(self, request):
        return search_results_csv(request, request.query_params)


def search_results_csv(request, query) -> HttpResponse:
    """Shared by the API and the portal's "Download CSV" link."""
    params = SearchForm(query).params()
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
        writer.writerow(
            [
                spreadsheet_text(article.title),
                spreadsheet_text(article.outlet.name),
                article.published_at.isoformat(),
                spreadsheet_text(article.dateline),
                spreadsheet_text(article.language),
                request.build_absolute_uri(article.get_absolute_url()),
            ]
        )
    return response


# A cell starting with one of these is a formula to a spreadsheet ("=HYPERLINK(...)" in a
# title from a hostile source); a leading apostrophe makes it text (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


class CommentThrottle(AnonRateThrottle):
    scope = "comments"


class CommentStamp(APIView):
    """The signed stamp a comment must carry: fetch it, then post no sooner than
    COMMENT_MIN_SECONDS later (as the comment form's readers do)."""

    @extend_schema(responses=serializers.CommentStampSerializer)
    def get(self, request, pk: int):
        article = get_object_or_404(Article.objects.published(), pk=pk)
        return Response({"stamp": issue_form_stamp(article)})


class PostComment(APIView):
    """Post a comment: every rule of the comment form, then held for moderation."""

    throttle_classes = [CommentThrottle]

    @extend_schema(
        request=serializers.CommentSubmissionSerializer,
        responses={202: serializers.CommentReceivedSerializer},
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
