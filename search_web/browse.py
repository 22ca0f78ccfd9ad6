"""Browsing the collection: the report list (``/reports``) and what the home
page shows of the collection (reports and passages by year and by issuer).

Like the search pages, each function returns a plain dict that is both the
HTML page's data and its ``.json`` twin.
"""
from __future__ import annotations

from indexer.api import (DEFAULT_DEADLINE, REPORT_FILTERS, REPORT_SORTS, SearchError, parse_deadline, resolve_category,
                         timeliness_value, yes_no)
from werkzeug.datastructures import MultiDict

from . import urls
from .errors import WebError
from .params import FACET_LABELS, MAX_FILTER_LENGTH, VALUE_LABELS

REPORT_FACET_LABELS = {**FACET_LABELS, "section": "含有章节", "copied": "有与他报告雷同的段落"}
REPORTS_PER_PAGE = 50
# The report-card columns come last: required contents missing, publication
# against the deadline (1 April of the next year), copied passages.
REPORT_COLUMNS = ("id", "url", "title", "agency", "agency_kind", "agency_level", "province", "city", "county",
                  "year", "date", "passages", "sections", "source_url",
                  "missing", "timeliness", "deadline", "days_late", "copied_passages", "doc_type")


def _canonical(key: str, value: str) -> str:
    """A report filter value as the facet lists it (``问题`` → 存在的不足和原因, 是 → yes);
    a value the filter cannot take is a 400 now, before a CSV starts streaming."""
    if key == "copied":
        return yes_no(value)
    if key == "timeliness":
        return timeliness_value(value)
    if key == "missing":
        category = resolve_category(value)
        if category is None:
            raise SearchError(f"没有“{value[:20]}”这一部分。", hint="missing 取 成效、问题、责任、下一步 或完整的部分名称。")
        return category
    return value


def parse_reports(args: MultiDict) -> tuple[dict[str, list[str]], str, int]:
    """The report list's filters, sort and page from the query string (``WebError`` when one is bad)."""
    filters = {}
    for key in REPORT_FILTERS:
        # key= with nothing after it is the 未注明 bucket: reports without that value.
        values = [v.strip() for v in args.getlist(key) if v.strip() or not v]
        if any(len(v) > MAX_FILTER_LENGTH for v in values):
            raise WebError(f"筛选条件 {key} 太长。", 400)
        try:
            values = [_canonical(key, v) if v else v for v in values]
        except ValueError as exc:          # the library's FilterError
            raise SearchError(str(exc))
        if values:
            filters[key] = list(dict.fromkeys(values))
    sort = args.get("sort", "date") or "date"
    if sort not in REPORT_SORTS:
        raise WebError(f"不支持的排序方式：{sort[:20]}。", 400, "sort 只能是 date（日期）、agency（机构）或 title（标题）。")
    page = args.get("page", "1").strip() or "1"
    if not (page.isascii() and page.isdigit() and 1 <= int(page) <= 10000):
        raise WebError(f"参数 page 应为 1 到 10000 之间的整数，收到的是“{page[:20]}”。", 400)
    return filters, sort, int(page)


def report_deadline(args: MultiDict) -> str:
    """``deadline=MM-DD`` (the year after the report's), checked now: 400 when it is no date."""
    month, day = parse_deadline((args.get("deadline", "") or DEFAULT_DEADLINE)[:20])
    return f"{month:02d}-{day:02d}"


def reports_page(index, filters: dict[str, list[str]], sort: str, page: int,
                 deadline: str = DEFAULT_DEADLINE) -> dict:
    """One page of the report list as a dict: the reports, their facets and links."""
    result = index.browse_reports(filters, sort=sort, page=page, per_page=REPORTS_PER_PAGE, deadline=deadline)
    for report in result["reports"]:
        report["url"] = urls.report(report["id"])
        report["search_url"] = urls.search(filters={"report": [report["id"]]})
        report["agency_url"] = urls.reports({"agency": [report["agency"]]}) if report.get("agency") else None
    facets = {key: [dict(item, selected=item["value"] in filters.get(key, []) or _by_part(key, item, filters),
                         toggle_url=urls.report_toggle(filters, sort, key, item["value"], deadline))
                    for item in items[:30] + [i for i in items[30:] if i["value"] == ""]]   # 未注明 stays
              for key, items in result["facets"].items() if items}
    pages = result["pages"]
    at = {"deadline": deadline}
    return {**result, "ok": True, "facets": facets, "labels": REPORT_FACET_LABELS, "value_labels": VALUE_LABELS,
            "deadline": deadline, "links": {
        "self": urls.reports(filters, sort, page, **at), "json": urls.reports(filters, sort, page, json=True, **at),
        "csv": urls.reports(filters, sort, fmt="csv", **at),
        "export": {fmt: urls.reports(filters, sort, fmt=fmt, **at) for fmt in ("csv", "xlsx", "jsonl")},
        "sort": {s: urls.reports(filters, s, **at) for s in REPORT_SORTS},
        "prev": urls.reports(filters, sort, page - 1, **at) if page > 1 else None,
        "next": urls.reports(filters, sort, page + 1, **at) if page < pages else None,
        "clear": urls.reports({}, sort, **at) if filters else None,
        "search": urls.search(filters={k: v for k, v in filters.items() if k in ("agency", "province", "city",
                                                                                   "year", "section")}),
    }}


def _by_part(key: str, item: dict, filters: dict) -> bool:
    """``agency=阳江`` selects every agency whose name contains it."""
    return key in ("agency", "province", "city") and any(v and v in item["value"] for v in filters.get(key, []))


def report_rows(index, filters: dict[str, list[str]], sort: str, base_url: str,
                deadline: str = DEFAULT_DEADLINE):
    """Every report of the list as export rows (``REPORT_COLUMNS``), ``url`` under
    ``base_url``.  The list is made now, not inside the streamed body: a filter the
    library refuses (``year=NaN``) is a 400 before the first byte."""
    from indexer.api import report_url

    result = index.browse_reports(filters, sort=sort, per_page=0, deadline=deadline)
    return ({**report, "url": report_url(report["id"], base_url)} for report in result["reports"])


def collection(index) -> dict:
    """What the collection holds: reports and passages by year and by kind of issuer."""
    reports = index.list_reports()
    return {"reports": len(reports), "passages": sum(r["passages"] for r in reports),
            "by_year": _by_year(reports), "by_issuer": _by_issuer(reports), "reports_url": urls.reports()}


RECENT_YEARS = 12     # listed one by one; earlier years by decade


def _by_year(reports: list[dict]) -> list[dict]:
    """Rows of (label, reports, passages, links): the latest years one by one,
    earlier ones by decade, reports without a year last."""
    years = sorted({r.get("year") or 0 for r in reports} - {0}, reverse=True)
    recent = set(years[:RECENT_YEARS])
    rows: dict[tuple, list[int]] = {}
    for report in reports:
        year = report.get("year") or 0
        span = (year, year) if year in recent or not year else (year // 10 * 10, min(year // 10 * 10 + 9, min(recent) - 1))
        counts = rows.setdefault(span, [0, 0])
        counts[0] += 1
        counts[1] += report["passages"]
    out = []
    for (low, high), (count, passages) in sorted(rows.items(), key=lambda p: (p[0][0] == 0, -p[0][0])):
        value = str(low) if low == high else f"{low}-{high}"
        out.append({"label": f"{low}年" if low == high and low else (f"{low}–{high}年" if low else "年份不详"),
                    "reports": count, "passages": passages,
                    "reports_url": urls.reports({"year": [value]}) if low else None,
                    "search_url": urls.search(filters={"year": [str(low)]}) if low and low == high else
                    (urls.search(year_from=low, year_to=high) if low else None)})
    return out


def _by_issuer(reports: list[dict]) -> list[dict]:
    """By kind of issuer when the reader gives it (``agency_kind``), else by agency."""
    key = "agency_kind" if any(r.get("agency_kind") for r in reports) else "agency"
    counts: dict[str, list[int]] = {}
    for report in reports:
        value = report.get(key) or "未注明"
        pair = counts.setdefault(value, [0, 0])
        pair[0] += 1
        pair[1] += report["passages"]
    top = sorted(counts.items(), key=lambda p: (-p[1][0], p[0]))[:12]
    return [{"label": value, "key": key, "reports": r, "passages": p,
             "reports_url": urls.reports({key: [value if value != "未注明" else ""]})}
            for value, (r, p) in top]
