"""A region whose slug an editor changes keeps its old addresses: its page and feed answer
301 to the region now, and every place filter follows the old slug, as for tags."""

import pytest
from django.urls import reverse

from archive.admin_filters import RegionFilter
from archive.gazetteer import load_regions
from archive.models import Region, RegionRedirect
from tests.curation.admin_forms import region_form
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def make_area(name: str, slug: str) -> Region:
    return Region.objects.create(name=name, slug=slug, parent=Region.objects.get(slug="iraq"))


def change_slug(region: Region, slug: str) -> Region:
    region.slug = slug
    region.save()
    return region


def old_slugs() -> list[str]:
    return list(RegionRedirect.objects.values_list("old_slug", flat=True))


def test_changing_a_slug_in_the_admin_moves_the_old_address_for_good(
    editor_client, client, gazetteer
):
    valley = make_area("Border Valley", "border-valley")
    response = editor_client.post(
        reverse("admin:archive_region_change", args=[valley.pk]),
        region_form(name="Border Valley", slug="frontier-valley", parent=valley.parent_id),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert RegionRedirect.objects.get(old_slug="border-valley").region == valley
    moved = client.get("/regions/border-valley/?since=2017-08-01&page=2")
    assert moved.status_code == 301
    assert moved["Location"] == "/regions/frontier-valley/?since=2017-08-01&page=2"
    assert client.get("/regions/frontier-valley/").status_code == 200


def test_an_old_slugs_feed_moves_to_the_regions_feed_keeping_the_query(client, gazetteer):
    change_slug(make_area("Border Valley", "border-valley"), "frontier-valley")

    response = client.get("/regions/border-valley/feed/?utm=reader")

    assert response.status_code == 301
    assert response["Location"] == "/regions/frontier-valley/feed/?utm=reader"
    assert client.get("/regions/frontier-valley/feed/").status_code == 200
    assert client.get("/regions/atlantis/feed/").status_code == 404


def test_old_slugs_move_in_one_step_after_two_changes(client, gazetteer):
    valley = make_area("Border Valley", "border-valley")
    change_slug(valley, "frontier-valley")
    change_slug(valley, "north-valley")

    for old in ("border-valley", "frontier-valley"):
        response = client.get(f"/regions/{old}/")
        assert response.status_code == 301, old
        assert response["Location"] == "/regions/north-valley/"


def test_changing_a_slug_back_makes_it_live_again_with_no_loop(client, gazetteer):
    valley = make_area("Border Valley", "border-valley")
    change_slug(valley, "frontier-valley")
    change_slug(valley, "border-valley")

    assert client.get("/regions/border-valley/").status_code == 200
    assert client.get("/regions/frontier-valley/")["Location"] == "/regions/border-valley/"
    assert old_slugs() == ["frontier-valley"]


def test_a_new_region_taking_an_old_slug_is_that_regions_again(client, gazetteer):
    valley = change_slug(make_area("Border Valley", "border-valley"), "frontier-valley")

    newcomer = make_area("Border Valley (east)", "border-valley")

    assert client.get("/regions/border-valley/").context["region"] == newcomer
    assert client.get("/regions/frontier-valley/").context["region"] == valley
    assert old_slugs() == []  # the redirect the slug was is gone, not merely outranked


def test_a_save_that_keeps_the_slug_records_nothing(gazetteer):
    valley = make_area("Border Valley", "border-valley")
    valley.name = "Frontier Valley"
    valley.parent = Region.objects.get(slug="syria")
    valley.save()
    valley.slug = "not-written"
    valley.save(update_fields=["name"])  # the slug in memory is not the saved one

    assert old_slugs() == []
    assert Region.objects.resolving("border-valley").get() == valley


def test_resolving_prefers_the_live_region_then_follows_redirects(gazetteer):
    valley = change_slug(make_area("Border Valley", "border-valley"), "frontier-valley")
    assert list(Region.objects.resolving("border-valley")) == [valley]
    assert list(Region.objects.resolving("frontier-valley")) == [valley]
    assert list(Region.objects.resolving("atlantis")) == []


def test_deleting_a_region_deletes_its_old_slugs(client, gazetteer):
    change_slug(make_area("Border Valley", "border-valley"), "frontier-valley").delete()
    assert old_slugs() == []
    assert client.get("/regions/border-valley/").status_code == 404


# Every filter that reads a place's slug follows an old one.


@pytest.fixture
def valley_renamed(gazetteer):
    """An area whose slug changed from border-valley, with an article about it, and one
    about no place: a filter dropped rather than applied would list both."""
    valley = make_area("Border Valley", "border-valley")
    covering = make_article(title="Fighting in the valley", body="Heavy fighting went on.")
    covering.regions.add(valley)
    make_article(title="Fighting nowhere in particular", body="Fighting, somewhere.")
    change_slug(valley, "frontier-valley")
    return valley


def test_the_browse_place_filter_follows_an_old_slug(client, valley_renamed):
    response = client.get("/", {"region": "border-valley"})
    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]] == ["Fighting in the valley"]


def test_the_api_place_filter_follows_an_old_slug(client, valley_renamed):
    response = client.get(reverse("api:articles"), {"region": "border-valley"})
    assert response.status_code == 200
    assert [a["title"] for a in response.json()["results"]] == ["Fighting in the valley"]


def test_searchs_place_filters_follow_an_old_slug(client, valley_renamed, sync):
    sync()
    by_parameter = client.get("/search/", {"q": "fighting", "region": "border-valley"})
    in_the_query = client.get("/search/", {"q": "fighting region:border-valley"})
    for response in (by_parameter, in_the_query):
        assert response.status_code == 200
        assert [a.title for _, a in response.context["hits"]] == ["Fighting in the valley"]
    # The links the page writes name the place by its slug now.
    assert by_parameter.context["params"].regions == ("frontier-valley",)
    api = client.get(reverse("api:search"), {"q": "fighting", "region": "border-valley"})
    assert api.status_code == 200
    assert [hit["article"]["title"] for hit in api.json()["hits"]] == ["Fighting in the valley"]


def test_the_admin_place_filter_follows_an_old_slug(editor_client, valley_renamed):
    response = editor_client.get(
        reverse("admin:archive_article_changelist"), {"region": "border-valley"}
    )

    assert response.status_code == 200
    assert [a.title for a in response.context["cl"].result_list] == ["Fighting in the valley"]
    (region_filter,) = [
        f for f in response.context["cl"].filter_specs if isinstance(f, RegionFilter)
    ]
    assert ("border-valley", "Border Valley") in region_filter.lookup_choices  # chosen


# The gazetteer loader writes no slug: it records no redirect, and keeps an editor's change.


def test_reloading_the_gazetteer_records_no_redirect(gazetteer):
    load_regions(["IQ"])
    assert old_slugs() == []


def test_a_slug_an_editor_changed_survives_a_reload(gazetteer):
    erbil = Region.objects.get(name="Erbil", kind=Region.Kind.CITY, country_code="IQ")
    valley = Region.objects.get(name="Middle Euphrates Valley")  # a bundled area
    old_city, old_area = erbil.slug, valley.slug
    change_slug(erbil, "hawler")
    change_slug(valley, "euphrates-valley")

    load_regions(["IQ", "SY"])

    assert Region.objects.get(pk=erbil.pk).slug == "hawler"
    assert Region.objects.get(pk=valley.pk).slug == "euphrates-valley"
    assert Region.objects.filter(name="Middle Euphrates Valley").count() == 1
    assert sorted(old_slugs()) == sorted([old_city, old_area])


def test_a_place_the_gazetteer_loads_anew_takes_an_old_slug(client, gazetteer):
    """Jordan is not loaded yet; an editor's area once had its slug."""
    area = change_slug(make_area("Jordan crossing", "jordan"), "jordan-crossing")

    load_regions(["JO"])

    jordan = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="JO")
    assert jordan.slug == "jordan"
    assert client.get("/regions/jordan/").context["region"] == jordan
    assert old_slugs() == []
    assert client.get("/regions/jordan-crossing/").context["region"] == area
