"""The Content-Security-Policy holds in a real browser: every main page works under it and the
browser reports no violation (no inline script or style left anywhere, ours or a library's)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from moderation.services import submit_comment
from search.backends import reset_backend
from search.sync import apply_outbox
from tests.factories import make_article, make_outlet, make_tag

PASSWORD = "a-long-e2e-password"

# Runs in the page before any of its own scripts; Playwright injects it past the CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watched:
    """A page that remembers CSP violations, console errors and uncaught script errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console_errors: list[str] = []
        self.script_errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    def problems(self) -> list[str]:
        violations = self.page.evaluate("window.__cspViolations || []")
        return [*violations, *self.console_errors, *self.script_errors]

    def assert_clean(self) -> None:
        assert self.problems() == []


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Watched(page)
    context.close()


@pytest.fixture
def site(settings, tmp_path, live_server):
    """Two indexed articles open for comments, a superuser and a pending comment."""
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    settings.COMMENT_MIN_SECONDS = 0  # the live server runs in this process
    reset_backend()
    rudaw = make_outlet("Rudaw")
    tag = make_tag("Raqqa")
    article = make_article(
        rudaw,
        title="Offensive on Raqqa enters final phase",
        body="RAQQA, Syria - Fighters pushed into the old city of Raqqa.\n\nCivilians fled.",
        dateline="RAQQA, Syria",
        published_at=datetime(2017, 10, 1, tzinfo=UTC),
        tags=[tag],
    )
    make_article(rudaw, title="Aid convoys reach Raqqa", tags=[tag])
    apply_outbox()
    get_user_model().objects.create_superuser("ada", "ada@example.com", PASSWORD)
    submit_comment(
        article=article,
        author_name="Ann Reader",
        author_email="ann@example.com",
        body="Clear reporting under pressure.",
    )
    yield {"url": live_server.url, "article": article}
    reset_backend()


def test_every_response_carries_the_policy_without_unsafe_inline(site, watched: Watched):
    response = watched.page.goto(site["url"])
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_reader_pages_work_under_the_policy(site, watched: Watched):
    page, url = watched.page, site["url"]

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Latest articles")
    # The stylesheet applied: dateline.css moves the skip link off screen.
    assert page.locator(".skip-link").bounding_box()["x"] < 0

    page.get_by_role("search", name="Site").get_by_role("searchbox").fill("raqqa")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="2 results")).to_be_visible()
    expect(page.locator(".hit__title mark").first).to_have_text("Raqqa")

    page.get_by_role("link", name="Offensive on Raqqa enters final phase").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Offensive on Raqqa enters final phase"
    )
    page.get_by_label("Name").fill("Ben Reader")
    page.get_by_label("E-mail").fill("ben@example.com")
    page.get_by_role("textbox", name="Comment").fill("A useful summary of the fighting.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text("held for moderation")

    page.goto(f"{url}/tags/raqqa/")  # a timeline drawn as inline SVG
    expect(page.locator(".timeline__chart")).to_be_visible()
    watched.assert_clean()


def test_the_staff_pages_work_under_the_policy(site, watched: Watched):
    page, url = watched.page, site["url"]

    page.goto(f"{url}/admin/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    page.goto(f"{url}/admin/archive/article/")
    expect(page.locator("#result_list")).to_contain_text("Offensive on Raqqa")
    page.locator("#action-toggle").check()  # the admin's own script ticks every row
    expect(page.locator(".action-counter")).to_contain_text("2 of 2 selected")
    page.get_by_role("link", name="Offensive on Raqqa enters final phase").click()
    expect(page.locator("#article_form")).to_be_visible()
    expect(page.locator(".related-widget-wrapper").first).to_be_visible()

    page.goto(f"{url}/moderation/")
    expect(page.locator("[data-queue]")).to_have_attribute("data-keyboard", "ready")
    page.keyboard.press("?")
    expect(page.get_by_text("next / previous comment")).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(".queue-item").first).to_contain_text("Approved")
    watched.assert_clean()


def test_the_api_docs_work_under_the_policy(site, watched: Watched):
    page = watched.page
    page.goto(f"{site['url']}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Dateline API")
    operation = page.locator(".opblock").filter(has_text="/api/articles/").first
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    # Swagger UI called the API from the page (connect-src 'self') and shows its answer.
    expect(page.locator(".live-responses-table tbody .response-col_status")).to_contain_text("200")
    watched.assert_clean()


def test_the_error_pages_are_the_sites_pages_under_the_policy(site, watched: Watched):
    page, url = watched.page, site["url"]

    response = page.goto(f"{url}/articles/no-such-article/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert page.locator(".skip-link").bounding_box()["x"] < 0  # the stylesheet applied
    expect(page.get_by_role("search", name="Site")).to_be_visible()

    # The reader's CSRF cookie is gone (cleared, expired) when the comment form is sent.
    page.goto(f"{url}{site['article'].get_absolute_url()}")
    page.context.clear_cookies()
    page.get_by_label("Name").fill("Ben Reader")
    page.get_by_label("E-mail").fill("ben@example.com")
    page.get_by_role("textbox", name="Comment").fill("A useful summary of the fighting.")
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("button", name="Post comment").click()
    assert posted.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Your form could not be sent")
    expect(page.get_by_role("link", name="search the archive")).to_be_visible()

    # The browser logs each 4xx answer as a console error: only the policy and scripts count.
    assert page.evaluate("window.__cspViolations") == []
    assert watched.script_errors == []
