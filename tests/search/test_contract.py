"""The search contract: every behaviour every backend must have, written once.

Each test runs once per backend available on the test database (see conftest): Whoosh on
SQLite, Whoosh and the PostgreSQL backend on PostgreSQL.
"""

from datetime import date

import nh3
import pytest
from django.db.models import Count

from archive.curation import merge_tags
from archive.models import Article, Region, Tag
from archive.sanitise import MarkedHTML
from search import service
from search.backends.base import SearchRequest, Sort
from search.documents import iter_all_documents
from search.query import DateRange, parse_query
from tests.factories import make_article, make_outlet, make_tag


def find(backend, q: str = "", **filters) -> list[str]:
    """Titles of the hits for a reader's query, in rank order."""
    page = service.search(service.build_request(q, **filters), backend)
    return [article.title for _, article in page.hits]


def total(backend, q: str = "", **filters) -> int:
    return backend.search(service.build_request(q, **filters)).total


# Ranking


def test_a_title_match_outranks_a_body_only_match(backend, sync):
    outlet = make_outlet()
    make_article(
        outlet,
        title="Water shortage in the city",
        body="Officials in Kirkuk said the wells were running dry as summer began early.",
    )
    make_article(
        outlet,
        title="Kirkuk water shortage",
        body="Officials in the city said the wells were running dry as summer began early.",
    )
    sync()
    assert find(backend, "kirkuk") == ["Kirkuk water shortage", "Water shortage in the city"]


def test_a_phrase_matches_only_its_words_in_order(backend, corpus):
    assert find(backend, '"middle euphrates"') == ["Syrian army fights into Deir ez-Zor"]
    assert set(find(backend, "middle euphrates")) == {
        "Syrian army fights into Deir ez-Zor",
        "Offensive on Raqqa enters final phase",
    }


def test_a_phrase_with_a_stop_word_inside_keeps_its_order(backend, corpus):
    assert find(backend, '"old city of raqqa"') == ["Offensive on Raqqa enters final phase"]
    assert find(backend, '"old raqqa"') == []


# Query operators


def test_every_word_must_match(backend, corpus):
    assert find(backend, "raqqa budget") == ["Kurdish parliament votes on budget"]


def test_or_matches_either_word(backend, corpus):
    assert set(find(backend, "baghdad OR lawmakers")) == {
        "Kurdish parliament votes on budget",
        "Budget <script>alert(1)</script> debate",
    }


def test_a_minus_excludes_a_word_or_a_phrase(backend, corpus):
    assert find(backend, "raqqa -budget") == ["Offensive on Raqqa enters final phase"]
    assert find(backend, 'raqqa -"old city"') == ["Kurdish parliament votes on budget"]


def test_title_field_searches_titles_only(backend, corpus):
    assert find(backend, "title:raqqa") == ["Offensive on Raqqa enters final phase"]
    assert find(backend, 'title:"final phase"') == ["Offensive on Raqqa enters final phase"]


def test_words_are_stemmed_and_folded(backend, corpus):
    assert "Syrian army fights into Deir ez-Zor" in find(backend, "fighting")
    assert "Kurdish parliament votes on budget" in find(backend, "VOTE")
    # Accents fold both ways: Déir in the text, Deir in the query, and the reverse.
    assert "Les forces syriennes avancent vers Déir ez-Zor" in find(backend, "deir avancent")
    assert "Syrian army fights into Deir ez-Zor" in find(backend, "déir army")


def test_a_possessive_is_found_by_its_word(backend, sync):
    make_article(
        title="Kirkuk's oil exports resume",
        body="The regime’s forces withdrew from the KURDS' positions overnight.",
    )
    make_article(title="Oil prices", body="A regimen of cuts kept prices steady.")
    sync()
    for query in ("kirkuk", "kirkuk's", "Kirkuk’s", "regime", "regime's", "regime’s"):
        assert find(backend, query) == ["Kirkuk's oil exports resume"], query
    assert find(backend, '"regime’s forces"') == ["Kirkuk's oil exports resume"]
    assert find(backend, "kurds") == ["Kirkuk's oil exports resume"]


def test_stop_words_alone_do_not_empty_a_query(backend, corpus):
    assert find(backend, "the budget") == find(backend, "budget")


# Filters


def test_outlet_filter(backend, corpus):
    assert set(find(backend, "", outlets=["rudaw"])) == {
        "Syrian army fights into Deir ez-Zor",
        "Kurdish parliament votes on budget",
    }
    assert find(backend, "budget outlet:Rudaw") == ["Kurdish parliament votes on budget"]


def test_tag_filter(backend, corpus):
    expected = {
        "Syrian army fights into Deir ez-Zor",
        "Les forces syriennes avancent vers Déir ez-Zor",
    }
    assert set(find(backend, 'tag:"Deir ez-Zor"')) == expected
    assert set(find(backend, "", tags=["deir-ez-zor"])) == expected
    assert find(backend, "tag:nonexistent") == []


def test_each_more_tag_or_region_narrows_while_outlets_widen(backend, corpus):
    erbil = Region.objects.get(name="Erbil")
    syria = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="SY")
    assert find(backend, "", tags=["deir-ez-zor", "raqqa"]) == []
    assert find(backend, "", regions=[str(erbil.id), str(syria.id)]) == [
        "Syrian army fights into Deir ez-Zor"
    ]
    assert len(find(backend, "", outlets=["rudaw", "afp"])) == 3


def test_region_filter_includes_the_regions_inside(backend, corpus):
    syria = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="SY")
    expected = {
        "Syrian army fights into Deir ez-Zor",
        "Les forces syriennes avancent vers Déir ez-Zor",
        "Offensive on Raqqa enters final phase",
    }
    assert set(find(backend, "", regions=[syria.slug])) == expected
    assert set(find(backend, "region:Syria")) == expected
    # The dateline's place counts too: Erbil's articles are in Iraq.
    assert set(find(backend, "region:iraq")) == {
        "Syrian army fights into Deir ez-Zor",
        "Kurdish parliament votes on budget",
    }


def test_date_range_filter(backend, corpus):
    august = {
        "Syrian army fights into Deir ez-Zor",
        "Les forces syriennes avancent vers Déir ez-Zor",
    }
    assert set(find(backend, "date:2017-08")) == august
    assert set(find(backend, "", date_from=date(2017, 8, 1), date_to=date(2017, 8, 31))) == august
    assert find(backend, "raqqa after:2017-01-01") == ["Offensive on Raqqa enters final phase"]
    assert find(backend, "raqqa before:2016-12-31") == ["Kurdish parliament votes on budget"]
    # Both ends are inclusive.
    assert find(backend, "date:2017-08-15") == ["Syrian army fights into Deir ez-Zor"]
    # Ranges given back to front are read front to back; ranges that do not meet match none.
    assert find(backend, "date:2016-12-31..2016-01-01") == ["Kurdish parliament votes on budget"]
    assert find(backend, "", date_from=date(2016, 12, 31), date_to=date(2016, 1, 1)) == [
        "Kurdish parliament votes on budget"
    ]
    assert find(backend, "date:2016 date:2018") == []


def test_language_filter(backend, corpus):
    assert find(backend, "language:fr") == ["Les forces syriennes avancent vers Déir ez-Zor"]
    assert len(find(backend, "", languages=["en"])) == 4


def test_a_language_filter_is_a_range_that_finds_its_regional_tags(backend, sync):
    """RFC 4647 basic filtering: "en" finds "en" and every "en-*"; "en-us" finds itself
    only, whatever the case, in the form's filter or the query's."""
    for title, language in [
        ("Detected English", "en"),
        ("American English", "en-us"),
        ("British English", "en-GB"),
        ("Brazilian Portuguese", "pt-br"),
        ("Sorani", "ckb"),
        ("Unknown", ""),
    ]:
        make_article(title=title, language=language)
    sync()
    english = {"Detected English", "American English", "British English"}
    assert set(find(backend, "", languages=["en"])) == english
    assert set(find(backend, "language:EN")) == english
    assert find(backend, "", languages=["en-us"]) == ["American English"]
    assert find(backend, "lang:en-US") == ["American English"]
    assert find(backend, "language:pt_BR") == ["Brazilian Portuguese"]
    assert find(backend, "language:pt") == ["Brazilian Portuguese"]
    assert set(find(backend, "", languages=["en-us", "ckb"])) == {"American English", "Sorani"}
    assert find(backend, "language:und") == ["Unknown"]
    # A range matches whole subtags: "e" is no prefix of "en", nor "en-u" of "en-us".
    assert find(backend, "language:e") == []
    assert find(backend, "language:en-u") == []
    assert find(backend, "language:e%") == []
    assert find(backend, "language:en-us-x") == []


def test_filters_of_different_kinds_combine(backend, corpus):
    assert find(backend, "outlet:rudaw date:2016") == ["Kurdish parliament votes on budget"]
    assert find(backend, "outlet:rudaw tag:raqqa") == []


# Sorting and paging


def test_sort_newest_and_oldest_first(backend, corpus):
    newest = find(backend, "", sort=Sort.NEWEST)
    assert newest == [
        "Les forces syriennes avancent vers Déir ez-Zor",
        "Syrian army fights into Deir ez-Zor",
        "Offensive on Raqqa enters final phase",
        "Kurdish parliament votes on budget",
        "Budget <script>alert(1)</script> debate",
    ]
    assert find(backend, "", sort=Sort.OLDEST) == list(reversed(newest))
    assert find(backend, "raqqa", sort=Sort.OLDEST) == [
        "Kurdish parliament votes on budget",
        "Offensive on Raqqa enters final phase",
    ]


def test_pages_split_the_hits_and_keep_the_total(backend, corpus):
    first = backend.search(service.build_request("", sort="newest", page_size=2))
    third = backend.search(service.build_request("", sort="newest", page_size=2, page=3))
    assert (first.total, len(first.hits)) == (5, 2)
    assert (third.total, len(third.hits)) == (5, 1)
    assert third.hits[0].article_id == corpus["markup"].id
    past_the_end = backend.search(service.build_request("", page_size=2, page=9))
    assert (past_the_end.total, past_the_end.hits) == (5, [])


# Facets


def test_facet_counts_equal_database_counts(backend, corpus):
    results = backend.search(service.build_request("", date_from=date(2016, 1, 1)))
    published = Article.objects.published().filter(published_at__date__gte=date(2016, 1, 1))
    facets = {name: {f.value: f.count for f in values} for name, values in results.facets.items()}

    assert results.total == published.count()
    assert facets["outlet"] == {
        row["outlet__slug"]: row["n"]
        for row in published.values("outlet__slug").annotate(n=Count("id"))
    }
    assert facets["tag"] == {
        tag.slug: tag.n
        for tag in Tag.objects.filter(articles__in=published).annotate(n=Count("articles"))
    }
    assert facets["year"] == {"2017": 3, "2016": 1}
    syria = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="SY")
    assert facets["region"][str(syria.id)] == 3
    asia = Region.objects.get(kind=Region.Kind.CONTINENT, name="Asia")
    assert facets["region"][str(asia.id)] == 4


def test_facets_count_every_match_not_only_the_page_shown(backend, corpus):
    one_per_page = backend.search(service.build_request("", page_size=1))
    everything = backend.search(service.build_request("", page_size=10))
    assert len(one_per_page.hits) == 1
    assert one_per_page.facets == everything.facets
    assert sum(f.count for f in one_per_page.facets["year"]) == 5


def test_facet_options_with_equal_counts_come_in_name_order(backend, corpus):
    page = service.search(service.build_request("raqqa OR deir OR budget"))
    assert len(page.facets["region"]) > 2
    for name, options in page.facets.items():
        if name != "year":  # years keep their own order
            keys = [(-option.count, option.label.casefold()) for option in options]
            assert keys == sorted(keys), name


def test_facets_follow_the_query(backend, corpus):
    results = backend.search(service.build_request("budget"))
    assert {f.value: f.count for f in results.facets["outlet"]} == {"rudaw": 1, "reuters": 1}


# Highlighting


def test_the_highlight_wraps_the_matched_words(backend, corpus):
    [hit] = backend.search(service.build_request("offensive")).hits
    assert hit.title_html == "<mark>Offensive</mark> on Raqqa enters final phase"
    [hit] = backend.search(service.build_request("lawmakers")).hits
    assert "<mark>Lawmakers</mark> in Erbil approved the budget" in hit.snippet_html


def test_stemmed_matches_are_highlighted_as_written(backend, corpus):
    [hit] = backend.search(service.build_request("title:fight")).hits
    assert "<mark>fights</mark>" in hit.title_html


def test_highlights_escape_the_text_around_the_marks(backend, corpus):
    [hit] = backend.search(service.build_request("debate")).hits
    assert hit.title_html == "Budget &lt;script&gt;alert(1)&lt;/script&gt; <mark>debate</mark>"
    assert "&lt;b&gt;budget&lt;/b&gt; <mark>debate</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    for markup in (hit.title_html, hit.snippet_html):
        if isinstance(markup, MarkedHTML):  # the page shows it without cleaning it
            assert nh3.clean(markup, tags={"mark", "br"}, attributes={}) == markup


def test_every_hit_has_a_snippet(backend, corpus):
    for hit in backend.search(service.build_request("", page_size=10)).hits:
        assert hit.snippet_html
        assert hit.title_html


# Suggestions


def test_a_misspelled_word_gets_a_suggestion(backend, corpus):
    results = backend.search(service.build_request("parliment"))
    assert results.total == 0
    assert results.suggestion == "parliament"


def test_a_suggestion_keeps_the_words_that_were_right(backend, corpus):
    assert backend.search(service.build_request("kurdish parliment")).suggestion == (
        "kurdish parliament"
    )


def test_two_letters_swapped_are_one_edit(backend, sync):
    make_article(title="Syria talks", body="Envoys met in Geneva.")
    make_article(title="Sari weavers", body="A craft kept alive.")
    sync()
    assert backend.search(service.build_request("syrai")).suggestion == "syria"


def test_of_two_words_as_close_the_more_common_is_suggested(backend, sync):
    for day in range(1, 4):
        make_article(title=f"Raqqa, day {day}", body="Fighting went on.")
    make_article(title="Raka", body="A word of another language.")
    sync()
    assert backend.search(service.build_request("raqa")).suggestion == "raqqa"


def test_a_word_found_only_in_a_dateline_is_suggested(backend, sync):
    """A dateline is searched (SULAIMANI finds the article), so its words are offered too."""
    make_article(title="Budget talks", body="Ministers met.", dateline="SULAIMANI, Kurdistan")
    sync()
    assert backend.search(service.build_request("sulaimani")).total == 1
    assert backend.search(service.build_request("sulaimeni")).suggestion == "sulaimani"


def test_filters_are_not_corrected(backend, corpus):
    suggestion = backend.search(service.build_request("outlet:rudaw parliment")).suggestion
    assert suggestion == "outlet:rudaw parliament"
    assert backend.search(service.build_request("title:parliment")).suggestion == (
        "title:parliament"
    )


def test_a_query_that_finds_plenty_gets_no_suggestion(backend, corpus):
    assert backend.search(service.build_request("budget")).suggestion is None


# Keeping the index true


def test_a_withdrawn_article_disappears(backend, corpus, sync):
    article = corpus["raqqa"]
    article.status = Article.Status.WITHDRAWN
    article.save()
    sync()
    assert "Offensive on Raqqa enters final phase" not in find(backend, "raqqa")
    assert backend.count() == 4


def test_a_deleted_article_disappears(backend, corpus, sync):
    corpus["markup"].delete()
    sync()
    assert find(backend, "debate") == []
    assert backend.count() == 4


def test_an_edited_title_is_found_by_its_new_words_after_commit(
    backend, corpus, django_capture_on_commit_callbacks
):
    article = corpus["parliament"]
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Kurdish assembly passes spending plan"
        article.save()
    assert find(backend, "assembly spending") == ["Kurdish assembly passes spending plan"]
    assert find(backend, "title:parliament") == []


def test_editing_an_article_again_and_again_keeps_one_document(backend, corpus, sync):
    article = corpus["raqqa"]
    for edition in range(1, 4):
        article.title = f"Offensive on Raqqa, update {edition}"
        article.save()
        sync()
        assert backend.count() == 5
        assert find(backend, "title:raqqa") == [article.title]


def test_a_retag_reaches_the_index(backend, corpus, sync):
    article = corpus["markup"]
    article.tags.add(make_tag("Iraq budget"))
    sync()
    assert find(backend, 'tag:"Iraq budget"') == ["Budget <script>alert(1)</script> debate"]
    Tag.objects.filter(name="Iraq budget").get().delete()
    sync()
    assert find(backend, 'tag:"Iraq budget"') == []


def test_rebuild_and_incremental_indexing_give_the_same_results(backend, corpus):
    queries = ["", "raqqa", "budget OR army", '"middle euphrates"', "region:syria", "deir"]
    before = {q: backend.search(service.build_request(q, sort="newest")) for q in queries}

    assert backend.rebuild(iter_all_documents(batch_size=2)) == 5

    for q in queries:
        after = backend.search(service.build_request(q, sort="newest"))
        assert [h.article_id for h in after.hits] == [h.article_id for h in before[q].hits]
        assert after.total == before[q].total
        assert after.facets == before[q].facets


def test_a_syndicated_copy_is_not_a_hit_of_its_own(backend, corpus, sync):
    original = corpus["raqqa"]
    make_article(
        original.outlet,
        title="Offensive on Raqqa enters final phase, agencies report",
        body=original.body,
        near_duplicate_of=original,
    )
    sync()
    assert find(backend, "title:raqqa") == ["Offensive on Raqqa enters final phase"]
    assert backend.count() == 5


def test_count_and_clear(backend, corpus):
    assert backend.count() == 5
    backend.clear()
    assert backend.count() == 0
    assert find(backend, "raqqa") == []


def test_with_no_words_every_filtered_article_matches_newest_first(backend, corpus):
    assert find(backend, "outlet:reuters") == [
        "Offensive on Raqqa enters final phase",
        "Budget <script>alert(1)</script> debate",
    ]


# Malformed input: searched as words or finds nothing, never an error.

MALFORMED = [
    '"unbalanced quote',
    "(unbalanced bracket",
    "closing) bracket)",
    "OR",
    "AND",
    "NOT",
    "raqqa OR",
    "- -- ---",
    "title:",
    "unknown:field raqqa",
    "date:not-a-date",
    "date:2017-13-45",
    "wild* ca?d ~fuzzy^2",
    "*",
    "\x00\x01\x1f control",
    "'; DROP TABLE archive_article; --",
    "1 OR 1=1",
    "raqqa & | ! <-> :* budget",
    "😀🔥",
    "الرقة دير الزور",
    "\u202eraqqa\u202c",
    "x" * 10_000,
    "raqqa " * 2_000,
    "title:title:title:",
    '""',
    '"" OR ""',
    "-",
    "\\",
    "region:",
    'tag:""',
]


@pytest.mark.parametrize("q", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_input_never_errors(backend, corpus, q):
    results = backend.search(service.build_request(q))
    assert results.total >= 0
    assert len(results.hits) <= 10


def test_the_query_parser_reads_what_it_can(backend, corpus):
    assert find(backend, "raqqa OR") == find(backend, "raqqa")
    assert find(backend, '"unbalanced raqqa') == find(backend, "unbalanced raqqa")
    assert parse_query("unknown:field").terms[0].words == ("unknown", "field")


def test_a_request_can_be_built_without_the_service(backend, corpus):
    request = SearchRequest(
        query=parse_query("raqqa"),
        date_range=DateRange(date(2017, 1, 1), None),
        sort=Sort.NEWEST,
    )
    results = backend.search(request)
    assert [h.article_id for h in results.hits] == [corpus["raqqa"].id]


def test_an_old_tag_slug_filters_by_the_tag_it_leads_to(backend, corpus, sync):
    kurdistan, raqqa = Tag.objects.get(name="Kurdistan"), Tag.objects.get(name="Raqqa")
    merge_tags([raqqa], into=kurdistan)
    sync()
    expected = {"Kurdish parliament votes on budget", "Offensive on Raqqa enters final phase"}
    assert set(find(backend, "tag:raqqa")) == expected
    assert set(find(backend, tags=["raqqa"])) == expected
