"""The facets of a cluster search, merged from the shards' drilldowns with the
embedded index's rules (``search.facets``): values by count, agency names of one
body as one value (``canonical_names``), the 未注明 bucket last; on a page of reports,
reports per value (``facet_counts(by_report=True)``).  And the column values a
filter's codes stand for.
"""
from __future__ import annotations

import numpy as np

from ..model import CATEGORIES
from ..search.facets import FACETS, MISSING, _pairs, canonical_names
from . import groonga as g


def merged_facets(vocab: dict, codes: "ReportCodes", plan, answers: list[dict], size: int | None,
                  by_report: bool = False) -> tuple[dict, dict]:
    """``({facet: [{value, count}]}, {facet: values that occur})`` as ``Index.search``
    reports them; ``answers``: per shard, its first round (``ClusterIndex._first_round``)."""
    result, distinct = {}, {}
    hits: dict[str, tuple] = {}          # per source, the reports it hit (``ReportCodes.hit``), gathered once

    def hit(source: str) -> tuple:
        if source not in hits:
            hits[source] = codes.hit([a[source] for a in answers])
        return hits[source]

    for name in FACETS:
        source = f"facet {name}" if name in plan.chosen_values else "main"
        if by_report:
            counts, missing = report_counts(vocab, name, answers, hit(source))
        elif name == "year":
            counts = report_year_counts(hit(source))
            missing = sum(a[source]["count"] for a in answers) - int(counts.sum())
        elif name in g.REPORT_FACETS:
            counts = report_level_counts(vocab, hit(source), name)
            missing = sum(a[source]["count"] for a in answers) - int(counts.sum())
        else:
            counts = facet_counts(name, [a[source]["drilldowns"][name]["values"] for a in answers], vocab)
            # Groonga's drilldowns leave an empty key out: the 未注明 bucket is what the values leave.
            missing = sum(a[source]["count"] for a in answers) - int(counts.sum())
        if name == "agency" and len(counts):      # one body's names are one value (``facet_counts``)
            canon = canonical_names(vocab[name])
            counts = np.bincount(canon[:len(counts)], weights=counts, minlength=len(counts)).astype(np.int64)
        result[name], distinct[name] = _pairs(name, counts, vocab, size, plan.chosen.get(name))
        if missing:
            result[name].append({"value": MISSING, "count": missing})
    return result, distinct


def values_of(name: str, codes: np.ndarray, vocab: dict) -> list:
    """The exact column values a filter's codes stand for (``chosen_codes``): code -1
    is the facets' 未注明 bucket (an empty column; year 0), -2 admits nothing."""
    codes = [int(c) for c in codes.tolist() if c >= -1]
    if name in ("year", "section", "copied"):
        return [c for c in codes if c >= 0]
    return [vocab[name][c] if c >= 0 else MISSING for c in codes]


def report_counts(vocab: dict, name: str, answers: list[dict], hit: tuple[np.ndarray, np.ndarray]
                  ) -> tuple[np.ndarray, int]:
    """(reports per code, reports without a value) of a facet on a page of reports
    (``facet_counts(by_report=True)``); ``hit``: ``ReportCodes.hit``."""
    if name in ("section", "copied"):
        size = len(CATEGORIES) if name == "section" else 2
        counts = np.array([sum(a[f"reports {name} {code}"]["drilldowns"]["report_count"]["count"] for a in answers)
                           for code in range(size)], dtype=np.int64)
        return counts, 0
    rows, _matches = hit
    if name == "year":
        years = rows[:, -1]
        return np.bincount(years[years > 0], minlength=1), int(np.count_nonzero(years <= 0))
    codes = rows[:, g.REPORT_FACETS.index(name)]
    return np.bincount(codes[codes >= 0], minlength=len(vocab[name])), int(np.count_nonzero(codes < 0))


class ReportCodes:
    """Per report, its codes of the report-level facets (``g.REPORT_FACETS``, -1: no
    value) and its year (0: none), one row of ``matrix`` each (``row_of_number``: the
    head's report number → row): made once per generation, so that a common word's
    report-level facets are one gather of rows over the reports it hits and a weighted
    count per facet, not a lookup per report and facet."""

    def __init__(self, vocab: dict, reports: dict, id_of_number: dict[int, str]):
        index = {name: {v: i for i, v in enumerate(vocab[name])} for name in g.REPORT_FACETS}
        self.matrix = np.array([[index[name].get(row.get(name) or "", -1) for name in g.REPORT_FACETS]
                                + [row.get("year") or 0] for row in reports.values()], dtype=np.int64)
        self.matrix = self.matrix.reshape(len(reports), len(g.REPORT_FACETS) + 1)
        position = {rid: i for i, rid in enumerate(reports)}
        numbers = np.fromiter(id_of_number, dtype=np.int64, count=len(id_of_number))
        self.row_of_number = np.full(int(numbers.max(initial=0)) + 1, -1, dtype=np.int64)
        self.row_of_number[numbers] = [position[rid] for rid in id_of_number.values()]

    def hit(self, answers: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(the rows of the reports the shards' per-report drilldowns hit, their matches)."""
        found = [answer["drilldowns"][g.PER_REPORT_LABEL] for answer in answers]
        rows = self.row_of_number[np.concatenate([f["numbers"] for f in found])]
        if len(rows) and rows.min() < 0:        # a report the client's table lacks: a change it has not seen
            raise LookupError("a shard answered for a report this client has not loaded")
        return self.matrix[rows], np.concatenate([f["matches"] for f in found])


def report_level_counts(vocab: dict, hit: tuple[np.ndarray, np.ndarray], name: str) -> np.ndarray:
    """A report-level facet's matches per code: each report's matches (a shard's
    ``reports`` drilldown; a report lives on one shard) under its value in the report
    table, which is what the shard's column holds (``load._rows``); ``hit``: ``ReportCodes.hit``."""
    rows, weights = hit
    found = rows[:, g.REPORT_FACETS.index(name)]
    valid = found >= 0
    return np.bincount(found[valid], weights=weights[valid], minlength=len(vocab[name])).astype(np.int64)


def report_year_counts(hit: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The year facet's matches per year (codes: the years; year 0, none, left out):
    each report's matches (the shards' ``reports`` drilldown) under the report's year,
    which is what the shard's year column holds (``load._rows``)."""
    rows, weights = hit
    years = rows[:, -1]
    valid = (years > 0) & (years < YEAR_CODES)
    return np.bincount(years[valid], weights=weights[valid], minlength=YEAR_CODES).astype(np.int64)


YEAR_CODES = 2101


def facet_counts(name: str, parts: list[dict], vocab: dict) -> np.ndarray:
    """A facet's counts over the codes ``_pairs`` reads, summed over the shards."""
    if name == "year":
        size = YEAR_CODES
        index = None
    elif name in ("section", "copied"):
        size, index = (len(CATEGORIES) if name == "section" else 2), None
    else:
        index = {v: i for i, v in enumerate(vocab[name])}
        size = len(vocab[name])
    counts = np.zeros(size, dtype=np.int64)
    for part in parts:
        for key, n in part.items():
            code = g.facet_key(name, key)
            if code is None:
                continue
            code = index.get(code) if index is not None else code
            if code is not None and 0 <= code < size:
                counts[code] += n
    return counts
