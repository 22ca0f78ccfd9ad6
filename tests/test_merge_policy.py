"""The tiered merge policy: which segments it merges, and when it leaves them be."""
from __future__ import annotations

from indexer.store.writer.merge_policy import SegmentSize, TieredMergePolicy


def sizes(*live: int, deleted: int = 0) -> list[SegmentSize]:
    return [SegmentSize(f"s{n}", size, size + deleted) for n, size in enumerate(live)]


def test_a_tier_within_its_limit_is_left_alone():
    assert TieredMergePolicy().merges(sizes(*[1_000] * 10, 500_000)) == []


def test_a_crowded_tier_merges_its_smallest_and_leaves_the_large_ones():
    segments = sizes(*range(100, 1_200, 100), 50_000, 900_000)        # eleven small, two large
    merges = TieredMergePolicy().merges(segments)
    assert merges == [[f"s{n}" for n in range(10)]]                   # the ten smallest, in one merge


def test_a_merge_that_crowds_the_next_tier_merges_on_up():
    policy = TieredMergePolicy(segments_per_tier=2, max_merge_at_once=3, floor=10)
    merges = policy.merges(sizes(10, 10, 10, 30, 40))
    assert merges == [["s0", "s1", "s2", "s3", "s4"]]                  # 30 joins tier 1, which then holds 3


def test_a_segment_mostly_deleted_is_rewritten_alone():
    segments = [SegmentSize("big", 100_000, 100_000), SegmentSize("holey", 1_000, 4_000)]
    assert TieredMergePolicy().merges(segments) == [["holey"]]


def test_never_merging_and_optimize():
    crowded = sizes(*[100] * 30)
    assert TieredMergePolicy(segments_per_tier=0).merges(crowded) == []
    assert TieredMergePolicy.optimize(crowded) == [[s.name for s in crowded]]
    assert TieredMergePolicy.optimize(sizes(5_000)) == []               # one segment, nothing deleted
    assert TieredMergePolicy.optimize(sizes(5_000, deleted=1)) == [["s0"]]
