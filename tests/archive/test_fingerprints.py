"""Article fingerprints (archive.fingerprints.simhash) as stored: what this version computes
must be what earlier versions stored, or near-duplicates of archived articles go unseen."""

from archive.fingerprints import simhash

FINGERPRINT = 3636671304825502805

TEXT = (
    "ERBIL, Kurdistan Region – The Syrian army along with its allies have advanced on ISIS "
    "from the central Syrian desert towards the ISIS hotbed of Deir ez-Zor, according to "
    "multiple media reports. Pro-government forces entered the province from the south "
    "on Monday, reaching the outskirts of al-Shola village, 50 kilometres from the city; "
    "Déir ez-Zor's besieged garrison has held out since 2014."
)


def test_a_text_keeps_the_fingerprint_earlier_versions_stored():
    # Computed by the version of 2026-12-06 (before word hashes went straight into arrays):
    # a change here needs the archive's fingerprints computed again (as migration 0009 did).
    assert simhash(TEXT) == FINGERPRINT
    assert simhash(TEXT.upper()) == FINGERPRINT  # folded: case is no difference
