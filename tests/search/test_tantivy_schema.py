"""The tantivy schema's sample buckets, which a broad search's facets are counted on
(test_tantivy_backend.py counts them), and what it tells of a query."""

from collections import Counter

import pytest
import tantivy

from search.backends import tantivy_schema as ts
from search.query import parse_query


def test_ids_in_sequence_fill_every_sample_bucket_alike():
    sizes = Counter(ts.sample_bucket(article_id) for article_id in range(1, 256_001))
    assert sorted(sizes) == list(range(ts.SAMPLE_BUCKETS))
    each = 256_000 // ts.SAMPLE_BUCKETS
    assert min(sizes.values()) >= each * 0.9
    assert max(sizes.values()) <= each * 1.1


def test_tier_k_holds_the_buckets_below_2_to_the_k():
    for bucket in range(ts.SAMPLE_BUCKETS):
        tiers = set(ts.sample_tiers(bucket))
        assert tiers == {k for k in range(ts.SAMPLE_TIERS) if bucket < 2**k}
    # The top tier is half the buckets (a sample is never more); the upper half is in none.
    assert set(ts.sample_tiers(ts.SAMPLE_BUCKETS // 2 - 1)) == {ts.SAMPLE_TIERS - 1}
    assert 2 ** (ts.SAMPLE_TIERS - 1) == ts.SAMPLE_BUCKETS // 2
    assert not ts.sample_tiers(ts.SAMPLE_BUCKETS // 2)
    with pytest.raises(ValueError, match="not a sample tier"):
        ts.in_sample(ts.make_schema(), tantivy.Query.all_query(), 12)


@pytest.mark.parametrize(
    ("asked", "tier"), [(0, 1), (1, 1), (2, 2), (3, 2), (12, 8), (127, 64), (128, 128), (300, 128)]
)
def test_a_sample_is_the_largest_whole_tier_within_the_buckets_asked_for(asked, tier):
    assert ts.whole_tier(asked) == tier


@pytest.mark.parametrize("sample_field", [None, "sample", "sample_tier", "sample_tier_64"])
def test_an_index_built_before_these_sample_tiers_is_counted_whole(sample_field):
    # Earlier schemas: no sample, bucket numbers, tiers of 64 buckets (whose tier k is not
    # this schema's).
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True)
    if sample_field:
        builder.add_integer_field(sample_field, indexed=True)
    older = builder.build()
    assert ts.in_sample(older, tantivy.Query.all_query(), 16) is None


@pytest.mark.parametrize(
    ("q", "has_phrase"),
    [
        ('"old city"', True),
        ('bulletins -"old city"', True),
        ("covid-19", True),  # one word to the reader, two to the index
        ("old city", False),
        ('"the city"', False),  # a stop word: one word left, a term query
    ],
)
def test_a_query_has_a_phrase_when_the_index_is_asked_for_words_in_order(q, has_phrase):
    assert ts.has_phrase(parse_query(q)) is has_phrase
