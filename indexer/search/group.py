"""Grouping a result list by report: which reports, in which order.

A report ranks where its best passage ranks, so the report list is the passage
list with later passages of a report folded into the first; paging over it
pages over reports, each listed once.  The passage list is never sorted whole
for it: each report's best passage is found by a reduce over the report's run
of hits (a report's passages are one run of passage numbers), and only those
best passages are sorted - a common word has tens of thousands of hits in a
few thousand reports.
"""
from __future__ import annotations

import numpy as np

from .match import Matches
from .query import Query
from .rank import RESCORE_WINDOW, _first, result_order


def report_order(index, matches: Matches, query: Query, sort: str = "relevance") -> np.ndarray:
    """Positions into ``matches.docs`` of each report's best passage, the reports
    in the order of those passages in ``rank``'s full order."""
    order = result_order(index, matches, query, sort)
    reports = index.columns["report"][matches.docs]
    lead = np.zeros(0, dtype=np.int64)
    if order.rescore is not None:
        # The rescored window comes before every other passage: the reports with a
        # passage in it come first, in the order of their first passage there.
        window = order.rescore(_first(order.coarse, order.keys, RESCORE_WINDOW))
        lead = window[np.sort(np.unique(reports[window], return_index=True)[1])]
    best = np.arange(len(reports))
    for step in order.steps:        # each narrows every report's passages to its best few
        best = best[_top_of_runs(step[best], reports[best])]
    best = best[~np.isin(reports[best], reports[lead])]
    best = best[np.lexsort(order.keys(best))]
    return np.concatenate([lead, best[np.sort(np.unique(reports[best], return_index=True)[1])]])


def _top_of_runs(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Which ``values`` equal the largest of their run of equal ``labels``."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    top = np.maximum.reduceat(values, starts)
    return values == np.repeat(top, np.diff(np.r_[starts, len(values)]))
