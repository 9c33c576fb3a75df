"""What the API shows of each thing: never a commenter's e-mail or address hash."""

from rest_framework import serializers

from archive.models import Article, Outlet, Region, Tag


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "slug", "homepage", "country", "language"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug"]


class RegionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "slug", "kind", "country_code"]


class RegionSerializer(RegionSummarySerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    ancestors = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    class Meta(RegionSummarySerializer.Meta):
        fields = [*RegionSummarySerializer.Meta.fields, "parent", "ancestors", "children"]

    def get_ancestors(self, region: Region) -> list[dict]:
        # Root first, the region itself excluded: its breadcrumbs.
        return RegionSummarySerializer(region.ancestors(), many=True).data

    def get_children(self, region: Region) -> list[dict]:
        return RegionSummarySerializer(region.children.order_by("name"), many=True).data


class RegionTreeSerializer(RegionSummarySerializer):
    """A continent with its countries (the tree's top two levels; deeper, ask by id)."""

    children = RegionSummarySerializer(many=True, source="countries")

    class Meta(RegionSummarySerializer.Meta):
        fields = [*RegionSummarySerializer.Meta.fields, "children"]


class ArticleSerializer(serializers.ModelSerializer):
    outlet = OutletSerializer()
    dateline_region = RegionSummarySerializer(allow_null=True)
    url = serializers.SerializerMethodField()
    # The list keeps syndicated copies (a data feed): this says which article a copy is of,
    # so a client can show a story once as the browse pages do.
    near_duplicate_of = serializers.IntegerField(
        source="near_duplicate_of_id",
        allow_null=True,
        read_only=True,
        help_text="The id of the first copy when this is a syndicated copy of it, else null.",
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "slug",
            "url",
            "canonical_url",
            "outlet",
            "published_at",
            "published_time_known",
            "dateline",
            "dateline_region",
            "summary",
            "language",
            "updated_at",
            "near_duplicate_of",
        ]

    def get_url(self, article: Article) -> str:
        return self.context["request"].build_absolute_uri(article.get_absolute_url())


class ArticleDetailSerializer(ArticleSerializer):
    tags = TagSerializer(many=True)
    regions = RegionSummarySerializer(many=True)
    body = serializers.CharField()
    comments_open = serializers.BooleanField()

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "tags", "regions", "comments_open"]


class IndexSerializer(serializers.Serializer):
    """Where a client starts: every endpoint that takes no id (the ones that do are linked
    from these), the schema and its docs page."""

    articles = serializers.URLField()
    search = serializers.URLField()
    search_export = serializers.URLField()
    tags = serializers.URLField()
    outlets = serializers.URLField()
    regions = serializers.URLField()
    schema = serializers.URLField(help_text="The OpenAPI 3 schema of every endpoint.")
    docs = serializers.URLField(help_text="The schema as a page to read and try (Swagger UI).")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class CommentSubmissionSerializer(serializers.Serializer):
    """The comment form's fields; moderation.forms.CommentForm checks them (every rule)."""

    author_name = serializers.CharField(max_length=80)
    author_email = serializers.EmailField()
    body = serializers.CharField()
    website = serializers.CharField(required=False, allow_blank=True, help_text="Leave empty.")
    stamp = serializers.CharField(help_text="From GET .../comments/stamp/, a few seconds old.")


class CommentStampSerializer(serializers.Serializer):
    stamp = serializers.CharField()


class CommentReceivedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class HitSerializer(serializers.Serializer):
    article = ArticleSerializer()
    score = serializers.FloatField()
    title_html = serializers.CharField(help_text="Escaped, with <mark> around matches.")
    snippet_html = serializers.CharField(help_text="Escaped, with <mark> around matches.")


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    active = serializers.BooleanField()


class SearchResultsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    total_is_estimate = serializers.BooleanField()
    facets_are_estimates = serializers.BooleanField(
        help_text="The facet counts were counted on a sample of the results and scaled up."
    )
    page = serializers.IntegerField()
    suggestion = serializers.CharField(allow_null=True)
    hits = HitSerializer(many=True)
    facets = serializers.DictField(child=FacetOptionSerializer(many=True))
