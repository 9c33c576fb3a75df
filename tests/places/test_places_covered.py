"""Places covered: the regions an article is about, from its dateline, title and body."""

import weakref
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.ingest.pipeline import ingest_paths
from archive.models import Article, Region
from archive.places import Gazetteer, current_gazetteer, dateline_place, places_covered

pytestmark = pytest.mark.django_db


def covered(body: str, title: str = "", dateline: tuple[str, str] | None = None, outlet=""):
    """Names of the places covered, as "Name (CC)"."""
    gazetteer = current_gazetteer()
    place = dateline_place(*dateline, outlet) if dateline else None
    article = SimpleNamespace(
        title=title,
        body=body,
        dateline_region_id=place.id if place else None,
        outlet=SimpleNamespace(country=outlet),
    )
    return [
        f"{gazetteer.places[i].name} ({gazetteer.places[i].country_code})"
        for i in places_covered(article, gazetteer)
    ]


def test_the_sample_article_covers_erbil_deir_ez_zor_raqqa_and_syria(gazetteer, sample_page):
    assert ingest_paths([sample_page]).created == 1
    article = Article.objects.get()

    places = {(r.name, r.kind) for r in article.regions.all()}

    assert article.dateline_region.name == "Erbil"
    assert ("Erbil", Region.Kind.CITY) in places  # the dateline's place is one it covers
    assert ("Deir ez-Zor", Region.Kind.CITY) in places
    assert ("Deir ez-Zor Governorate", Region.Kind.PROVINCE) in places  # "Deir ez-Zor province"
    assert ("Ar Raqqah", Region.Kind.CITY) in places  # "Raqqa", an alternate name
    assert ("Syria", Region.Kind.COUNTRY) in places
    # Nothing from ordinary words: every place found is one the text names as a place.
    expected = {"Erbil", "Deir ez-Zor", "Deir ez-Zor Governorate", "Ar Raqqah", "Syria",
                "Russia", "Iraq", "United States"}  # fmt: skip
    assert {name for name, _ in places} <= expected


def test_a_place_named_once_is_not_covered_unless_in_the_title(gazetteer):
    body = "Officials met in Baghdad on Monday.\n\nThey later spoke about Mosul and Mosul again."
    assert covered(body) == ["Mosul (IQ)"]
    assert set(covered(body, title="Talks in Baghdad")) == {"Mosul (IQ)", "Baghdad (IQ)"}


@pytest.mark.parametrize(
    "paragraph",
    [
        "Reading the report, officials said little. Reading it again, they said less.",
        "Bath time: a Bath towel and a Bath mat were sold. Bath salts too.",
        "Nice work, said the minister. Nice to see, said another.",
        "Split decisions followed. Split votes, split parties.",
        "Of the two, neither came. Of course, none did.",
        "Man of the match: Smith. Man overboard! Man down.",
        "Mobile phones were seized. Mobile networks were down. Mobile units arrived.",
        "Deal or no deal? Deal done. Deal signed.",
        "Police said the crowd dispersed. Police arrested two. Police left.",
        "Best of all, the talks resumed. Best wishes were sent. Best practice.",
        "March on Sunday. March again on Monday. Hope remains. Hope fades.",
        "ISIS fighters and SANA reported clashes. ISIS withdrew; SANA said so.",
        "Us and them. Us again.",
        "Hit by shells, the town burned. Hit again, it fell.",
    ],
)
def test_ordinary_words_that_are_also_place_names_are_not_places(world, paragraph):
    assert covered(paragraph, title=paragraph.split(".")[0]) == []


@pytest.mark.parametrize(
    ("paragraph", "place"),
    [
        ("He moved to Reading in 2010. Jobs in Reading grew.", "Reading (GB)"),
        ("The festival in Bath drew crowds. Hotels in Bath were full.", "Bath (GB)"),
        ("Ferries leave from Split daily. Tourists in Split complain.", "Split (HR)"),
        ("Protesters marched in Nice. Shops in Nice closed.", "Nice (FR)"),
    ],
)
def test_those_words_are_places_after_a_preposition_of_place(world, paragraph, place):
    assert place in covered(paragraph)


def test_names_inside_longer_names_are_not_places(gazetteer):
    body = (
        "Michael Jordan and Paris Hilton read The New York Times. "
        "Later Michael Jordan read the Washington Post and the New York Times again. "
        "Paris Hilton agreed."
    )
    assert covered(body) == []


def test_a_list_of_places_separated_by_commas_finds_each(gazetteer):
    body = "Talks in Syria, Iraq and Lebanon. Syria, Iraq and Lebanon agreed."
    assert set(covered(body)) == {"Syria (SY)", "Iraq (IQ)", "Lebanon (LB)"}


def test_possessives_and_accents_are_read(gazetteer):
    body = (
        "Syria’s army advanced. The army of Syria's president. "
        "Déir ez-Zor held; Deir ez-Zôr fell; deir ez-Zor (not capitalised) does not count."
    )
    assert set(covered(body)) == {"Syria (SY)", "Deir ez-Zor (SY)"}


def test_a_province_word_picks_the_province_and_a_plain_mention_the_city(gazetteer):
    body = (
        "Fighting in Deir ez-Zor province. Deir ez-Zor province is large. "
        "Deir ez-Zor city held. The army entered Deir ez-Zor."
    )
    assert set(covered(body)) == {"Deir ez-Zor Governorate (SY)", "Deir ez-Zor (SY)"}


def test_other_places_in_the_text_pick_among_namesakes(gazetteer):
    lebanese = (
        "Clashes in Tripoli left two dead. Tripoli is Lebanon's second city; Lebanon mourned."
    )
    assert "Tripoli (LB)" in covered(lebanese)
    libyan = "Clashes in Tripoli left two dead, officials in Tripoli said."
    assert "Tripoli (LY)" in covered(libyan)  # the bigger one, with nothing else to go on


def test_a_named_state_brings_its_towns_in(gazetteer):
    body = "Storms hit Texas. In Paris, roofs were torn off; Paris schools closed. Texas mourned."
    assert "Paris (US)" in covered(body)
    assert "Paris (FR)" in covered("Paris talks resumed. Diplomats in Paris agreed.")


def test_the_datelines_country_picks_among_namesakes(gazetteer):
    body = "Residents of Tripoli fled. Tripoli was quiet by night."
    assert covered(body, dateline=("BEIRUT", "")) == ["Beirut (LB)", "Tripoli (LB)"]


def test_a_shouted_title_is_read_as_a_title(gazetteer):
    assert covered("", title="FIGHTING RESUMES IN DEIR EZ-ZOR") == ["Deir ez-Zor (SY)"]


def test_acronyms_of_countries_count_in_capitals_only(gazetteer):
    assert covered("US troops left. The US said so.") == ["United States (US)"]


def test_once_the_gazetteer_is_loaded_articles_are_read_without_a_query_or_a_rebuild(
    gazetteer, sample_page, monkeypatch
):
    """What keeps the ingest at thousands of articles a second (bench/ingest.py times it):
    no query and no gazetteer built per article. It timed 200 articles here before, a test
    that a busy machine could fail."""
    gazetteer_in_memory = current_gazetteer()
    body = sample_page.read_text().split("A+ A-\n", 1)[1].split("\nComments\n", 1)[0]
    article = SimpleNamespace(title="Syrian army", body=body, dateline_region_id=None,
                              outlet=SimpleNamespace(country=""))  # fmt: skip
    builds = []
    monkeypatch.setattr(Gazetteer, "from_database", lambda: builds.append(1))
    with CaptureQueriesContext(connection) as queries:
        found = [places_covered(article, gazetteer_in_memory) for _ in range(200)]
    assert (len(queries), builds) == (0, [])
    assert found[0]  # the sample page's places
    assert all(places == found[0] for places in found)


def test_a_stale_gazetteer_is_let_go_before_its_successor_is_built(
    gazetteer, settings, monkeypatch
):
    """Two gazetteers at once made a long ingest's memory step up at every rebuild."""
    stale = weakref.ref(current_gazetteer())
    settings.GAZETTEER_MAX_AGE = -1  # stale at once
    build = Gazetteer.from_database
    alive_while_building = []

    def watched() -> Gazetteer:
        alive_while_building.append(stale() is not None)
        return build()

    monkeypatch.setattr(Gazetteer, "from_database", watched)
    fresh = current_gazetteer()
    assert alive_while_building == [False]
    assert fresh.names
