"""The report list: every report of the collection, filtered, counted by facet,
sorted by date, agency or title, paged (``/reports`` and its JSON twin).

Reports are few beside passages (a 100k-passage index holds a few thousand),
so this works on the report table in plain Python.  Filters take the values a
search takes: a part of an agency, province or city name, years and year
ranges, a section a report has; and the report card's columns: ``copied``
(``yes`` when any of its passages has a near-identical passage in another
report), ``missing`` (a required content it lacks: ``missing=存在的不足和原因``)
and ``timeliness`` (``on_time``, ``late`` or ``unknown`` against the deadline,
by default 1 April of the year after the report's).
"""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np

from ..errors import SearchError
from ..model import CATEGORIES, CATEGORY_OTHER, DOC_TYPE_RULE_OF_LAW, resolve_category
from .facets import MISSING, FilterError, agency_key, year_codes, yes_no

REPORT_SORTS = ("date", "agency", "title")
REPORT_FACETS = ("agency", "agency_kind", "agency_level", "province", "year", "section",
                 "missing", "timeliness", "copied", "doc_type")
REPORT_FILTERS = ("agency", "agency_kind", "agency_level", "province", "city", "year", "section",
                  "missing", "timeliness", "copied", "doc_type")
TIMELINESS = ("on_time", "late", "unknown")
_TIMELINESS_ALIASES = {"按时": "on_time", "及时": "on_time", "逾期": "late", "迟报": "late", "不详": "unknown"}
DEFAULT_DEADLINE = "04-01"
# The five contents of the 2019 规定; 其他 is where everything else goes, never required alone.
REQUIRED = tuple(c for c in CATEGORIES if c != CATEGORY_OTHER)
_DEADLINE = re.compile(r"^(\d{2})-(\d{2})$")


def parse_deadline(deadline: str | None) -> tuple[int, int]:
    """``"04-01"`` → (4, 1); the deadline falls in the year after the report's."""
    found = _DEADLINE.match((deadline or DEFAULT_DEADLINE).strip())
    try:
        month, day = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        dt.date(2001, month, day)
    except ValueError:
        found = None
    if not found:
        raise SearchError(f"截止日期应写作 月-日，例如 04-01（收到“{str(deadline)[:20]}”）",
                          hint="截止日期在报告年度的次年；默认 04-01（4 月 1 日）。")
    return month, day


def timeliness(year: int | None, date: str | None, deadline: tuple[int, int]) -> dict:
    """``status``: on_time (published on or before the deadline), late or unknown."""
    if not year or not date:
        return {"status": "unknown", "deadline": None, "days_late": None}
    due = dt.date(int(year) + 1, *deadline)
    try:
        published = dt.date.fromisoformat(date)
    except ValueError:
        return {"status": "unknown", "deadline": due.isoformat(), "days_late": None}
    late = (published - due).days
    return {"status": "late" if late > 0 else "on_time", "deadline": due.isoformat(),
            "days_late": max(0, late)}


def card_columns(report: dict, categories: set[str], copied: int, deadline: tuple[int, int]) -> dict:
    """The report-card columns of the report list for one report.  The 2019
    规定's contents and deadline bind 法治政府建设 annual reports only: a document
    of another kind misses nothing and is never late (``unknown``)."""
    if not card_applies(report):
        categories, when = set(REQUIRED), {"status": "unknown", "deadline": None, "days_late": None}
    else:
        when = timeliness(report.get("year"), report.get("date"), deadline)
    return {"missing": [c for c in REQUIRED if c not in categories], "timeliness": when["status"],
            "deadline": when["deadline"], "days_late": when["days_late"],
            "copied_passages": int(copied), "copied": "yes" if copied else "no"}


def card_applies(report: dict) -> bool:
    """Whether the report card (required contents, deadline) applies: to 法治政府建设
    annual reports (and reports from an index that predates document kinds)."""
    return report.get("doc_type") in (None, "", DOC_TYPE_RULE_OF_LAW)


def timeliness_value(value: str) -> str:
    """``on_time``, ``late`` or ``unknown`` from a code or its Chinese name (``FilterError`` otherwise)."""
    value = value.strip()
    found = _TIMELINESS_ALIASES.get(value, value.lower())
    if found not in TIMELINESS:
        raise FilterError(f"timeliness 应为 on_time（按时）、late（逾期）或 unknown（不详），收到“{value[:20]}”")
    return found
_PARTIAL = ("agency", "province", "city", "doc_type")       # a part of the name is enough


def report_categories(gen) -> list[set[str]]:
    """Per report: the categories it has passages in (its ``"sections"``)."""
    pairs = np.unique(gen.columns["report"].astype(np.int64) * 8 + gen.columns["category"])
    categories: list[set[str]] = [set() for _ in gen.reports]
    for pair in pairs.tolist():
        categories[pair // 8].add(CATEGORIES[pair % 8])
    return categories


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
    if MISSING in values:         # 未注明: the reports without a value, or with one of the others
        others = [v for v in values if v != MISSING]
        rest = _test(name, others) if others else (lambda r: False)
        return lambda r: not _values(r, name) or rest(r)
    if name == "year":
        years = set().union(*(year_codes(v) for v in values))
        return lambda r: (r.get("year") or 0) in years
    if name == "section":
        wanted = {resolve_category(v) or v for v in values}
        return lambda r: bool(wanted & r["sections"])
    if name == "missing":
        wanted = {_category(v) for v in values}
        return lambda r: bool(wanted.intersection(r["missing"]))
    if name == "copied":
        wanted = {yes_no(v) for v in values}
        return lambda r: r["copied"] in wanted
    if name == "timeliness":
        wanted = {timeliness_value(v) for v in values}
        return lambda r: r["timeliness"] in wanted
    if name == "agency":          # a part of the name; a body's names are one (agency_key)
        keys = [agency_key(v) for v in values]
        return lambda r: any(k in agency_key(r.get(name) or "") for k in keys)
    if name in _PARTIAL:
        return lambda r: any(v in (r.get(name) or "") for v in values)
    return lambda r: (r.get(name) or "") in values


def _category(value: str) -> str:
    category = resolve_category(value)
    if category is None:
        raise FilterError(f"没有“{value[:20]}”这一部分；可用：{'、'.join(CATEGORIES)}（或 成效、问题、责任、下一步）")
    return category


def _facet(reports: list[dict], tests: dict, name: str) -> list[dict]:
    """Counts of reports per value, under every filter but the field's own; the
    reports without a value last (``MISSING``), so the counts add up."""
    counts: dict[str, int] = {}
    missing = 0
    others = [test for key, test in tests.items() if key != name]
    shown = _shown_names(reports) if name == "agency" else {}
    for report in reports:
        if all(test(report) for test in others):
            values = _values(report, name)
            missing += not values and name not in _MULTI
            for value in values:
                value = shown.get(value, value)
                counts[value] = counts.get(value, 0) + 1
    if name == "year":
        items = sorted(counts.items(), reverse=True)
    else:
        items = sorted(counts.items(), key=lambda p: (-p[1], p[0]))
    return [{"value": v, "count": c} for v, c in items] + ([{"value": MISSING, "count": missing}] if missing else [])


_MULTI = ("section", "missing")     # a set of values per report; none is no gap in the metadata


def _shown_names(reports: list[dict]) -> dict[str, str]:
    """Each agency name → the name its body is listed under (the longest of its names)."""
    longest: dict[str, str] = {}
    for report in reports:
        name = report.get("agency") or ""
        key = agency_key(name)
        if name and len(name) > len(longest.get(key, "")):
            longest[key] = name
    return {name: longest[agency_key(name)] for name in {r.get("agency") or "" for r in reports} if name}


def _values(report: dict, name: str) -> list[str]:
    if name == "section":
        return sorted(report["sections"], key=CATEGORIES.index)
    if name == "missing":
        return report["missing"]
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
