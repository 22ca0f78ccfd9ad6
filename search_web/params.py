"""Reading and checking what comes in: search parameters and ids.

Everything is checked here before it reaches the search, so a hand-edited URL
gets a 400 or 404 with a message instead of an exception deep inside.  The
rules themselves (filter fields, limits, sorts, id patterns) are the library's
(``indexer.api``): checked by its functions, which raise its error with a
message and hint; what is checked here is only how a URL carries them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.api import (EXPORT_LABELS, FACETS, FIELDS, GROUPS, MAX_PAGE, MAX_PER_PAGE, SearchError, check_query,
                         check_sort, resolve_category, yes_no)
from werkzeug.datastructures import MultiDict

from .errors import WebError

# The library's filter fields and facets; city is a filter without a facet:
# reports name too many cities to list; report narrows to one report (a
# report group's "all its hits" link).
FILTER_KEYS = FIELDS
# What the page calls each field (facet headings, filter chips, report lists):
# the library's one label table, which exports use for their headers too.
FACET_LABELS = EXPORT_LABELS
# How a page shows the coded values of some facets (the URL and JSON keep the codes).
VALUE_LABELS = {"copied": {"yes": "有", "no": "无"},
                "timeliness": {"on_time": "按时", "late": "逾期", "unknown": "日期不详"}}
FACET_KEYS = FACETS
PER_PAGE = 10
FACET_SIZE = 30          # values listed per facet (Datasette's default); facet_size= asks for more
MAX_FACET_SIZE = 5000
MAX_FILTER_VALUES = 20
MAX_FILTER_LENGTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class SearchParams:
    """A search's state as the URL carries it: query, filters, year range, page, sort, grouping."""
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    sort: str = "relevance"
    per_page: int = PER_PAGE
    facet_size: int = FACET_SIZE
    group: str = "passage"
    year_from: int | None = None
    year_to: int | None = None

    @property
    def landing(self) -> bool:
        """No query, no filter, first page: the home page.  Paging or sorting
        on from there browses every passage."""
        return (not self.q and not self.filters and self.page == 1 and self.sort == "relevance"
                and self.group == "passage" and not self.year_range)

    @property
    def year_range(self) -> str:
        """``2018-2022``, ``2018-`` or ``-2022`` for the library's year filter; "" for none."""
        if self.year_from is None and self.year_to is None:
            return ""
        return f"{self.year_from or ''}-{self.year_to or ''}"

    def library_filters(self) -> dict[str, list[str]]:
        """The filters as the library takes them: the year range joins the year values."""
        filters = {k: list(v) for k, v in self.filters.items()}
        if self.year_range:
            filters.setdefault("year", []).append(self.year_range)
        return filters


def parse_search(args: MultiDict) -> SearchParams:
    """The search a URL asks for; the library's ``SearchError`` (400) for a
    query too long or an unknown sort, ``WebError`` for what the URL carries badly."""
    q = check_query(clean_query(args))
    sort = check_sort(args.get("sort", "relevance") or "relevance")
    group = args.get("group", "passage") or "passage"
    if group not in GROUPS:
        raise WebError(f"不支持的分组方式：{group[:20]}。", 400, "group 只能是 passage（按段落）或 report（按报告）。")
    year_from, year_to = _year(args, "year_from"), _year(args, "year_to")
    if year_from and year_to and year_from > year_to:
        year_from, year_to = year_to, year_from       # a range typed backwards means the same years
    return SearchParams(q=q, filters=parse_filters(args), sort=sort, group=group,
                        year_from=year_from, year_to=year_to,
                        page=_int(args, "page", 1, MAX_PAGE),
                        per_page=_int(args, "per_page", PER_PAGE, MAX_PER_PAGE),
                        facet_size=_int(args, "facet_size", FACET_SIZE, MAX_FACET_SIZE))


# A research tool's page has a sort and a page size of its own; the search's
# ride along under these names, so the tool's 搜索 tab returns to that search.
TOOL_STATE_NAMES = {"sort": "search_sort", "per_page": "search_per_page"}


def parse_state(args: MultiDict, tool: bool = False) -> SearchParams:
    """The search state a page carries: query (a tool's first), filters, year
    range, grouping, sort and page size (``tool``: under ``TOOL_STATE_NAMES``),
    always on page 1."""
    if not tool:
        return parse_search(args)
    pairs = [(k, v) for k, v in args.items(multi=True)
             if k not in ("q", "page", "per_page", "sort", "facet_size", *TOOL_STATE_NAMES.values())]
    pairs += [(name, args.get(carried, "")) for name, carried in TOOL_STATE_NAMES.items() if args.get(carried)]
    queries = [q for q in args.getlist("q") if q.strip()]
    pairs += [("q", queries[0])] if queries else []
    return parse_search(MultiDict(pairs))


def clean_query(args: MultiDict) -> str:
    # Control characters and runs of spaces come from pastes, never from intent.
    """The ``q`` parameter with control characters and runs of spaces made one space."""
    return " ".join(_CONTROL.sub(" ", args.get("q", "")).split())


def parse_filters(args: MultiDict) -> dict[str, list[str]]:
    """The filter parameters of the query string (``WebError`` when too long or too many)."""
    filters: dict[str, list[str]] = {}
    for key in FILTER_KEYS:
        values: list[str] = []
        for value in args.getlist(key):
            value = _CONTROL.sub("", value).strip()
            if len(value) > MAX_FILTER_LENGTH:
                raise WebError(f"筛选条件 {key} 太长。", 400)
            if key == "section":
                # 问题, 下一步… name a category; the facet lists categories, and
                # toggling must find the value it shows as selected.
                value = resolve_category(value) or value
            elif key == "copied" and value:
                value = _yes_no(value)
            if value not in values:     # "" (``agency=``): the reports without one, the 未注明 bucket
                values.append(value)
        if len(values) > MAX_FILTER_VALUES:
            raise WebError(f"筛选条件 {key} 的取值太多（最多 {MAX_FILTER_VALUES} 个）。", 400)
        if values:
            filters[key] = values
    return filters


def _yes_no(value: str) -> str:
    """``yes``/``no`` for 是/否, true/false…: the facet lists codes, toggling must find them."""
    try:
        return yes_no(value)
    except ValueError as exc:
        raise SearchError(str(exc), hint="copied 只能是 yes（有雷同段落）或 no（没有）。")


def _int(args: MultiDict, name: str, default: int, highest: int) -> int:
    return integer(args, name, default, 1, highest)


def integer(args: MultiDict, name: str, default: int, lowest: int, highest: int) -> int:
    """``name`` as an integer in [lowest, highest]; ``default`` when absent; else a 400."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise WebError(f"参数 {name} 应为 {lowest} 到 {highest} 之间的整数，收到的是“{raw[:20]}”。", 400)
    return int(raw)


def _year(args: MultiDict, name: str) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise WebError(f"参数 {name} 应为四位年份，例如 2021，收到的是“{raw[:20]}”。", 400)
    return int(raw)
