"""What users would otherwise use, behind one small interface.

A peer builds an index from the passages (rows of ``passages.jsonl``; a row's
number is its id everywhere in the benchmark), opens it, and answers a query
(see ``bench.queries``) like the JSON API does: ``{"total", "hits": [top 10 with
a snippet], "facets": {field: [{"value", "count"}]}}``.  ``matches`` returns every
matching row, for the exactness comparison with the substring scan.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

FACETS = ("agency", "province", "year", "section")
TOP = 10


class Peer:
    name = "peer"
    label = "peer"
    builds = True          # False: nothing to build (the scan only loads the text)

    def build(self, passages: Iterable[dict], workdir: Path) -> None:
        """Write the index under ``workdir``."""

    def open(self, workdir: Path, passages: list[dict] | None) -> None:
        """Get ready to answer; ``passages`` only for peers that keep the text."""

    def search(self, query: dict) -> dict:
        raise NotImplementedError

    def matches(self, query: dict) -> list[int]:
        raise NotImplementedError

    def index_bytes(self, workdir: Path) -> int | None:
        from ..measure import dir_size

        return dir_size(workdir) if workdir.exists() else None

    def close(self) -> None:
        pass


def facet_lists(counters: dict[str, Counter]) -> dict[str, list[dict]]:
    """Counters → the API's facet lists, biggest first."""
    return {name: [{"value": v, "count": c} for v, c in counter.most_common()]
            for name, counter in counters.items()}


def filter_value(row: dict, field: str) -> str:
    return str(row[field]) if row.get(field) is not None else ""


def get_peer(name: str) -> Peer:
    if name == "scan":
        from .scan import ScanPeer
        return ScanPeer()
    if name == "fts5":
        from .fts5 import Fts5Peer
        return Fts5Peer()
    if name == "whoosh":
        from .whoosh_naive import WhooshNaivePeer
        return WhooshNaivePeer()
    raise ValueError(f"unknown peer {name!r}")


PEERS = ("scan", "fts5", "whoosh")
