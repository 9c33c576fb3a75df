"""The lost-separator tag line, split on known tags and gazetteer names, longest first."""

import pytest

from archive.ingest.pipeline import known_tag_or_place_names
from archive.ingest.tag_line import split_tag_line
from archive.models import Region
from tests.factories import make_tag

pytestmark = pytest.mark.django_db


def test_the_samples_tag_line_splits_into_its_two_tags(gazetteer):
    assert split_tag_line("Deir ez-Zor Middle Euphrates Valley", known_tag_or_place_names) == [
        "Deir ez-Zor",
        "Middle Euphrates Valley",
    ]


def test_the_split_holds_without_the_bundled_area(gazetteer):
    Region.objects.filter(name="Middle Euphrates Valley").delete()
    assert split_tag_line("Deir ez-Zor Middle Euphrates Valley", known_tag_or_place_names) == [
        "Deir ez-Zor",
        "Middle Euphrates Valley",
    ]


def test_provinces_and_areas_split_a_line_too(gazetteer):
    line = "Kurdistan Region Deir ez-Zor Governorate Oil prices"
    assert split_tag_line(line, known_tag_or_place_names) == [
        "Kurdistan Region",
        "Deir ez-Zor Governorate",
        "Oil prices",
    ]


def test_known_tags_come_before_place_names(gazetteer):
    make_tag("Raqqa offensive")
    assert split_tag_line("Raqqa offensive Syria", known_tag_or_place_names) == [
        "Raqqa offensive",
        "Syria",
    ]
