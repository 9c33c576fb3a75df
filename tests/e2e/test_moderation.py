from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from archive.models import Comment
from moderation.roles import moderators_group
from moderation.services import submit_comment
from tests.factories import make_article

PASSWORD = "a-long-e2e-password"


def test_a_reader_comments_a_moderator_approves_it_by_keyboard_and_the_reader_sees_it(
    live_server, settings, page: Page, browser: Browser
):
    # The live server runs in this process, so these apply to it: no waiting for the form's
    # minimum delay, and no search index writes for the article we make.
    settings.COMMENT_MIN_SECONDS = 0
    settings.SEARCH_SYNC_ON_COMMIT = False
    article = make_article(title="Syrian army advances on Deir ez-Zor")
    moderator = get_user_model().objects.create_user("mona", "mona@example.com", PASSWORD)
    moderator.groups.add(moderators_group())
    article_url = f"{live_server.url}{article.get_absolute_url()}"

    # A reader posts a comment and is told it is held for moderation.
    page.goto(article_url)
    page.get_by_label("Name").fill("Ann Reader")
    page.get_by_label("E-mail").fill("ann@example.com")
    page.get_by_role("textbox", name="Comment").fill("Clear reporting <b>under</b> pressure.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text("held for moderation")
    expect(page.locator(".comment-list")).to_have_count(0)

    # Meanwhile a spammer's comment arrives.
    submit_comment(
        article=article,
        author_name="Deals",
        author_email="deals@example.com",
        body="Cheap watches at www.best-deals.shop",
    )

    # A moderator signs in and works the queue with the keyboard.
    moderation = browser.new_context().new_page()
    moderation.set_default_timeout(10_000)
    moderation.goto(f"{live_server.url}/moderation/")
    moderation.get_by_label("Username").fill("mona")
    moderation.get_by_label("Password").fill(PASSWORD)
    moderation.get_by_role("button", name="Sign in").click()
    expect(moderation.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    expect(moderation.locator("[data-queue]")).to_have_attribute("data-keyboard", "ready")
    pending = moderation.locator('.queue-tabs [data-count="pending"]')
    expect(pending).to_have_text("2")
    reader_item = moderation.locator(".queue-item").filter(has_text="Ann Reader")
    spam_item = moderation.locator(".queue-item").filter(has_text="Deals")
    expect(spam_item.locator("mark")).to_have_text("www.best-deals.shop")

    moderation.keyboard.press("?")
    expect(moderation.get_by_text("next / previous comment")).to_be_visible()
    moderation.keyboard.press("?")

    moderation.keyboard.press("j")
    expect(reader_item).to_have_class("queue-item queue-item--pending is-current")
    moderation.keyboard.press("a")
    expect(reader_item).to_contain_text("Approved")
    expect(reader_item.locator(".events")).to_contain_text("Pending → Approved by mona")
    expect(pending).to_have_text("1")

    # The next comment is selected after a decision: r, then 6 (promotion), rejects it.
    expect(spam_item).to_have_class("queue-item queue-item--pending is-current")
    moderation.keyboard.press("r")
    moderation.keyboard.press("6")
    expect(spam_item).to_contain_text("Rejected: Commercial or personal promotion")
    expect(pending).to_have_text("0")
    assert moderation.url == f"{live_server.url}/moderation/"  # all in place, no reload

    # The reader sees the approved comment, escaped, and not the rejected one.
    page.reload()
    comments = page.locator(".comment-list")
    expect(comments).to_contain_text("Ann Reader")
    expect(comments).to_contain_text("Clear reporting <b>under</b> pressure.")
    expect(comments).not_to_contain_text("Cheap watches")
    assert Comment.objects.get(author_name="Ann Reader").events.get().actor == moderator


def test_the_bulk_bar_fits_one_line_matches_the_comments_buttons_and_keeps_ticks(
    live_server, settings, page: Page
):
    settings.SEARCH_SYNC_ON_COMMIT = False
    article = make_article(title="Syrian army advances on Deir ez-Zor")
    moderator = get_user_model().objects.create_user("mona", "mona@example.com", PASSWORD)
    moderator.groups.add(moderators_group())
    for name in ("Ann Reader", "Ben Reader"):
        submit_comment(
            article=article,
            author_name=name,
            author_email=f"{name.split()[0].lower()}@example.com",
            body=f"A remark by {name}.",
        )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/moderation/")
    page.get_by_label("Username").fill("mona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    bulk = page.get_by_role("form", name="Bulk decision")
    bulk_approve = bulk.get_by_role("button", name="Approve")
    bulk_reject = bulk.get_by_role("button", name="Reject")
    first = page.locator(".queue-item").first
    for ours, theirs in [(bulk_approve, "Approve"), (bulk_reject, "Reject")]:
        own = first.get_by_role("button", name=theirs)
        background = own.evaluate("button => getComputedStyle(button).backgroundColor")
        expect(ours).to_have_css("background-color", background)
    # One line: Reject is level with Approve, not wrapped under it.
    assert bulk_reject.bounding_box()["y"] == bulk_approve.bounding_box()["y"]

    # Reject without a reason: refused, and the ticks are still there to correct.
    ann = page.get_by_role("checkbox", name="Tick the comment by Ann Reader")
    ann.check()
    bulk_reject.click()
    expect(page.get_by_role("alert")).to_contain_text("A rejection needs a reason")
    expect(page.get_by_role("checkbox", name="Tick the comment by Ann Reader")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Tick the comment by Ben Reader")).not_to_be_checked()
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 2
