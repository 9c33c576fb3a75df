"""Old slugs of tags and regions, one implementation for both (archive.models.slug_redirects):
found with the live slug in one indexed query, kept by every save that changes a slug
without reading the slug again, answered 301 by every page and feed through one helper
(archive.views.object_or_moved), and shown to editors in the admin to see and delete."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.curation import merge_tags, rename_tag
from archive.models import Region, RegionRedirect, Tag, TagRedirect
from archive.models.slug_redirects import keep_old_slug
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def make_area(name: str, slug: str) -> Region:
    return Region.objects.create(name=name, slug=slug, parent=Region.objects.get(slug="iraq"))


def changed_slug(obj: Tag | Region, slug: str) -> Tag | Region:
    obj.slug = slug
    obj.save()
    return obj


def old_slugs() -> dict[str, str]:
    """Every old slug, of tags and regions alike, with the slug it leads to now."""
    return {
        redirect.old_slug: redirect.target.slug
        for model in (TagRedirect, RegionRedirect)
        for redirect in model.objects.all()
    }


@pytest.fixture(params=["tag", "region"])
def renamed(request, gazetteer) -> Tag | Region:
    """A tag or a region whose slug changed from "border-valley" to "frontier-valley"."""
    if request.param == "tag":
        return changed_slug(make_tag("Border Valley"), "frontier-valley")
    return changed_slug(make_area("Border Valley", "border-valley"), "frontier-valley")


# Finding an object by its slug or an old one.


def test_an_old_slug_a_live_one_or_none_is_found_in_one_query(renamed, django_assert_num_queries):
    objects = type(renamed).objects
    with django_assert_num_queries(1):
        assert objects.resolving("border-valley").first() == renamed
    with django_assert_num_queries(1):
        assert objects.resolving("frontier-valley").first() == renamed
    with django_assert_num_queries(1):
        assert objects.resolving("atlantis").first() is None


def test_the_live_slug_wins_over_a_redirect_a_bulk_write_left(gazetteer):
    isil, isis = make_tag("ISIL"), make_tag("ISIS")
    merge_tags([isil], into=isis)
    # The ingest makes its new tags in bulk: no save, so the redirect stays beside them.
    (reborn,) = Tag.objects.bulk_create([Tag(name="ISIL", slug="isil")])

    assert list(Tag.objects.resolving("isil")) == [reborn, isis]
    assert Tag.objects.resolving("isil").first() == reborn


def plan_of(queryset) -> str:
    """As tests/archive/test_ingest_query_plans.py asks: PostgreSQL would rightly scan a
    test table of a few rows, so scans are switched off; the indexes must be usable."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@pytest.mark.parametrize("model", [Tag, Region])
def test_finding_by_slug_or_old_slug_reads_indexes_never_the_whole_table(model):
    plan = plan_of(model.objects.resolving("border-valley")[:1])
    table = model._meta.db_table
    assert "Seq Scan" not in plan, plan  # PostgreSQL: a BitmapOr of the two indexes
    assert f"SCAN {table}" not in plan, plan  # SQLite: "SEARCH", by an index


# Keeping old slugs: every save that changes one, whatever made it.


def test_a_save_that_changes_a_slug_keeps_the_old_one(renamed):
    assert old_slugs() == {"border-valley": "frontier-valley"}


def test_changing_a_slug_back_leaves_no_loop(renamed):
    changed_slug(renamed, "border-valley")
    assert old_slugs() == {"frontier-valley": "border-valley"}
    assert type(renamed).objects.resolving("border-valley").get() == renamed


def test_an_object_taking_an_old_slug_as_its_own_removes_the_redirect(renamed):
    model = type(renamed)
    newcomer = model.objects.create(name="Border Valley (east)", slug="border-valley")

    assert old_slugs() == {}
    assert model.objects.resolving("border-valley").get() == newcomer
    assert model.objects.resolving("frontier-valley").get() == renamed


def test_old_slugs_lead_to_the_object_in_one_step(renamed):
    changed_slug(renamed, "north-valley")
    assert old_slugs() == {"border-valley": "north-valley", "frontier-valley": "north-valley"}


def test_keeping_an_old_slug_is_two_writes(gazetteer, django_assert_num_queries):
    tag = make_tag("Kirkuk")
    with django_assert_num_queries(2):  # one DELETE, one INSERT: no lock, no savepoint
        keep_old_slug(tag, "kerkuk")
    assert old_slugs() == {"kerkuk": "kirkuk"}


def test_a_loaded_region_saves_without_reading_its_slug_again(gazetteer, django_assert_num_queries):
    make_area("Border Valley", "border-valley")
    valley = Region.objects.get(slug="border-valley")

    valley.name = "Border valley"
    # SAVEPOINT, the parent's path, the UPDATE, the gazetteer's new version token, RELEASE:
    # the slug it had is remembered.
    with django_assert_num_queries(5):
        valley.save()
    # Now with a new slug: a DELETE and an INSERT more, still no SELECT of the slug.
    valley.slug = "frontier-valley"
    with django_assert_num_queries(7):
        valley.save()
    # And again: the slug the last save wrote is the one to keep.
    valley.slug = "north-valley"
    valley.save()
    assert old_slugs() == {"border-valley": "north-valley", "frontier-valley": "north-valley"}


def test_a_region_never_loaded_asks_for_its_slug_once(gazetteer, django_assert_num_queries):
    valley = make_area("Border Valley", "border-valley")
    built = Region(
        pk=valley.pk,
        name="Border Valley",
        slug="frontier-valley",
        parent=valley.parent,
        path=valley.path,  # as it is: no rewrite of the path to count
    )
    with django_assert_num_queries(8):  # the 7 above, and the slug the database holds
        built.save()
    assert old_slugs() == {"border-valley": "frontier-valley"}


def test_a_slug_read_again_from_the_database_is_the_one_kept(gazetteer):
    valley = make_area("Border Valley", "border-valley")
    # A bulk write changes the slug under the object (bulk writes keep no redirect).
    Region.objects.filter(pk=valley.pk).update(slug="frontier-valley")
    valley.refresh_from_db()

    changed_slug(valley, "north-valley")

    assert old_slugs() == {"frontier-valley": "north-valley"}


def test_an_object_loaded_without_its_slug_still_keeps_the_old_one(gazetteer):
    make_tag("Kirkuk")
    tag = Tag.objects.only("name").get(slug="kirkuk")

    changed_slug(tag, "kerkuk")

    assert old_slugs() == {"kirkuk": "kerkuk"}


def test_a_save_that_does_not_write_the_slug_keeps_nothing(gazetteer):
    tag = make_tag("Kirkuk")
    tag.name, tag.slug = "Kirkuk city", "not-written"
    tag.save(update_fields=["name"])
    assert old_slugs() == {}

    tag.save()  # now it is written: the old slug is the one the database held
    assert old_slugs() == {"kirkuk": "not-written"}


def test_renaming_a_tag_keeps_its_old_slug_through_the_same_save(gazetteer, outbox):
    tag = make_tag("Kirkuk")
    article = make_article(tags=[tag])
    outbox.clear()

    rename_tag(Tag.objects.get(pk=tag.pk), "Kirkuk city")

    assert old_slugs() == {"kirkuk": "kirkuk-city"}
    assert outbox() == {article.pk}  # sent to the index again, once


# Pages and feeds: one look-up, a 301 for an old slug, a 404 for none.

PAGES = {
    "tag": ["/tags/{}/", "/tags/{}/feed/"],
    "region": ["/regions/{}/", "/regions/{}/feed/"],
}


def pages_of(obj: Tag | Region) -> list[str]:
    return PAGES[obj._meta.model_name]


def test_an_old_slugs_page_and_feed_move_for_good_keeping_the_query(renamed, client):
    for page in pages_of(renamed):
        response = client.get(page.format("border-valley"), {"page": "2"})
        assert response.status_code == 301, page
        assert response["Location"] == page.format("frontier-valley") + "?page=2"


def test_a_slug_no_object_has_or_had_is_not_found(renamed, client):
    for page in pages_of(renamed):
        assert client.get(page.format("atlantis")).status_code == 404, page


def test_a_page_or_feed_looks_its_object_up_once(renamed, client):
    redirects = renamed.redirects.model._meta.db_table
    for page in pages_of(renamed):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.format("frontier-valley"))
        assert response.status_code == 200, page
        lookups = [q["sql"] for q in queries.captured_queries if redirects in q["sql"]]
        assert len(lookups) == 1, (page, lookups)


# The admin: editors see old slugs, search them and delete one; nobody adds or edits one.


def admin_url(obj: Tag | Region, view: str, *args) -> str:
    redirect_model = obj.redirects.model._meta.model_name
    return reverse(f"admin:archive_{redirect_model}_{view}", args=args)


def test_editors_see_old_slugs_and_what_they_lead_to(renamed, editor_client):
    changelist = admin_url(renamed, "changelist")
    response = editor_client.get(changelist)

    assert response.status_code == 200
    (row,) = response.context["cl"].result_list
    assert (row.old_slug, row.target) == ("border-valley", renamed)
    html = response.content.decode()
    target_admin = reverse(f"admin:archive_{renamed._meta.model_name}_change", args=[renamed.pk])
    assert f'href="{target_admin}"' in html


@pytest.mark.parametrize("term", ["border", "frontier-valley", "Border Valley"])
def test_editors_search_old_slugs_by_old_slug_or_by_what_they_lead_to(renamed, editor_client, term):
    changelist = admin_url(renamed, "changelist")
    found = editor_client.get(changelist, {"q": term}).context["cl"].result_list
    assert [r.old_slug for r in found] == ["border-valley"]
    assert not editor_client.get(changelist, {"q": "atlantis"}).context["cl"].result_list


def test_no_one_adds_or_edits_an_old_slug(renamed, superuser, client):
    client.force_login(superuser)
    redirect = renamed.redirects.get()

    assert client.get(admin_url(renamed, "add")).status_code == 403
    change = client.get(admin_url(renamed, "change", redirect.pk))
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    assert b'name="_save"' not in change.content
    posted = client.post(admin_url(renamed, "change", redirect.pk), {"old_slug": "atlantis"})
    assert posted.status_code == 403
    assert old_slugs() == {"border-valley": "frontier-valley"}


def test_an_editor_deletes_an_old_slug_and_its_address_leads_nowhere(
    renamed, editor_client, client
):
    redirect = renamed.redirects.get()

    response = editor_client.post(admin_url(renamed, "delete", redirect.pk), {"post": "yes"})

    assert response.status_code == 302
    assert old_slugs() == {}
    for page in pages_of(renamed):
        assert client.get(page.format("border-valley")).status_code == 404, page
    assert type(renamed).objects.filter(pk=renamed.pk).exists()


def test_an_editor_deletes_old_slugs_from_the_list(renamed, editor_client):
    changed_slug(renamed, "north-valley")
    ids = list(renamed.redirects.values_list("pk", flat=True))
    selected = {"action": "delete_selected", "_selected_action": ids}

    response = editor_client.post(admin_url(renamed, "changelist"), {**selected, "post": "yes"})

    assert response.status_code == 302
    assert old_slugs() == {}
