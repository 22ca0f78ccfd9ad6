"""The report titles and heading paths a client holds, searched for a query's terms.

A search asks of each term which titles (and heading paths) hold it (the title
and heading boosts that occur, ``candidates.title_sets``), how often one holds
it at most (the adjuster's room, ``boosts``) and what share of the passages
has it in its title (a constant boost, ``boosts.COMMON_SHARE``).  The texts are
joined once per generation and each term is found in all of them with one scan,
where each question scanned every title again (20k titles at 1 M passages:
10-20 ms a new word).
"""
from __future__ import annotations

import re

import numpy as np
from cachetools import LRUCache


class Texts:
    """Distinct short texts, each weighed by the passages it belongs to."""

    def __init__(self, weights: dict[str, int]):
        self.texts = list(weights)
        self.weights = np.array([weights[t] for t in self.texts], dtype=np.int64)
        self.total = int(self.weights.sum())
        # A term holds no newline: no occurrence spans two texts.
        self.joined = "\n".join(self.texts)
        self.starts = np.cumsum([0] + [len(t) + 1 for t in self.texts[:-1]]) if self.texts else np.zeros(0, np.int64)
        self._owners: LRUCache = LRUCache(4096)

    def owners(self, term: str) -> np.ndarray:
        """For every occurrence of ``term`` (overlapping ones too), the text holding it."""
        found = self._owners.get(term)
        if found is None:
            at = [m.start() for m in re.finditer(f"(?={re.escape(term)})", self.joined)] if term else []
            found = self._owners[term] = np.searchsorted(self.starts, np.array(at, dtype=np.int64), side="right") - 1
        return found

    def holding(self, term: str) -> np.ndarray:
        """The texts (positions) holding ``term``."""
        return np.unique(self.owners(term))

    def most(self, term: str) -> int:
        """The most occurrences of ``term`` in one text."""
        owners = self.owners(term)
        return int(np.bincount(owners).max()) if len(owners) else 0

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
