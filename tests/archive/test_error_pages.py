"""Error pages are the site's own pages: header, navigation, search box and a way on.

The tests run with DEBUG off, as production does, so Django renders 404.html, 403.html and
403_csrf.html from templates/ rather than its debug pages."""

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from moderation.roles import ensure_groups
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def assert_is_the_sites_page(response, heading: str) -> None:
    page = lxml_html.fromstring(response.content.decode())
    assert [h1.text_content().strip() for h1 in page.xpath("//main//h1")] == [heading]
    assert page.xpath("//header[@class='site-header']//nav[@aria-label='Main']//a")
    assert page.xpath("//header//form[@role='search'][@action='/search/']//input[@name='q']")
    links_on = {a.get("href") for a in page.xpath("//main//a")}
    assert {"/", "/search/"} <= links_on
    assert page.xpath("//link[@rel='stylesheet'][contains(@href, 'dateline.css')]")


def test_an_unknown_article_gets_the_sites_not_found_page(client):
    response = client.get(reverse("archive:article", kwargs={"slug": "no-such-article"}))

    assert response.status_code == 404
    assert_is_the_sites_page(response, "Page not found")


def test_an_unknown_address_gets_the_sites_not_found_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_is_the_sites_page(response, "Page not found")


def test_a_reader_who_is_not_a_moderator_gets_the_sites_forbidden_page(client, django_user_model):
    ensure_groups()
    client.force_login(django_user_model.objects.create_user("rita", password="x-long-password"))

    response = client.get(reverse("moderation:queue"))

    assert response.status_code == 403
    assert_is_the_sites_page(response, "You are not allowed to see this page")


def test_a_form_without_its_csrf_token_gets_the_sites_csrf_page():
    article = make_article()
    client = Client(enforce_csrf_checks=True)  # the test client skips the check otherwise

    response = client.post(
        reverse("archive:post_comment", kwargs={"slug": article.slug}),
        {"author_name": "Ann", "author_email": "ann@example.com", "body": "A remark."},
    )

    assert response.status_code == 403
    assert_is_the_sites_page(response, "Your form could not be sent")
    assert "send the form again" in response.content.decode()
