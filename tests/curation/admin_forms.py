"""What the admin's forms post, for the curation tests."""

from archive.models import Region


def region_form(**fields) -> dict:
    """The region change form as an editor posts it: an area with no names, ``fields``
    filled in."""
    return {
        "name": "",
        "slug": "",
        "kind": Region.Kind.AREA,
        "parent": "",
        "country_code": "",
        "population": "0",
        "iso_code": "",
        "geonames_id": "",
        "names-TOTAL_FORMS": "0",
        "names-INITIAL_FORMS": "0",
        "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "1000",
        **fields,
    }
