"""Article, outlet and tag paths written around the slug are the paths reverse() writes,
for any slug (or reverse()'s own NoReverseMatch), under any script prefix."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from archive.paths import article_path, outlet_path, tag_path
from tests.properties.strategies import BOUNDED, hostile_text

slugs = st.one_of(
    st.sampled_from(["deir-ez-zor", "rudaw_english", "2017", "دير-الزور", "a/b", "", "%41"]),
    st.text(alphabet="abcé-_/%?#&+ :@~!$'()*,;=", max_size=12),
    hostile_text.filter(lambda text: not any("\ud800" <= ch <= "\udfff" for ch in text)),
)


def reversed_or_refused(view_name: str, slug: str) -> str:
    try:
        return reverse(view_name, kwargs={"slug": slug})
    except NoReverseMatch:
        return "NoReverseMatch"


def written_or_refused(path, slug: str) -> str:
    try:
        return path(slug)
    except NoReverseMatch:
        return "NoReverseMatch"


@pytest.mark.parametrize("prefix", ["/", "/dateline/"])
@BOUNDED
@given(slug=slugs)
def test_paths_are_the_ones_reverse_writes(prefix, slug):
    set_script_prefix(prefix)
    try:
        for view_name, path in [
            ("archive:article", article_path),
            ("archive:outlet", outlet_path),
            ("archive:tag", tag_path),
        ]:
            assert written_or_refused(path, slug) == reversed_or_refused(view_name, slug)
    finally:
        set_script_prefix("/")


def test_paths_follow_a_change_of_url_configuration(settings):
    assert article_path("deir-ez-zor") == "/articles/deir-ez-zor/"  # remembered
    settings.ROOT_URLCONF = "tests.mounted_urls"
    assert article_path("deir-ez-zor") == "/news/articles/deir-ez-zor/"
    assert outlet_path("rudaw") == reverse("archive:outlet", kwargs={"slug": "rudaw"})


PAGE_LINKS = [
    "archive:home",
    "archive:regions",
    "archive:tags",
    "archive:outlets",
    "archive:archive_index",
    "search:results",
    "search_export",
]


@pytest.mark.parametrize("prefix", ["/", "/dateline/"])
def test_the_path_tag_writes_what_the_url_tag_writes(prefix, settings):
    set_script_prefix(prefix)
    try:
        for urls in (None, "tests.mounted_urls"):
            if urls:
                settings.ROOT_URLCONF = urls
            for view_name in PAGE_LINKS:
                written = Template(f'{{% load paths %}}{{% path "{view_name}" %}}').render(
                    Context()
                )
                assert written == Template(f"{{% url '{view_name}' %}}").render(Context())
    finally:
        set_script_prefix("/")
