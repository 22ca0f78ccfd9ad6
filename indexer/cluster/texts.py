"""The report titles and heading paths a client holds, searched for a query's terms.

A search asks of each term which titles (and heading paths) hold it (the title
and heading boosts that occur, ``candidates``), how often one holds it at most
(the adjuster's room, ``boosts``) and what share of the passages has it in its
title (a constant boost, ``boosts.COMMON_SHARE``).  The strings are joined once
per generation and each term found in all of them with the embedded index's own
title lookup (``store.reader.generation.Lookup``, its answers kept per term),
where each question scanned every title again (20k titles at 1 M passages:
10-20 ms a new word).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..store.format.postings import count_in
from ..store.reader.generation import Lookup


class Texts:
    """Distinct short texts, each weighed by the passages it belongs to."""

    def __init__(self, weights: dict[str, int]):
        self.texts = list(weights)
        self.weights = np.array([weights[t] for t in self.texts], dtype=np.int64)
        self.holding = Lookup(self.texts).holding      # the texts (positions) holding a term
        self.most = lru_cache(maxsize=Lookup.TERM_CACHE)(self._most)

    def _most(self, term: str) -> int:
        """The most occurrences of ``term`` in one text (overlapping ones included)."""
        held = self.holding(term)
        return int(count_in([self.texts[i] for i in held.tolist()], term).max()) if len(held) else 0

    def share(self, term: str, passages: int) -> float:
        """The share of ``passages`` whose text holds ``term``."""
        return float(self.weights[self.holding(term)].sum()) / max(passages, 1)

    def clause_sets(self, clauses: list[list[str]]) -> list[tuple[int, ...]]:
        """The sets of clauses (positions) the texts hold, each set once."""
        if not self.texts:
            return []
        masks = np.zeros(len(self.texts), dtype=np.int64)
        for i, clause in enumerate(clauses):
            for term in clause:
                masks[self.holding(term)] |= 1 << i
        return sorted(tuple(i for i in range(len(clauses)) if mask >> i & 1) for mask in np.unique(masks).tolist())


def title_texts(title_norms: dict[str, str], passages_of: dict[str, int]) -> Texts:
    """The reports' normalized titles, each weighed by its reports' passages."""
    weights: dict[str, int] = {}
    for rid, title in title_norms.items():
        weights[title] = weights.get(title, 0) + passages_of.get(rid, 0)
    return Texts(weights)
