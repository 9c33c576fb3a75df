"""Region curation: editors add areas, move regions in the tree and fix an article's
dateline place; each change reaches the search index."""

import pytest
from django.urls import reverse

from archive.models import Region
from tests.curation.admin_forms import region_form
from tests.factories import make_article
from tests.search.conftest import backends_for_this_database

pytestmark = pytest.mark.django_db


def found_in(client, region: Region) -> set[str]:
    """The titles the portal finds for "fighting" in a place (and the places inside it)."""
    response = client.get("/search/", {"q": "fighting", "region": region.slug})
    assert response.status_code == 200
    return {article.title for _, article in response.context["hits"]}


def test_an_editor_adds_an_area_that_datelines_then_resolve_to(editor_client, gazetteer):
    syria = Region.objects.get(slug="syria")
    response = editor_client.post(
        reverse("admin:archive_region_add"),
        region_form(
            name="Smalltown Valley",
            slug="smalltown-valley",
            parent=syria.pk,
            **{"names-TOTAL_FORMS": "1", "names-0-name": "Wadi Smalltown"},
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    area = Region.objects.get(slug="smalltown-valley")
    assert area.kind == Region.Kind.AREA
    assert area.country_code == "SY"
    assert area in Region.objects.subtree_of(syria)

    article = make_article(dateline="WADI SMALLTOWN", dateline_place="WADI SMALLTOWN")
    editor_client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "locate_again", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.dateline_region == area


@pytest.mark.parametrize("backend_name", backends_for_this_database())
def test_moving_a_region_reindexes_the_articles_in_its_subtree(
    editor_client, client, gazetteer, sync, outbox
):
    iraq, syria = Region.objects.get(slug="iraq"), Region.objects.get(slug="syria")
    valley = Region.objects.create(name="Border Valley", slug="border-valley", parent=iraq)
    village = Region.objects.create(name="Tiny Village", slug="tiny-village", parent=valley)
    covering = make_article(title="Covers the valley", body="Heavy fighting in the valley.")
    covering.regions.add(valley)
    filed = make_article(
        title="Filed from the village",
        body="Fighting reached the village.",
        dateline_region=village,
    )
    elsewhere = make_article(title="Elsewhere in Iraq", body="Fighting near Basra.")
    elsewhere.regions.add(iraq)
    sync()
    assert found_in(client, syria) == set()
    outbox.clear()

    response = editor_client.post(
        reverse("admin:archive_region_change", args=[valley.pk]),
        region_form(name=valley.name, slug=valley.slug, parent=syria.pk, country_code="SY"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    # Recorded in the move's own transaction, not left to a rebuild.
    assert outbox() == {covering.pk, filed.pk}
    sync()
    assert found_in(client, syria) == {"Covers the valley", "Filed from the village"}
    assert found_in(client, iraq) == {"Elsewhere in Iraq"}
    assert found_in(client, village) == {"Filed from the village"}


def test_a_region_cannot_be_moved_inside_itself(editor_client, gazetteer):
    iraq = Region.objects.get(slug="iraq")
    valley = Region.objects.create(name="Border Valley", slug="border-valley", parent=iraq)
    village = Region.objects.create(name="Tiny Village", slug="tiny-village", parent=valley)
    response = editor_client.post(
        reverse("admin:archive_region_change", args=[valley.pk]),
        region_form(name=valley.name, slug=valley.slug, parent=village.pk),
    )
    assert response.status_code == 200
    assert "cannot sit inside itself" in response.content.decode()
    valley.refresh_from_db()
    assert valley.parent == iraq


def test_renaming_a_region_changes_no_document(editor_client, gazetteer, outbox):
    """Documents hold region ids, not names: a rename sends nothing to the index."""
    valley = Region.objects.create(
        name="Border Valley", slug="border-valley", parent=Region.objects.get(slug="iraq")
    )
    make_article().regions.add(valley)
    outbox.clear()
    editor_client.post(
        reverse("admin:archive_region_change", args=[valley.pk]),
        region_form(name="Frontier Valley", slug=valley.slug, parent=valley.parent_id),
    )
    valley.refresh_from_db()
    assert valley.name == "Frontier Valley"
    assert outbox() == set()
