"""Ground truth (the substring scan's full match lists) and the exactness of a
peer against it: what it misses, what it wrongly returns."""
from __future__ import annotations

from pathlib import Path

import numpy as np


class Truth:
    """Query id → sorted row numbers of the passages that match it."""

    @staticmethod
    def save(path: Path, found: dict[int, list[int]]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **{f"q{k}": np.asarray(sorted(v), dtype=np.int32) for k, v in found.items()})

    @staticmethod
    def load(path: Path) -> dict[int, set[int]]:
        with np.load(path) as data:
            return {int(k[1:]): set(data[k].tolist()) for k in data.files}


def compare(truth: dict[int, set[int]], found: dict[int, list[int]]) -> dict:
    """Recall and precision over all the queries' matches together, plus the
    queries answered exactly and the worst ones."""
    per_query = {}
    hit = expected = returned = 0
    for qid, rows in found.items():
        want, got = truth[qid], set(rows)
        common = len(want & got)
        hit, expected, returned = hit + common, expected + len(want), returned + len(got)
        per_query[qid] = {"missed": len(want - got), "wrong": len(got - want), "expected": len(want)}
    return {
        "queries": len(found),
        "exact": sum(1 for q in per_query.values() if not q["missed"] and not q["wrong"]),
        "missed": sum(q["missed"] for q in per_query.values()),
        "wrong": sum(q["wrong"] for q in per_query.values()),
        "expected": expected,
        "recall": hit / expected if expected else 1.0,
        "mean_recall": _mean([1 - q["missed"] / q["expected"] for q in per_query.values() if q["expected"]]),
        "precision": hit / returned if returned else 1.0,
        "per_query": per_query,
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 1.0
