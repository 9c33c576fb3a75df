from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from archive.models import Region
from search.backends import reset_backend
from search.sync import apply_outbox
from tests.factories import make_article, make_outlet, make_tag


@pytest.fixture
def indexed_articles(settings, tmp_path, gazetteer):
    """Three articles about Raqqa from two outlets, in a fresh index of their own."""
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    reset_backend()
    rudaw, reuters = make_outlet("Rudaw"), make_outlet("Reuters")
    raqqa_tag = make_tag("Raqqa")
    raqqa = Region.objects.get(name="Ar Raqqah")
    for outlet, title, day in [
        (rudaw, "Offensive on Raqqa enters final phase", 1),
        (rudaw, "Raqqa residents return to ruined homes", 20),
        (reuters, "Aid convoys reach Raqqa", 10),
    ]:
        article = make_article(
            outlet,
            title=title,
            body="Fighters and civilians in Raqqa, on the Euphrates river.",
            published_at=datetime(2017, 10, day, tzinfo=UTC),
            dateline="RAQQA, Syria",
            dateline_region=raqqa,
            tags=[raqqa_tag],
        )
        article.regions.add(raqqa)
    apply_outbox()  # the on-commit hook may have applied them already; twice is harmless
    yield
    reset_backend()


def test_a_reader_searches_from_the_header_and_narrows_by_outlet(
    live_server, indexed_articles, page: Page
):
    page.goto(live_server.url)
    header_search = page.get_by_role("search", name="Site")
    header_search.get_by_role("searchbox", name="Search the archive").fill("raqqa")
    header_search.get_by_role("searchbox", name="Search the archive").press("Enter")

    expect(page.get_by_role("heading", level=2, name="3 results")).to_be_visible()
    expect(page.locator(".hit")).to_have_count(3)
    expect(page.locator(".hit__title mark").first).to_have_text("Raqqa")
    expect(page.get_by_role("searchbox", name="Words to search for")).to_have_value("raqqa")
    expect(page.get_by_role("searchbox", name="Words to search for")).to_be_focused()

    filters = page.get_by_role("complementary", name="Narrow results")
    filters.get_by_role("link", name="Rudaw").click()

    expect(page.get_by_role("heading", level=2, name="2 results")).to_be_visible()
    expect(page.locator(".hit")).to_have_count(2)
    active = filters.locator('[aria-current="true"]')
    expect(active).to_have_count(1)
    expect(active).to_contain_text("Rudaw")
    expect(filters.get_by_role("link", name="Reuters")).to_have_count(0)

    active.click()

    expect(page.get_by_role("heading", level=2, name="3 results")).to_be_visible()
    expect(filters.locator('[aria-current="true"]')).to_have_count(0)


def test_on_a_phone_the_results_start_without_the_headers_search_box_above_them(
    live_server, indexed_articles, page: Page
):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(f"{live_server.url}/search/?q=raqqa")

    expect(page.get_by_role("search", name="Site")).to_have_count(0)
    expect(page.get_by_role("search", name="Search articles")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="3 results")).to_be_in_viewport()


def test_more_about_searching_opens_the_help_and_keeps_the_search(
    live_server, indexed_articles, page: Page
):
    page.goto(f"{live_server.url}/search/?q=raqqa&outlet=rudaw")
    expect(page.locator(".hit")).to_have_count(2)

    page.get_by_role("link", name="more about searching").click()

    expect(page.get_by_text("an exact phrase, its words in this order")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/search/?q=raqqa&outlet=rudaw")
    expect(page.locator(".hit")).to_have_count(2)
    expect(page.get_by_role("searchbox", name="Words to search for")).to_have_value("raqqa")
