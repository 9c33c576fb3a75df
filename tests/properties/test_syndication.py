"""The first copy of a syndicated story, found with numpy in the days kept, is the one the
plain scan finds: the earliest published candidate within the window and within a few bits,
the first added of those published at the same moment."""

from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from archive.fingerprints import is_near_duplicate
from archive.ingest.syndication import NEAR_DUPLICATE_WINDOW_DAYS, SyndicationFinder
from tests.properties.strategies import BOUNDED

WINDOW = timedelta(days=NEAR_DUPLICATE_WINDOW_DAYS)
START = datetime(2017, 8, 1, tzinfo=UTC)
SIGNED_64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)
# Fingerprints a few bits from a handful of stories, so that near-duplicates are common.
STORIES = [0x0123_4567_89AB_CDEF, -0x0123_4567_89AB_CDF0, 0, -1]
fingerprints = (
    st.builds(
        lambda story, flips: _signed(
            (STORIES[story] & ((1 << 64) - 1)) ^ sum(1 << bit for bit in flips)
        ),
        st.integers(0, len(STORIES) - 1),
        st.sets(st.integers(0, 63), max_size=12),
    )
    | SIGNED_64
)
# Moments around the window's edge, to the microsecond.
moments = st.builds(
    lambda days, micros: START + timedelta(days=days, microseconds=micros),
    st.integers(-8, 8),
    st.sampled_from([0, 1, -1, 999_999]) | st.integers(-(10**11), 10**11),
)


def _signed(unsigned: int) -> int:
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def plain_scan(known, fingerprint, published_at):
    found = [
        (when, order, article)
        for order, (article, print_, when) in enumerate(known)
        if abs(when - published_at) <= WINDOW and is_near_duplicate(fingerprint, print_)
    ]
    return min(found)[2] if found else None


@BOUNDED
@given(
    st.lists(st.tuples(fingerprints, moments), max_size=150),
    st.lists(st.tuples(fingerprints | st.none(), moments), min_size=1, max_size=20),
)
@example([(STORIES[0], START + WINDOW)], [(STORIES[0] ^ 0xFF, START)])  # on the edge: found
@example([(STORIES[0], START + WINDOW + timedelta(microseconds=1))], [(STORIES[0], START)])
@example(  # two copies: the earlier published, added second
    [(STORIES[0], START + timedelta(days=2)), (STORIES[0] ^ 1, START - timedelta(days=1))],
    [(STORIES[0], START)],
)
@example([(STORIES[0], START), (STORIES[0] ^ 1, START)], [(STORIES[0], START)])  # first added
def test_the_first_copy_found_is_the_one_a_plain_scan_finds(candidates, lookups):
    finder = SyndicationFinder()  # nothing read from the database: no batch begun
    known = []
    for number, (fingerprint, when) in enumerate(candidates):
        finder.add(number, fingerprint, when, is_copy=False)
        known.append((number, fingerprint, when))
    for fingerprint, when in lookups:
        assert finder.first_copy_of(fingerprint, when) == plain_scan(known, fingerprint, when)
