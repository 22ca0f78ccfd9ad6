"""The cluster backend: reports, passages and their metadata in MariaDB +
Mroonga shards (``scripts/cluster.sh`` starts them), searched with the same
answers as the embedded index.

- ``nodes``: the backend URL, the head (shard list, bucket table, report
  table) and a connection pool per shard; a shard that does not answer is a
  :class:`ShardDown` (503), never a smaller answer.
- ``schema``: the head's and the shards' tables (two Groonga full-text indexes
  on the normalized text: bigrams, and unigrams for one-character terms).
- ``load``: brings the shards up to date with an embedded index's generation
  (the build's own reader, passages, ids and near-duplicate flags): only the
  reports that changed are written, each on its shard; ``rebalance`` moves
  the reports of buckets reassigned to a new shard.
- ``groonga``: one Groonga ``select`` per shard and question (matching,
  counting, facets as drilldowns, a first scoring), sent through ``mroonga_command``.
- ``planning``: a search as Groonga filters and what it needs counted first (each
  clause's passages, the boosts that occur), the near misses by inclusion-exclusion.
- ``boosts``: the title and heading boosts put in Groonga's first score (``--adjuster``),
  so that a shard's first candidate list proves a page without lists split by boost.
- ``order``: our ranking (BM25 with document frequencies summed over the
  shards, the embedded rules of ``search.rank``/``factors``) re-applied to the union of the
  shards' top candidates.
- ``facets``: the facets merged from the shards' drilldowns, and what a filter admits.
- ``search``: :class:`ClusterIndex`, the embedded ``Index``'s search interface.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.analysis``,
``indexer.store``, ``indexer.search`` (the query language, facets' ordering,
snippets, proximity), ``indexer.build`` (for a staging index).
"""
from __future__ import annotations

from ..errors import FazhiError

SCHEME = "mroonga://"


class EmbeddedOnly(FazhiError):
    """Asked of a cluster: a tool that reads the embedded index's own files
    (research tools, report cards, the report list, exports of every hit)."""
    status = 501


def is_backend_url(target) -> bool:
    """Whether ``target`` names a cluster (``mroonga://…``) rather than an index folder."""
    return isinstance(target, str) and target.startswith(SCHEME)


def open_cluster(url: str):
    """A :class:`~indexer.cluster.search.ClusterIndex` on the cluster at ``url``."""
    from .search import ClusterIndex

    return ClusterIndex(url)


def sync_cluster(url: str, index_dir) -> dict:
    """Bring the cluster up to date with the embedded index at ``index_dir``."""
    from .load import sync

    return sync(url, index_dir)
