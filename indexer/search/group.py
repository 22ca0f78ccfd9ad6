"""Grouping a result list by report: which reports, in which order, how many hits each.

A report ranks where its best passage ranks, so the report list is the passage
list with later passages of a report already listed folded into it; paging
over it pages over reports, each listed once.
"""
from __future__ import annotations

import numpy as np


def report_groups(reports_in_order: np.ndarray) -> list[dict]:
    """``reports_in_order``: the report of each passage, in result order.
    Returns ``{"report": number, "first": position of its best passage, "count": hits}``
    per report, in the order of its best passage."""
    if not len(reports_in_order):
        return []
    numbers, first, counts = np.unique(reports_in_order, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return [{"report": int(numbers[i]), "first": int(first[i]), "count": int(counts[i])}
            for i in order.tolist()]
