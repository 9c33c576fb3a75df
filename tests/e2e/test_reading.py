from playwright.sync_api import Page, expect

from archive.ingest.pipeline import ingest_paths
from tests.factories import make_article


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


def test_a_reader_whose_comment_is_refused_lands_on_the_error_with_their_words_kept(
    live_server, settings, page: Page
):
    # The live server runs in this process: a post sooner than a minute is "too quick".
    settings.COMMENT_MIN_SECONDS = 60
    settings.SEARCH_SYNC_ON_COMMIT = False
    long_body = "\n\n".join(f"Paragraph {n} of a long report from the front." for n in range(40))
    article = make_article(title="A long report", body=long_body)

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.get_by_label("Name").fill("Ann Reader")
    page.get_by_label("E-mail").fill("ann@example.com")
    page.get_by_role("textbox", name="Comment").fill("My carefully typed remark.")
    page.get_by_role("button", name="Post comment").click()

    errors = page.locator("#comment-form-errors")
    expect(errors).to_contain_text("That was quick")
    expect(errors).to_be_focused()
    expect(errors).to_be_in_viewport()  # not a screen and a half below the top of the article
    assert page.evaluate("window.scrollY") > 0
    expect(page.get_by_role("textbox", name="Comment")).to_have_value("My carefully typed remark.")
