"""Which segments to merge: a tiered policy, after Lucene's ``TieredMergePolicy``.

Segments are put in tiers by their live size (passages), each tier
``max_merge_at_once`` times larger than the one below, segments smaller than
``floor`` counting as ``floor``.  A tier holding more than
``segments_per_tier`` segments has its smallest ``max_merge_at_once`` merged
into one (which may climb a tier).  So an index of N passages keeps about
``segments_per_tier × log(N / floor)`` segments, an update writes only a
small segment, and a passage is rewritten about once per tier it climbs.  A
segment whose rows are more than ``deletes_pct`` % deleted is rewritten alone
(Lucene's ``deletesPctAllowed``), so deleted rows do not pile up.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..format.segment import SegmentSize


@dataclass(frozen=True)
class TieredMergePolicy:
    """Lucene's tiered merge policy (see the module docstring); ``segments_per_tier`` 0 never merges."""
    segments_per_tier: int = 10     # 0: never merge (but ``optimize`` still does)
    max_merge_at_once: int = 10
    floor: int = 2_000
    deletes_pct: float = 33.0

    def merges(self, segments: list[SegmentSize]) -> list[list[str]]:
        """Groups of segment names to merge, each into one new segment."""
        if self.segments_per_tier <= 0:
            return []
        groups = [[s.name] for s in segments if s.rows and (s.rows - s.live) * 100 > self.deletes_pct * s.rows]
        taken = {name for group in groups for name in group}
        pool = [(s.live, s.name) for s in segments if s.name not in taken]
        while (group := self._crowded_tier(pool)) is not None:
            merged = (sum(size for size, _ in group), "+".join(key for _, key in group))
            pool = [item for item in pool if item not in group] + [merged]
        return groups + [key.split("+") for _, key in pool if "+" in key]   # a merge of merges is one

    def _crowded_tier(self, pool: list[tuple[int, str]]) -> list[tuple[int, str]] | None:
        """The smallest segments of the lowest tier holding too many, if any."""
        tiers: dict[int, list[tuple[int, str]]] = {}
        for item in pool:
            tiers.setdefault(self._tier(item[0]), []).append(item)
        for tier in sorted(tiers):
            members = sorted(tiers[tier])
            if len(members) > self.segments_per_tier:
                return members[:max(2, self.max_merge_at_once)]
        return None

    def _tier(self, size: int) -> int:
        return int(math.log(max(size, self.floor) / self.floor, max(2, self.max_merge_at_once)))

    @staticmethod
    def optimize(segments: list[SegmentSize]) -> list[list[str]]:
        """Everything into one segment (unless it is one already, with nothing deleted)."""
        if len(segments) == 1 and segments[0].live == segments[0].rows:
            return []
        return [[s.name for s in segments]] if segments else []
