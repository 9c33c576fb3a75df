"""The search portal (/search/) and its Atom feed, as a reader uses them, on every backend.

Links are followed as a browser would: by reading their href out of the page.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse

from archive.models import Region
from archive.sanitise import marked_text_html
from search import service
from search.backends import reset_backend
from search.backends.base import SearchResults
from search.forms import SearchForm
from search.service import FacetOption
from search.views import facet_groups
from tests.factories import make_article, make_outlet, make_tag

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
VOID_ELEMENTS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None"
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def ancestors(self) -> list["Element"]:
        found, element = [], self.parent
        while element is not None:
            found.append(element)
            element = element.parent
        return found

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class Page(HTMLParser):
    """A parsed page: every element with its attributes, text and parent."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self._open[-1] if self._open else None)
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def find_all(self, tag: str = "", css_class: str = "", **attrs) -> list[Element]:
        return [
            element
            for element in self.elements
            if (not tag or element.tag == tag)
            and (not css_class or css_class in element.classes)
            and all(
                element.attrs.get(name.rstrip("_").replace("_", "-")) == v
                for name, v in attrs.items()
            )
        ]

    def find(self, tag: str = "", css_class: str = "", **attrs) -> Element:
        found = self.find_all(tag, css_class, **attrs)
        assert found, f"no <{tag or '*'} class={css_class!r} {attrs}> on the page"
        return found[0]


def parsed(response) -> Page:
    return Page(response.content.decode())


def search(client, **params):
    response = client.get(reverse("search:results"), params)
    assert response.status_code == 200
    return response


def follow(client, href: str):
    assert href.startswith(reverse("search:results")), href
    response = client.get(href)
    assert response.status_code == 200
    return response


def total_shown(response) -> str:
    return parsed(response).find("h2", "search-total").text


def titles_shown(response) -> list[str]:
    return [element.text for element in parsed(response).find_all("h3", "hit__title")]


def sort_selected(response) -> str:
    page = parsed(response)
    select = page.find("select", name="sort")
    chosen = [e for e in page.find_all("option") if e.parent is select and "selected" in e.attrs]
    assert len(chosen) == 1
    return chosen[0].attrs["value"]


def facet(response, label: str, group: str | None = None) -> Element:
    """The link (or, when it cannot be removed here, the span) of a facet value."""
    page = parsed(response)
    for element in page.find_all("span", "facet__label"):
        option = element.parent
        section = option.parent.parent.parent  # a|span → li → ul → section
        heading = next(e for e in page.elements if e.parent is section and e.tag == "h3")
        if element.text == label and group in (None, heading.text):
            return option
    raise AssertionError(f"no facet {label!r} on the page")


# The page


def test_the_query_stays_in_the_pages_search_box(client, backend, corpus):
    page = parsed(search(client, q='raqqa "old city"'))

    box = page.find("input", id="search-q")
    assert box.attrs["name"] == "q"
    assert box.attrs["value"] == 'raqqa "old city"'
    assert "autofocus" in box.attrs
    assert page.find("label", for_="search-q").text


@pytest.mark.parametrize("query", [{}, {"q": "raqqa"}])
def test_the_search_page_has_one_search_box_not_the_headers_too(client, backend, corpus, query):
    page = parsed(search(client, **query))

    assert [form.attrs["aria-label"] for form in page.find_all("form", role="search")] == [
        "Search articles"
    ]
    assert page.find_all("input", id="site-search-q") == []
    assert [box.attrs["id"] for box in page.find_all("input", type="search")] == ["search-q"]


def test_hits_show_the_total_highlighted_titles_snippets_outlet_date_and_dateline(
    client, backend, corpus
):
    response = search(client, q="deir")
    html = response.content.decode()

    assert total_shown(response) == "2 results"
    assert set(titles_shown(response)) == {corpus["deir"].title, corpus["french"].title}
    hits = response.context["hits"]
    assert all("<mark>" in hit.title_html for hit, _ in hits)
    for hit, _ in hits:
        # As the backend marked it, not escaped again; nh3 (marks_only) writes quotes in text
        # as they are, where PostgreSQL's highlights escape them.
        assert marked_text_html(hit.title_html) in html
        assert marked_text_html(hit.snippet_html) in html
    page = parsed(response)
    title_link = page.find("a", href=corpus["deir"].get_absolute_url())
    assert title_link.parent.tag == "h3"
    assert page.find_all("mark")
    deir_hit = title_link.parent.parent
    deir_meta = next(e for e in page.elements if e.parent is deir_hit and "meta" in e.classes)
    assert deir_meta.text == "Rudaw · 15 August 2017 · ERBIL, Kurdistan Region"


def test_a_page_of_hits_costs_no_more_queries_than_a_page_of_one(
    client, backend, sync, django_assert_max_num_queries
):
    """Hits' articles are read in one query, without their bodies (the backend gives the
    snippet; a body is kilobytes): nothing on the page reads a body back one hit at a time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    outlet = make_outlet("Wire")

    def add_reports(numbers: range) -> None:
        for n in numbers:
            make_article(title=f"Convoy report {n}", body=f"A convoy passed {n}.", outlet=outlet)
        sync()

    add_reports(range(1))
    with CaptureQueriesContext(connection) as one_hit:
        search(client, q="convoy")
    add_reports(range(1, 12))
    # At most as many: a search with one hit may also look for a suggestion.
    with django_assert_max_num_queries(len(one_hit.captured_queries)):
        response = search(client, q="convoy")
    hits = response.context["hits"]
    assert len(hits) == 12
    assert all("body" in article.get_deferred_fields() for _, article in hits)


def test_facet_labels_are_escaped_and_counts_read_as_numbers(client, backend, sync):
    """Facet links are written in Python (search/templatetags/facets.py): a tag's name is
    text, however it is spelled, and counts read "1 result", "2 results"."""
    from tests.factories import make_tag

    odd = make_tag('<b>Bold</b> & "quoted"', slug="bold-quoted")
    plain = make_tag("Plain")
    make_article(title="Ferry one", tags=[odd, plain])
    make_article(title="Ferry two", tags=[plain])
    sync()

    response = search(client, q="ferry")
    html = response.content.decode()

    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;" in html
    assert facet(response, '<b>Bold</b> & "quoted"', "Tag").text.endswith("1 result")
    assert facet(response, "Plain", "Tag").text.endswith("2 results")


@pytest.mark.parametrize(
    ("group", "label", "parameter"),
    [
        ("Outlet", "Rudaw", "outlet=rudaw"),
        ("Tag", "Kurdistan", "tag=kurdistan"),
        ("Place", "Ar Raqqah", "region=ar-raqqah-sy"),
        ("Year", "2016", "from=2016-01-01&to=2016-12-31"),
    ],
)
def test_following_a_facet_narrows_the_search_and_its_link_then_removes_it(
    client, backend, corpus, group, label, parameter
):
    everything = search(client, q="raqqa")
    assert total_shown(everything) == "2 results"
    option = facet(everything, label, group)
    assert option.tag == "a"
    assert "aria-current" not in option.attrs
    assert "q=raqqa" in option.attrs["href"]
    assert parameter in option.attrs["href"]

    narrowed = follow(client, option.attrs["href"])

    assert total_shown(narrowed) == "1 result"
    active = facet(narrowed, label, group)
    assert active.attrs["aria-current"] == "true"
    assert "facet--active" in active.classes
    assert "remove this filter" in active.text

    removed = follow(client, active.attrs["href"])

    assert total_shown(removed) == "2 results"
    assert "aria-current" not in facet(removed, label, group).attrs


def test_a_facet_the_query_itself_asks_for_shows_as_active_without_a_remove_link(
    client, backend, corpus
):
    response = search(client, q="raqqa outlet:rudaw")

    assert total_shown(response) == "1 result"
    option = facet(response, "Rudaw", "Outlet")
    assert option.tag == "span"
    assert option.attrs["aria-current"] == "true"
    assert "in your query" in option.text


def test_the_filters_chosen_stay_on_when_the_words_change(client, backend, corpus):
    page = parsed(search(client, q="raqqa", outlet="rudaw", tag="kurdistan"))

    form = page.find("form", css_class="search-form")
    hidden = [
        (e.attrs["name"], e.attrs["value"])
        for e in page.find_all("input", type="hidden")
        if e.parent is form
    ]
    assert hidden == [("outlet", "rudaw"), ("tag", "kurdistan")]


def test_a_date_range_limits_the_results_and_stays_in_its_inputs(client, backend, corpus):
    response = search(client, **{"from": "2017-08-01", "to": "2017-08-31"})

    assert titles_shown(response) == [
        "Les forces syriennes avancent vers Déir ez-Zor",
        "Syrian army fights into Deir ez-Zor",
    ]
    page = parsed(response)
    assert page.find("input", id="search-from").attrs["value"] == "2017-08-01"
    assert page.find("input", id="search-to").attrs["value"] == "2017-08-31"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["raqqa", "parliament", "markup"]),
        ("oldest", ["markup", "parliament", "raqqa"]),
    ],
)
def test_results_can_be_sorted_newest_or_oldest_first(client, backend, corpus, sort, expected):
    response = search(client, q="budget OR raqqa", sort=sort)

    assert titles_shown(response) == [corpus[name].title for name in expected]
    assert sort_selected(response) == sort


def test_filters_without_words_list_the_newest_first(client, backend, corpus):
    response = search(client, outlet="reuters")

    assert titles_shown(response) == [corpus["raqqa"].title, corpus["markup"].title]
    assert sort_selected(response) == "newest"
    # The results, not the blank form's page of search help.
    assert parsed(response).find(id="results-heading").text == "2 results"


def test_a_language_filter_shows_as_active_and_can_be_removed(client, backend, corpus):
    response = search(client, q="deir", language="fr")

    assert titles_shown(response) == [corpus["french"].title]
    active = facet(response, "French", "Language")
    assert active.attrs["aria-current"] == "true"
    assert total_shown(follow(client, active.attrs["href"])) == "2 results"


def test_pagination_keeps_the_query_and_every_other_parameter(client, backend, corpus, settings):
    settings.ARTICLES_PER_PAGE = 1
    first = search(client, q="budget OR raqqa", sort="oldest", to="2017-12-31")
    assert titles_shown(first) == [corpus["markup"].title]
    assert parsed(first).find("span", aria_current="page").text == "Page 1 of 3"
    next_href = parsed(first).find("a", rel="next").attrs["href"]

    second = follow(client, next_href)

    assert titles_shown(second) == [corpus["parliament"].title]
    assert parsed(second).find("input", id="search-q").attrs["value"] == "budget OR raqqa"
    assert parsed(second).find("input", id="search-to").attrs["value"] == "2017-12-31"
    assert parsed(second).find("span", aria_current="page").text == "Page 2 of 3"
    previous = follow(client, parsed(second).find("a", rel="prev").attrs["href"])
    assert titles_shown(previous) == [corpus["markup"].title]


def test_a_page_past_the_last_says_so_and_links_back(client, backend, corpus):
    response = search(client, q="raqqa", page="7")

    assert titles_shown(response) == []
    assert "no more results" in response.content.decode()
    assert titles_shown(follow(client, parsed(response).find("a", rel="prev").attrs["href"]))


def test_a_hit_found_by_its_tag_alone_says_so(client, backend, sync):
    kigali = make_tag("Kigali")
    make_article(title="Rwanda talks", body="Envoys met for a second day.", tags=[kigali])
    make_article(title="Kigali marathon", body="Runners filled the streets.", tags=[kigali])
    sync()
    page = parsed(search(client, q="kigali"))

    tagged = page.find_all("p", "hit__tags")
    assert [line.text for line in tagged] == ["Tagged Kigali"]
    title = next(e for e in tagged[0].parent.parts if e.strip())  # the hit's first text
    assert title == "Rwanda talks"  # not the marathon: its title shows the match


@pytest.mark.parametrize("q", ["-", "*", "()", "🙂"])
def test_a_query_of_no_words_asks_for_nothing_not_the_whole_archive(client, backend, corpus, q):
    response = search(client, q=q)

    assert titles_shown(response) == []
    assert "There is nothing to search for" in response.content.decode()
    # With a filter beside it, the filter is what is asked.
    assert titles_shown(search(client, q=q, outlet="rudaw"))


def test_a_search_of_common_words_alone_says_why_it_finds_nothing(client, backend, corpus):
    assert "left out of the index" not in search(client, q="zebra").content.decode()
    response = search(client, q="the of")

    assert titles_shown(response) == []
    assert "left out of the index" in response.content.decode()


@pytest.mark.parametrize("page", ["101", "999", "99999999999999999999"])
def test_a_page_past_the_deepest_shown_is_past_the_last_not_the_first(
    client, backend, corpus, page
):
    response = search(client, q="raqqa", page=page)

    assert titles_shown(response) == []
    assert "no more results" in response.content.decode()
    back = parsed(response).find("a", rel="prev").attrs["href"]
    assert titles_shown(follow(client, back))


def test_a_misspelling_gets_a_did_you_mean_link_to_the_corrected_query(client, backend, corpus):
    response = search(client, q="parliment")

    suggestion = parsed(response).find("p", css_class="suggestion")
    assert suggestion.text == "Did you mean parliament?"
    link = next(e for e in parsed(response).find_all("a") if e.text == "parliament")
    corrected = follow(client, link.attrs["href"])
    assert corrected.context["params"].q == "parliament"
    assert corpus["parliament"].title in titles_shown(corrected)


def test_the_empty_search_page_explains_the_query_syntax(client, backend, corpus):
    response = search(client)

    examples = " | ".join(code.text for code in parsed(response).find_all("code"))
    for syntax in (
        '"middle euphrates"',
        "raqqa OR deir",
        "syria -russia",
        "title:offensive",
        "outlet:rudaw",
        'tag:"Deir ez-Zor"',
        "region:syria",
        "date:2017-08",
        "after:2017-08-01",
        "before:2017-09-01",
    ):
        assert syntax in examples
    assert not parsed(response).find_all("h3", "hit__title")
    assert "page" not in response.context


def test_an_estimated_total_reads_about(client, backend, corpus, monkeypatch):
    exact_search = service.search

    def estimating_search(request, backend=None):
        page = exact_search(request, backend)
        page.results.total_is_estimate = True
        return page

    monkeypatch.setattr(service, "search", estimating_search)

    assert total_shown(search(client, q="raqqa")) == "About 2 results"


def test_estimated_facet_counts_say_so(client, backend, corpus, monkeypatch):
    exact_search = service.search
    note = "Counts are estimated from a sample of the results."
    assert note not in search(client, q="raqqa").content.decode()

    def sampling_search(request, backend=None):
        page = exact_search(request, backend)
        page.results.facets_are_estimates = True
        return page

    monkeypatch.setattr(service, "search", sampling_search)
    shown = parsed(search(client, q="raqqa")).find("p", "search-facets__estimate")
    assert shown.parent.classes == ["search-facets"]
    assert shown.text == note


def test_a_search_that_finds_nothing_says_so_and_offers_help(client, backend, corpus):
    response = search(client, q="zebra", outlet="afp")

    assert total_shown(response) == "0 results"
    assert "No articles match this search." in response.content.decode()
    clear = next(e for e in parsed(response).find_all("a") if e.text == "remove the filters")
    assert clear.attrs["href"] == "/search/?q=zebra"


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"outlet": "no-such-outlet"}, 'There is no outlet "no-such-outlet".'),
        ({"tag": "raqa"}, 'There is no tag "raqa".'),
        ({"region": "atlantis"}, 'There is no place "atlantis".'),
        ({"region": "99999999999"}, 'There is no place "99999999999".'),
    ],
)
def test_a_filter_naming_nothing_says_so_and_links_to_the_search_without_it(
    client, backend, corpus, params, said
):
    """Not a bare "0 results", which a reader takes for the archive's answer about the
    filter: it names nothing (a typo, a stale link), and the search without it is a click
    away. It still matches nothing, so a shared link, its feed and CSV mean what they said."""
    response = search(client, q="raqqa", sort="newest", **params)

    assert total_shown(response) == "0 results"
    page = parsed(response)
    (notice,) = [e for e in page.find_all("p", "notice") if "There is no" in e.text]
    assert notice.text.startswith(said)
    assert notice.attrs["role"] == "status"
    (without,) = [e for e in page.find_all("a") if notice in e.ancestors]
    assert without.attrs["href"] == "/search/?q=raqqa&sort=newest"
    assert titles_shown(follow(client, without.attrs["href"]))
    feed = atom(client.get(reverse("search:feed"), {"q": "raqqa", **params}))
    assert feed.findall(f"{ATOM}entry") == []


def test_a_tag_naming_nothing_narrows_the_search_to_nothing_beside_known_ones(
    client, backend, corpus
):
    response = search(client, q="raqqa", tag=["Raqqa", "raqa"])

    assert total_shown(response) == "0 results"
    (notice,) = [e for e in parsed(response).find_all("p", "notice") if "There is no" in e.text]
    assert notice.text.startswith('There is no tag "raqa".')
    (without,) = [e for e in parsed(response).find_all("a") if notice in e.ancestors]
    assert titles_shown(follow(client, without.attrs["href"])) == [corpus["raqqa"].title]


def test_a_filter_naming_something_gets_no_notice(client, backend, corpus):
    response = search(client, q="raqqa", outlet="Reuters", tag="raqqa", region="syria")
    assert titles_shown(response) == [corpus["raqqa"].title]
    assert "There is no" not in response.content.decode()


@pytest.mark.parametrize(
    "querystring",
    [
        "q=raqqa&page=abc",
        "q=raqqa&page=0",
        "q=raqqa&page=-3",
        "q=raqqa&page=99999999999999999999",
        "q=raqqa&sort=xyz",
        "q=raqqa&from=notadate&to=2017-02-30",
        "q=raqqa&from=0001-01-01&to=9999-12-31",
        "q=raqqa&region=%C2%B2",
        "q=raqqa&region=99999999999999999999999999",
        "q=raqqa&region=nowhere-at-all",
        "q=raqqa&language=%3Cscript%3E",
        "q=raqqa&outlet=%00&tag=%00",
        "q=%00",
        "q=%22unbalanced",
        "q=" + "raqqa+" * 2000,
        "tag=&tag=&outlet=",
        "from=&to=&sort=&page=",
    ],
)
def test_unreadable_parameters_fall_back_to_defaults(client, backend, corpus, querystring):
    response = client.get(f"{reverse('search:results')}?{querystring}")
    assert response.status_code == 200


def test_bad_values_do_not_disturb_the_good_ones(client, backend, corpus):
    clean = search(client, q="raqqa")
    noisy = client.get(
        reverse("search:results"),
        {"q": "raqqa", "page": "abc", "sort": "xyz", "from": "notadate"},
    )

    assert noisy.status_code == 200
    assert titles_shown(noisy) == titles_shown(clean)
    assert parsed(noisy).find("input", id="search-from").attrs["value"] == ""


def test_the_query_echoed_back_is_escaped(client, backend, corpus):
    response = search(client, q="<script>alert(1)</script> budget")

    html = response.content.decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; budget" in html
    assert corpus["markup"].title in titles_shown(response)  # its title is escaped too


# The feed


def atom(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def test_the_search_page_links_its_atom_feed(client, backend, corpus):
    page = parsed(search(client, q="deir", sort="oldest", page="1"))

    alternate = page.find("link", rel="alternate")
    assert alternate.attrs["type"] == "application/atom+xml"
    assert alternate.attrs["href"] == "/search/feed/?q=deir"
    assert page.find("a", href="/search/feed/?q=deir").text.startswith("Atom feed")


def test_the_atom_feed_lists_a_searchs_hits_newest_first(client, backend, corpus):
    feed = atom(client.get(reverse("search:feed"), {"q": "deir", "sort": "oldest"}))

    assert feed.findtext(f"{ATOM}title") == "Dateline search: deir"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        corpus["french"].title,
        corpus["deir"].title,
    ]
    link = entries[1].find(f"{ATOM}link")
    assert link.get("href") == "http://testserver" + corpus["deir"].get_absolute_url()
    assert entries[1].findtext(f"{ATOM}published").startswith("2017-08-15T12:00:00")
    assert all(entry.findtext(f"{ATOM}updated") for entry in entries)  # required by RFC 4287
    summary = entries[1].findtext(f"{ATOM}summary")
    assert "Government forces" in summary
    assert "<mark>" not in summary


def test_each_entry_of_the_atom_feed_declares_its_articles_language(client, backend, corpus, sync):
    make_article(title="Deir ez-Zor: a bulletin in Brazilian Portuguese", language="pt-br")
    make_article(title="Deir ez-Zor: a bulletin of no known language", language="")
    sync()

    feed = atom(client.get(reverse("search:feed"), {"q": "deir"}))

    assert feed.get(XML_LANG) == "en"  # the feed's own title and subtitle
    declared = {
        entry.findtext(f"{ATOM}title"): entry.get(XML_LANG)
        for entry in feed.findall(f"{ATOM}entry")
    }
    assert declared == {
        corpus["deir"].title: "en",
        corpus["french"].title: "fr",
        "Deir ez-Zor: a bulletin in Brazilian Portuguese": "pt-br",
        # XML's "no language", undoing the feed's "en": not a guess, nor "und"
        "Deir ez-Zor: a bulletin of no known language": "",
    }


def test_the_atom_feed_keeps_the_filters_and_holds_the_newest_twenty(client, backend, corpus, sync):
    outlet = make_outlet("Kurdistan 24")
    for day in range(1, 26):
        make_article(outlet, title=f"Bulletin {day}", published_at=corpus["deir"].published_at)
    sync()

    feed = atom(client.get(reverse("search:feed"), {"q": "bulletin", "outlet": "kurdistan-24"}))

    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    feed_other = atom(client.get(reverse("search:feed"), {"q": "bulletin", "outlet": "rudaw"}))
    assert feed_other.findall(f"{ATOM}entry") == []


def test_the_atom_feed_escapes_titles_and_snippets(client, backend, corpus):
    feed = atom(client.get(reverse("search:feed"), {"q": "budget", "outlet": "reuters"}))

    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Budget <script>alert(1)</script> debate"
    # An HTML summary: the body's literal "<b>" stays text, not markup.
    assert "&lt;b&gt;budget&lt;/b&gt;" in entry.findtext(f"{ATOM}summary")


# When the index cannot be read


@pytest.fixture
def unreadable_index(settings, tmp_path, db):
    """A Whoosh index directory whose current generation holds no index at all."""
    root = tmp_path / "index"
    (root / "gen-20170815000000-000000001").mkdir(parents=True)
    (root / "gen-20170815000000-000000001" / "notes.txt").write_text("not an index")
    (root / "CURRENT").write_text("gen-20170815000000-000000001")
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = root
    reset_backend()
    yield root
    reset_backend()


def test_an_unreadable_index_gives_a_notice_and_503_while_browsing_works(client, unreadable_index):
    response = client.get(reverse("search:results"), {"q": "raqqa"})

    assert response.status_code == 503
    html = response.content.decode()
    assert "Search is unavailable right now; browsing still works" in html
    assert parsed(response).find("input", id="search-q").attrs["value"] == "raqqa"
    assert client.get(reverse("search:feed"), {"q": "raqqa"}).status_code == 503
    assert client.get(reverse("archive:home")).status_code == 200


# Help


@pytest.mark.parametrize("query", ["raqqa", "no-such-word-anywhere"])
def test_more_about_searching_keeps_the_readers_search(client, backend, corpus, query):
    page = parsed(search(client, q=query))

    (link,) = [a for a in page.find_all("a") if a.text == "more about searching"]
    # A link to a part of this page: the query, filters and results stay as they are.
    assert link.attrs["href"].startswith("#")
    help_section = page.find(id=link.attrs["href"].removeprefix("#"))
    assert "an exact phrase, its words in this order" in help_section.text
    assert any(e.tag == "details" for e in help_section.ancestors)


def test_the_blank_search_page_shows_its_help_without_a_link_to_it(client, backend, corpus):
    page = parsed(search(client))

    assert [a for a in page.find_all("a") if a.text == "more about searching"] == []
    assert page.find(id="results-heading").text == "How to search"


# The header


def test_every_page_has_a_search_box_in_its_header(client, db):
    page = parsed(client.get(reverse("archive:home")))

    form = page.find("form", role="search", action="/search/")
    assert form.attrs["method"] == "get"
    assert any("site-header" in e.classes for e in form.ancestors)
    box = page.find("input", id="site-search-q")
    assert box.attrs["name"] == "q"
    assert box.attrs["type"] == "search"
    assert page.find("label", for_="site-search-q").text == "Search the archive"


def test_place_facets_name_places_and_link_by_slug_not_id(client, backend, corpus):
    """The index counts places by id; readers share the links, which say the place as the
    browse pages and the API do."""
    raqqa = Region.objects.get(name="Ar Raqqah")
    option = facet(search(client, q="raqqa"), "Ar Raqqah", "Place")

    assert f"region={raqqa.slug}" in option.attrs["href"]
    assert f"region={raqqa.id}" not in option.attrs["href"]


def region_values_linked(response) -> set[str]:
    """Every place filter the page's links write (facets, pagination, feed, CSV)."""
    urls = [
        element.attrs["href"]
        for element in parsed(response).elements
        if element.tag in ("a", "link") and element.attrs.get("href")
    ]
    return {value for url in urls for value in QueryDict(urlsplit(url).query).getlist("region")}


@pytest.mark.parametrize("given_as", ["slug", "id"])
def test_a_place_filter_in_a_shared_link_is_removable_and_written_back_by_slug(
    client, backend, corpus, given_as
):
    """A link shared by slug, or by id before search links used slugs: either filters, its
    facet's link removes it, and every link the page writes names the place by slug."""
    raqqa = Region.objects.get(name="Ar Raqqah")
    value = raqqa.slug if given_as == "slug" else str(raqqa.id)

    response = search(client, q="raqqa", region=value)

    assert total_shown(response) == "1 result"
    hidden = parsed(response).find_all("input", type="hidden", name="region")
    assert [element.attrs["value"] for element in hidden] == [raqqa.slug]
    linked = region_values_linked(response)
    assert raqqa.slug in linked
    assert linked <= set(Region.objects.values_list("slug", flat=True))
    active = facet(response, "Ar Raqqah", "Place")
    assert active.tag == "a"
    assert "remove this filter" in active.text
    removed = follow(client, active.attrs["href"])
    assert total_shown(removed) == "2 results"


@pytest.mark.django_db
def test_the_form_reads_a_place_by_slug_id_or_name_as_its_slug(gazetteer):
    syria = Region.objects.get(slug="syria")
    asked = ["syria", str(syria.id), "Syria", "nowhere-at-all", "99999999999"]

    params = SearchForm(QueryDict(urlencode([("region", v) for v in asked]))).params()

    # An unknown place stays as asked: it matches nothing rather than being dropped.
    assert params.regions == ("syria", "nowhere-at-all", "99999999999")


@pytest.mark.django_db
def test_the_form_looks_each_filter_value_up_once_and_the_search_takes_what_it_found(
    gazetteer, django_assert_num_queries
):
    """The form must know what each outlet, tag and place value names (to say which name
    nothing, and to write a place back by slug); building the search takes that on."""
    make_outlet("Rudaw")
    make_tag("Raqqa")
    syria = Region.objects.get(slug="syria")
    asked = [("outlet", "Rudaw"), ("tag", "raqqa"), ("region", str(syria.id))]

    with django_assert_num_queries(3):  # one for each kind of filter
        params = SearchForm(QueryDict(urlencode(asked))).params()
    with django_assert_num_queries(0):
        request = params.search_request(page_size=10)

    assert (request.outlets, request.tags, request.regions) == (("rudaw",), ("raqqa",), (syria.id,))


@pytest.mark.django_db
def test_a_filter_value_naming_nothing_is_not_looked_up_again_for_the_search(
    gazetteer, django_assert_num_queries
):
    asked = [("outlet", "no-such-outlet"), ("tag", "raqa"), ("region", "atlantis")]
    params = SearchForm(QueryDict(urlencode(asked))).params()

    with django_assert_num_queries(0):
        request = params.search_request(page_size=10)

    # Each still matches nothing, as before.
    assert (request.outlets, request.tags, request.regions) == (
        ("no-such-outlet",),
        ("raqa",),
        (service.NO_MATCH_ID,),
    )


@pytest.mark.django_db
def test_a_filter_in_the_query_text_is_looked_up_when_the_search_is_built(
    django_assert_num_queries,
):
    make_outlet("Rudaw")
    params = SearchForm(QueryDict(urlencode({"q": "dam outlet:rudaw", "outlet": "Rudaw"}))).params()

    with django_assert_num_queries(1):  # "rudaw" from the query; the form's "Rudaw" is known
        request = params.search_request(page_size=10)

    assert request.outlets == ("rudaw",)


@pytest.mark.django_db
def test_year_links_go_only_to_years_a_date_can_hold():
    """A year facet value comes from the index; one that is no year a date can hold (five
    digits, digits of another script) gets no link instead of an error page."""
    params = SearchForm({"q": "budget", "outlet": "rudaw"}).params()
    years = [FacetOption(value, value, 3, active=False) for value in ("2017", "12345", "²", "0")]
    page = service.SearchPage(
        request=params.search_request(page_size=10),
        results=SearchResults(total=12, hits=[]),
        articles={},
        facets={"year": years},
    )

    (group,) = facet_groups(params, page)

    assert [link.url for link in group.links] == [params.for_year(2017).url(), None, None, None]
