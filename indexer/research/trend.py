"""Trends: how many passages and reports mention a query, per report year, and
what share of that year's reports that is; split by a report field (agency
kind when the index has it, else province: the top N values plus 其他); up to
five queries side by side.

Counts are the search's own: a year's ``passages`` is the ``total`` of the same
search with ``year:`` that year, its ``reports`` the number of distinct reports
among those passages.  ``reports_in_year`` counts the reports of that year
that pass the same filters (without the query), the denominator of ``share``.

The years run without a hole from the first year any query has a hit in to
the last (a stray 1954 among the reports does not stretch the axis); a year
inside that span with no report at all has ``share`` None, a gap, not 0%.
A share of fewer than ``MIN_REPORTS`` reports is listed but not ``drawn``:
one report makes a 0% or 100% spike.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from ..errors import SearchError
from ..search.index import Index
from .common import MIN_REPORTS, matching, report_value

MAX_QUERIES = 5
MAX_TOP = 12
SPLITS = ("auto", "none", "agency_kind", "agency_level", "province")
OTHER = "其他"


def trend(index: Index, queries: list[str], filters: dict | None = None, split: str = "auto",
          top: int = 5) -> dict:
    """Passages and reports mentioning each query per year, split by a field when asked."""
    queries = [q.strip() for q in queries if q and q.strip()]
    if not queries:
        raise SearchError("趋势需要至少一个检索词", hint="例如 /trend?q=告知承诺制&q=证照分离")
    if len(queries) > MAX_QUERIES:
        raise SearchError(f"最多比较 {MAX_QUERIES} 个检索词（收到 {len(queries)} 个）")
    if split not in SPLITS:
        raise SearchError(f"分组方式应为 {'、'.join(SPLITS)} 之一")
    if not 1 <= int(top) <= MAX_TOP:
        raise SearchError(f"top 应在 1 到 {MAX_TOP} 之间")
    gen = index.generation
    split = _resolve_split(gen, split)
    base = matching(index, "", filters)
    base_years, base_reports = _report_years(gen, base["docs"])
    in_year = Counter(base_years[base_years > 0].tolist())
    found = [(q, matching(index, q, filters)) for q in queries]
    years = _span(gen, [f["docs"] for _, f in found])
    series = [_series(gen, q, f, years, in_year, split, int(top)) for q, f in found]
    return {"queries": queries, "filters": base["filters"], "split": split, "top": int(top),
            "years": years, "reports_in_year": [in_year[y] for y in years], "min_reports": MIN_REPORTS,
            "reports_total": int(len(base_reports)), "series": series}


def _span(gen, found: list) -> list[int]:
    """Every year from the first a query has a hit in to the last, holes included."""
    held = [int(y) for docs in found for y in np.unique(gen.columns["year"][docs]).tolist() if y > 0]
    return list(range(min(held), max(held) + 1)) if held else []


def _resolve_split(gen, split: str) -> str:
    """``auto``: agency kind when the reports carry it, else province."""
    if split != "auto":
        return split
    has_kind = any(r.get("agency_kind") for r in gen.reports)
    return "agency_kind" if has_kind else "province"


def _report_years(gen, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(year of each distinct report among ``docs``, those report numbers)."""
    reports = np.unique(gen.columns["report"][docs])
    years = np.array([gen.reports[r]["year"] or 0 for r in reports.tolist()], dtype=np.int64)
    return years, reports


def _series(gen, q, found: dict, years, in_year, split, top) -> dict:
    docs = found["docs"]
    passage_years = gen.columns["year"][docs]
    report_years, reports = _report_years(gen, docs)
    passages = Counter(passage_years.tolist())
    mentioning = Counter(report_years.tolist())
    points = [{"year": y, "passages": passages[y], "reports": mentioning[y], "reports_in_year": in_year[y],
               "share": round(mentioning[y] / in_year[y], 4) if in_year[y] else None,
               "drawn": in_year[y] >= MIN_REPORTS} for y in years]
    return {"query": q, "terms": found["terms"], "partial": found["partial"],
            "passages": int(len(docs)), "reports": int(len(reports)),
            "undated_passages": passages[0], "points": points,
            "groups": _groups(gen, reports, report_years, years, split, top)}


def _groups(gen, reports: np.ndarray, report_years: np.ndarray, years: list[int], split: str,
            top: int) -> list[dict]:
    """Reports mentioning the query per year, per value of ``split``: the ``top``
    values with most such reports, then one 其他 for the rest."""
    if split == "none":
        return []
    values = [report_value(gen.reports[r], split) for r in reports.tolist()]
    ranked = [v for v, _ in Counter(values).most_common()]
    kept = set(ranked[:top])
    counts: dict[str, Counter] = {}
    for value, year in zip(values, report_years.tolist()):
        counts.setdefault(value if value in kept else OTHER, Counter())[year] += 1
    order = ranked[:top] + ([OTHER] if len(ranked) > top else [])
    return [{"value": v, "reports": sum(counts[v].values()),
             "points": [{"year": y, "reports": counts[v][y]} for y in years]} for v in order]
