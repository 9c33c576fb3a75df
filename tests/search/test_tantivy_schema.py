"""The tantivy schema's sample buckets, which a broad search's facets are counted on
(test_tantivy_backend.py counts them)."""

from collections import Counter

import pytest
import tantivy

from search.backends import tantivy_schema as ts


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
    assert set(ts.sample_tiers(ts.SAMPLE_BUCKETS - 1)) == {ts.SAMPLE_TIERS - 1}  # all of them
    with pytest.raises(ValueError, match="not a sample tier"):
        ts.in_sample(ts.make_schema(), tantivy.Query.all_query(), 12)


def test_an_index_built_before_sample_buckets_is_counted_whole():
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True)
    older = builder.build()
    assert ts.in_sample(older, tantivy.Query.all_query(), 16) is None
