from playwright.sync_api import Page, expect

from archive.ingest.pipeline import ingest_paths
from archive.places import forget_gazetteer

TITLE = "Syrian army and backers fight into Deir ez-Zor from the south"


def test_a_reader_drills_down_from_a_continent_to_a_city_and_an_article(
    live_server, gazetteer, sample_page, page: Page
):
    forget_gazetteer()  # the regions this test's database has, not an earlier test's
    assert ingest_paths([sample_page]).created == 1

    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Regions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Regions")

    page.get_by_role("link", name="Asia", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asia")
    expect(page.locator(".count").first).to_have_text("1 article")

    page.get_by_role("link", name="Iraq", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iraq")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Asia")
    expect(page.get_by_role("img", name="Articles per month")).to_be_visible()

    page.get_by_role("region", name="Cities").get_by_role("link", name="Erbil", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erbil")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Kurdistan Region")

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".article__footer")).to_contain_text("Dateline place: Erbil, Iraq")


def test_a_reader_filters_a_place_by_date_and_the_filter_stays_in_the_address(
    live_server, gazetteer, sample_page, page: Page
):
    forget_gazetteer()
    ingest_paths([sample_page])

    page.goto(f"{live_server.url}/regions/syria/")
    page.get_by_text("Filter these articles").click()
    page.get_by_label("From", exact=True).fill("2017-09-01")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(f"{live_server.url}/regions/syria/?since=2017-09-01")
    expect(page.get_by_text("No articles match these filters.")).to_be_visible()
    page.get_by_role("link", name="Clear the filters").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
