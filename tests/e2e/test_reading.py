from playwright.sync_api import Page, expect

from archive.ingest.pipeline import ingest_paths


def test_a_reader_opens_the_sample_article_from_the_home_page(
    live_server, gazetteer, sample_page, page: Page
):
    assert ingest_paths([sample_page]).created == 1

    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Latest articles")
    page.get_by_role(
        "link", name="Syrian army and backers fight into Deir ez-Zor from the south"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Syrian army and backers fight into Deir ez-Zor from the south"
    )
    expect(page.locator(".article__body .dateline")).to_have_text("ERBIL, Kurdistan Region")
    expect(page.get_by_role("link", name="Middle Euphrates Valley")).to_be_visible()
