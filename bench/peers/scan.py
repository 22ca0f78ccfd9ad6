"""The plain substring scan: every passage's text in memory, ``term in text``.

It is also the ground truth: a passage matches a query when every term occurs in
its text (both normalized as the engine matches: ``textnorm.norm``), among the passages the
filters let through.
"""
from __future__ import annotations

import heapq
import html
from collections import Counter
from pathlib import Path

from ..textnorm import norm
from . import FACETS, TOP, Peer, facet_lists, filter_value


class ScanPeer(Peer):
    name = "scan"
    label = "substring scan (Python, in memory)"
    builds = False

    def open(self, workdir: Path, passages: list[dict] | None) -> None:
        rows = passages or []
        self.texts = [norm(r["text"]) for r in rows]
        self.fields = {f: [filter_value(r, f) for r in rows] for f in FACETS}
        self.pids = [r["pid"] for r in rows]
        self._by_value: dict[tuple[str, str], list[int]] = {}
        for field, values in self.fields.items():
            for i, value in enumerate(values):
                self._by_value.setdefault((field, value), []).append(i)

    def candidates(self, filters: dict) -> list[int] | None:
        """Rows the filters let through (OR within a field, AND across); None: all."""
        chosen: set[int] | None = None
        for field, values in (filters or {}).items():
            rows = set()
            for value in values:
                rows.update(self._by_value.get((field, str(value)), ()))
            chosen = rows if chosen is None else chosen & rows
        return None if chosen is None else sorted(chosen)

    def matches(self, query: dict) -> list[int]:
        terms = [norm(t) for t in query["terms"]]
        texts = self.texts
        rows = self.candidates(query.get("filters"))
        first, rest = terms[0], terms[1:]
        if rows is None:
            found = [i for i, text in enumerate(texts) if first in text]
        else:
            found = [i for i in rows if first in texts[i]]
        for term in rest:
            found = [i for i in found if term in texts[i]]
        return found

    def search(self, query: dict) -> dict:
        found = self.matches(query)
        terms = [norm(t) for t in query["terms"]]
        texts = self.texts
        facets = {f: Counter(self.fields[f][i] for i in found) for f in FACETS}
        top = heapq.nlargest(TOP, found, key=lambda i: sum(texts[i].count(t) for t in terms) / (len(texts[i]) + 50))
        hits = [{"passage_id": self.pids[i], "snippet": snippet(texts[i], terms)} for i in top]
        return {"total": len(found), "hits": hits, "facets": facet_lists(facets)}


def snippet(text: str, terms: list[str], width: int = 60) -> str:
    """About 120 characters around the first term, the terms marked."""
    at = max(0, text.find(terms[0]))
    piece = html.escape(text[max(0, at - width):at + width])
    for term in terms:
        piece = piece.replace(html.escape(term), f"<mark>{html.escape(term)}</mark>")
    return piece
