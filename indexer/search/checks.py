"""What a search request may ask: pages, sorts, groups, filters and ids,
checked before anything is searched (a bad one is a 400 or 404 with a message)."""
from __future__ import annotations

import re

from ..errors import NotFound, SearchError
from ..model import PASSAGE_ID_PATTERN, REPORT_ID_PATTERN
from .query import FIELDS

MAX_PAGE = 1000
MAX_PER_PAGE = 100
SORTS = ("relevance", "date", "date_asc")   # date: newest first; date_asc: oldest first
GROUPS = ("passage", "report")
_REPORT_ID = re.compile(rf"^{REPORT_ID_PATTERN}$")
_PASSAGE_ID = re.compile(rf"^{PASSAGE_ID_PATTERN}$")


def check_report_id(report_id: str) -> str:
    """``report_id`` when it has the form of one; else :class:`NotFound` (404)."""
    if not _REPORT_ID.match(report_id or ""):
        raise NotFound("报告编号格式不对，找不到这份报告。", hint="报告编号形如 r2022-0177ae4c5d。")
    return report_id


def check_passage_id(passage_id: str) -> str:
    """``passage_id`` when it has the form of one; else :class:`NotFound` (404)."""
    if not _PASSAGE_ID.match(passage_id or ""):
        raise NotFound("段落编号格式不对，找不到这个段落。", hint="段落编号形如 r2022-0177ae4c5d-0012。")
    return passage_id


def passage_in_report(get_report, passage_id: str) -> tuple[dict, dict]:
    """(the whole report, the passage in it): the report read once, by
    ``get_report`` (report id → report dict, ``NotFound`` for an unknown one);
    :class:`NotFound` for a malformed id or one the report does not hold."""
    report = get_report(_PASSAGE_ID.match(check_passage_id(passage_id)).group(1))
    passage = next((p for p in report["passages"] if p["id"] == passage_id), None)
    if passage is None:
        raise NotFound(f"没有编号为“{passage_id}”的段落")
    return report, passage


def check_sort(sort: str) -> str:
    """``sort`` when it is one of ``SORTS``; else :class:`SearchError` (400)."""
    if sort not in SORTS:
        raise SearchError(f"不支持的排序方式：{sort}。", hint="sort 只能是 relevance（相关度）或 date（日期）。")
    return sort


def _check_paging(page, per_page, sort, group="passage") -> tuple[int, int, str, str]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise SearchError("page 和 per_page 应为正整数")
    if not 1 <= page <= MAX_PAGE:
        raise SearchError(f"页码应在 1 到 {MAX_PAGE} 之间")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchError(f"每页条数应在 1 到 {MAX_PER_PAGE} 之间")
    if group not in GROUPS:
        raise SearchError(f"分组方式应为 {' 或 '.join(GROUPS)}")
    return page, per_page, check_sort(sort), group


def _merge_filters(from_query: dict, given: dict) -> dict[str, list[str]]:
    """Filters typed in the query plus those passed as parameters, per field."""
    merged: dict[str, list[str]] = {}
    for source in (given, from_query):
        for name, values in source.items():
            if name not in FIELDS:
                raise SearchError(f"不能按“{name}”筛选；可用：{', '.join(FIELDS)}")
            values = [values] if isinstance(values, (str, int)) else list(values)
            for value in map(str, values):
                # "" is a value: no value (the 未注明 bucket; facets.MISSING).
                if (value.strip() or not value) and value not in merged.setdefault(name, []):
                    merged[name].append(value)
    return {k: v for k, v in merged.items() if v}


def _check_facet_size(facet_size) -> int | None:
    if facet_size is None:
        return None
    try:
        facet_size = int(facet_size)
    except (TypeError, ValueError):
        facet_size = -1
    if facet_size < 0:
        raise SearchError("facet_size 应为非负整数")
    return facet_size
