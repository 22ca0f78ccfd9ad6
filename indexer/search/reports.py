"""The report list: every report of the collection, filtered, counted by facet,
sorted by date, agency or title, paged (``/reports`` and its JSON twin).

Reports are few beside passages (a 100k-passage index holds a few thousand),
so this works on the report table in plain Python.  Filters take the values a
search takes: a part of an agency, province or city name, years and year
ranges, a section a report has.
"""
from __future__ import annotations

import math

import numpy as np

from ..model import CATEGORIES, resolve_category
from .facets import FilterError, year_codes

REPORT_SORTS = ("date", "agency", "title")
REPORT_FACETS = ("agency", "agency_kind", "agency_level", "province", "year", "section")
REPORT_FILTERS = ("agency", "agency_kind", "agency_level", "province", "city", "year", "section")
_PARTIAL = ("agency", "province", "city")       # a part of the name is enough


def report_sections(gen) -> list[set[str]]:
    """Per report: the section categories it has passages in."""
    pairs = np.unique(gen.columns["report"].astype(np.int64) * 8 + gen.columns["category"])
    sections: list[set[str]] = [set() for _ in gen.reports]
    for pair in pairs.tolist():
        sections[pair // 8].add(CATEGORIES[pair % 8])
    return sections


def browse(reports: list[dict], filters: dict[str, list[str]], sort: str = "date", page: int = 1,
           per_page: int = 50) -> dict:
    """``reports``: the report table with ``passages`` and ``sections`` per report."""
    if sort not in REPORT_SORTS:
        raise FilterError(f"报告的排序方式应为 {' 或 '.join(REPORT_SORTS)}")
    tests = {name: _test(name, values) for name, values in filters.items() if values}
    unknown = set(tests) - set(REPORT_FILTERS)
    if unknown:
        raise FilterError(f"不能按“{'、'.join(sorted(unknown))}”筛选报告；可用：{', '.join(REPORT_FILTERS)}")
    kept = [r for r in reports if all(test(r) for test in tests.values())]
    kept.sort(key=_SORT_KEYS[sort])
    return {
        "total": len(kept), "passages_total": sum(r["passages"] for r in kept),
        "page": page, "per_page": per_page, "pages": max(1, math.ceil(len(kept) / per_page)),
        "sort": sort, "filters": {k: v for k, v in filters.items() if v},
        "reports": kept[(page - 1) * per_page:page * per_page],
        "facets": {name: _facet(reports, tests, name) for name in REPORT_FACETS},
    }


def _test(name: str, values: list[str]):
    if name == "year":
        years = set().union(*(year_codes(v) for v in values))
        return lambda r: (r.get("year") or 0) in years
    if name == "section":
        wanted = {resolve_category(v) or v for v in values}
        return lambda r: bool(wanted & r["sections"])
    if name in _PARTIAL:
        return lambda r: any(v in (r.get(name) or "") for v in values)
    return lambda r: (r.get(name) or "") in values


def _facet(reports: list[dict], tests: dict, name: str) -> list[dict]:
    """Counts of reports per value, under every filter but the field's own."""
    counts: dict[str, int] = {}
    others = [test for key, test in tests.items() if key != name]
    for report in reports:
        if all(test(report) for test in others):
            for value in _values(report, name):
                counts[value] = counts.get(value, 0) + 1
    if name == "year":
        return [{"value": v, "count": c} for v, c in sorted(counts.items(), reverse=True)]
    return [{"value": v, "count": c} for v, c in sorted(counts.items(), key=lambda p: (-p[1], p[0]))]


def _values(report: dict, name: str) -> list[str]:
    if name == "section":
        return sorted(report["sections"], key=CATEGORIES.index)
    value = report.get(name)
    return [str(value)] if value else []


_SORT_KEYS = {
    # Newest first; undated reports after the dated ones, newest year first.
    "date": lambda r: (not r.get("date"), _negated(r.get("date") or ""), -(r.get("year") or 0), r["id"]),
    "agency": lambda r: (not r.get("agency"), r.get("agency") or "", -(r.get("year") or 0), r["id"]),
    "title": lambda r: (r.get("title") or "", r["id"]),
}


def _negated(date: str) -> tuple:
    """A key that sorts ISO dates newest first inside an ascending sort."""
    return tuple(-ord(c) for c in date)
