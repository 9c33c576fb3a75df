"""Facet labels remembered in the process: looked up once, forgotten when a name changes
through the models, and at the latest after LABELS_KEPT_FOR for changes made around them."""

import pytest

from archive.models import Outlet, Region
from search import facet_labels
from search.facet_labels import FacetLabels
from search.facet_labels import labels as process_labels
from tests.factories import make_outlet, make_tag

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_names_are_looked_up_once_then_remembered(django_assert_num_queries):
    make_outlet("Rudaw", slug="rudaw")
    make_tag("Oil exports", slug="oil-exports")
    labels = FacetLabels()
    with django_assert_num_queries(2):
        assert labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw"}
        assert labels.names("tag", ["oil-exports", "no-such-tag"]) == {"oil-exports": "Oil exports"}
    with django_assert_num_queries(0):  # a value without a name is remembered as such too
        assert labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw"}
        assert labels.names("tag", ["no-such-tag", "oil-exports"]) == {"oil-exports": "Oil exports"}
        assert labels.names("year", ["2017"]) == {}  # a year is its own label
    with django_assert_num_queries(1):  # only what is new is asked for
        assert labels.names("outlet", ["rudaw", "bbc"]) == {"rudaw": "Rudaw"}


def test_region_labels_and_slugs_are_keyed_by_id():
    region = Region.objects.create(name="Deir ez-Zor", slug="deir-ez-zor", kind="city")
    labels = FacetLabels()
    assert labels.names("region", [str(region.pk), "not-an-id"]) == {str(region.pk): "Deir ez-Zor"}
    assert labels.names("region_slug", [str(region.pk), "0"]) == {str(region.pk): "deir-ez-zor"}


def test_a_places_name_and_slug_are_read_in_one_query(django_assert_num_queries):
    """A results page asks for both, of the same places: the label, and the slug its link
    filters by."""
    region = Region.objects.create(name="Deir ez-Zor", slug="deir-ez-zor", kind="city")
    key = str(region.pk)
    labels = FacetLabels()
    with django_assert_num_queries(1):
        assert labels.names("region", [key]) == {key: "Deir ez-Zor"}
        assert labels.names("region_slug", [key]) == {key: "deir-ez-zor"}


def test_a_changed_region_slug_is_seen_at_once():
    """A place facet's link filters by the slug: an editor's change of it must not leave
    links to a slug no region has."""
    region = Region.objects.create(name="Atlantis", slug="atlantis", kind="area")
    key = str(region.pk)
    assert process_labels.names("region_slug", [key]) == {key: "atlantis"}
    region.slug = "atlantis-lost"
    region.save()
    assert process_labels.names("region_slug", [key]) == {key: "atlantis-lost"}


def test_a_rename_through_the_models_is_seen_at_once():
    outlet = make_outlet("Rudaw", slug="rudaw")
    assert process_labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw"}
    outlet.name = "Rudaw Media Network"
    outlet.save()
    assert process_labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw Media Network"}
    outlet.delete()
    assert process_labels.names("outlet", ["rudaw"]) == {}


def test_a_change_no_model_signal_tells_of_is_seen_after_the_labels_expire():
    make_outlet("Rudaw", slug="rudaw")
    clock = Clock()
    labels = FacetLabels(kept_for=60, clock=clock)
    assert labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw"}
    Outlet.objects.filter(slug="rudaw").update(name="Rudaw English")  # sends no signal
    clock.now = 59
    assert labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw"}
    clock.now = 61
    assert labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw English"}


def test_a_name_looked_up_while_everything_is_forgotten_is_not_kept(monkeypatch):
    """A rename that lands while another request is looking the old name up: that request
    shows the old name once, and the next lookup reads the new one."""
    outlet = make_outlet("Rudaw", slug="rudaw")
    labels = FacetLabels()
    real_lookup = facet_labels._LOOKUPS["outlet"]

    def lookup_then_rename(values):
        found = real_lookup(values)
        Outlet.objects.filter(pk=outlet.pk).update(name="Rudaw Media")
        labels.forget()  # what the rename's signal does
        return found

    monkeypatch.setitem(facet_labels._LOOKUPS, "outlet", lookup_then_rename)
    assert labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw"}
    monkeypatch.setitem(facet_labels._LOOKUPS, "outlet", real_lookup)
    assert labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw Media"}


def test_a_rename_is_forgotten_again_when_it_commits(django_capture_on_commit_callbacks):
    outlet = make_outlet("Rudaw", slug="rudaw")
    with django_capture_on_commit_callbacks() as callbacks:
        outlet.name = "Rudaw Media"
        outlet.save()
        # Another request reads the name before the rename commits.
        Outlet.objects.filter(pk=outlet.pk).update(name="Rudaw")
        assert process_labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw"}
        Outlet.objects.filter(pk=outlet.pk).update(name="Rudaw Media")
    assert len(callbacks) >= 1
    for callback in callbacks:
        callback()
    assert process_labels.names("outlet", ["rudaw"]) == {"rudaw": "Rudaw Media"}
