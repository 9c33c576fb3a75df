"""Placing existing articles again (manage.py locate_articles), and the editors' list of
datelines the gazetteer could not resolve."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse

from archive.models import Article, Region
from search.models import IndexOutbox
from tests.factories import make_article

pytestmark = pytest.mark.django_db

BODY = "Crowds gathered in Beirut.\n\nIn Beirut the talks went on; Tripoli waited."


def city(name: str, country: str) -> Region:
    return Region.objects.get(name=name, country_code=country, kind=Region.Kind.CITY)


def datelined(place: str, qualifier: str = "", **fields) -> Article:
    printed = f"{place}, {qualifier}" if qualifier else place
    fields.setdefault("body", BODY)
    return make_article(
        dateline=printed, dateline_place=place, dateline_qualifier=qualifier, **fields
    )


def locate(*args: str) -> str:
    out = StringIO()
    call_command("locate_articles", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_locate_articles_resolves_datelines_and_finds_places_covered(gazetteer):
    article = datelined("TRIPOLI", "Lebanon")
    IndexOutbox.objects.all().delete()

    output = locate()

    article.refresh_from_db()
    assert article.dateline_region == city("Tripoli", "LB")
    assert set(article.regions.all()) == {city("Tripoli", "LB"), city("Beirut", "LB")}
    assert "1 dateline places changed, 1 lists of places covered changed" in output
    # Bulk changes send no signals: the command told the search outbox itself.
    assert set(IndexOutbox.objects.values_list("article_id", flat=True)) == {article.id}


def test_running_it_again_changes_nothing(gazetteer):
    datelined("TRIPOLI", "Lebanon")
    locate()
    IndexOutbox.objects.all().delete()

    output = locate()

    assert "0 dateline places changed, 0 lists of places covered changed" in output
    assert not IndexOutbox.objects.exists()


def test_unresolved_only_leaves_resolved_articles_alone(gazetteer):
    resolved = datelined("BEIRUT", dateline_region=city("Beirut", "LB"))
    unresolved = datelined("TRIPOLI", "Libya")

    locate("--unresolved-only", "--batch-size", "1")

    assert not resolved.regions.exists()
    unresolved.refresh_from_db()
    assert unresolved.dateline_region == city("Tripoli", "LY")


def test_an_unknown_dateline_keeps_its_text_and_is_counted_unresolved(gazetteer):
    article = datelined("NOWHEREVILLE")

    output = locate()

    article.refresh_from_db()
    assert article.dateline == "NOWHEREVILLE"
    assert article.dateline_region is None
    assert "1 datelines unresolved" in output


def test_a_dateline_region_set_by_hand_is_kept_when_the_gazetteer_has_no_answer(gazetteer):
    beirut = city("Beirut", "LB")
    article = datelined("NOWHEREVILLE", dateline_region=beirut)
    locate()
    article.refresh_from_db()
    assert article.dateline_region == beirut


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_article", "change_article"])
    )
    return user


UNRESOLVED = reverse("admin:archive_article_changelist") + "?dateline_place=unresolved"


def test_editors_see_the_unresolved_datelines(client, gazetteer, editor):
    unresolved = datelined("NOWHEREVILLE", title="Lost place")
    datelined("BEIRUT", title="Found place", dateline_region=city("Beirut", "LB"))
    make_article(title="No dateline at all")
    client.force_login(editor)

    response = client.get(UNRESOLVED)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [unresolved]
    assert "Unresolved dateline" in response.content.decode()


def test_the_unresolved_list_is_for_staff_with_permission_only(client, gazetteer):
    assert client.get(UNRESOLVED).status_code == 302  # to the admin's sign-in page
    reader = User.objects.create_user("reader", password="pw")
    client.force_login(reader)
    assert client.get(UNRESOLVED).status_code == 302
    staff_without_permission = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff_without_permission)
    assert client.get(UNRESOLVED).status_code == 403


def test_editors_can_place_selected_articles_again(client, gazetteer, editor):
    article = datelined("TRIPOLI", "Lebanon")
    client.force_login(editor)

    response = client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "locate_again", "_selected_action": [article.id]},
        follow=True,
    )

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.dateline_region == city("Tripoli", "LB")


def test_editors_add_areas_in_the_same_tree(client, gazetteer):
    user = User.objects.create_superuser("chief", password="pw")
    client.force_login(user)
    iraq = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="IQ")

    response = client.post(
        reverse("admin:archive_region_add"),
        {
            "name": "Nineveh Plains North",
            "slug": "nineveh-plains-north",
            "kind": "area",
            "parent": iraq.id,
            "country_code": "",
            "population": 0,
            "iso_code": "",
            "geonames_id": "",
            "names-TOTAL_FORMS": 1,
            "names-INITIAL_FORMS": 0,
            "names-0-name": "Plains of Nineveh North",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    area = Region.objects.get(slug="nineveh-plains-north")
    assert area.country_code == "IQ"
    assert area in Region.objects.subtree_of(iraq)
    assert area.iso_code is None
    article = datelined("NOWHEREVILLE", body="Plains of Nineveh North. Plains of Nineveh North.")
    locate()
    assert area in article.regions.all()
