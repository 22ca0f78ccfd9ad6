"""What every research tool starts from: the passages a search matches.

A tool takes the same query and filters as ``Index.search`` and asks for the
whole matching set (``Index.matching``: unranked, no facets), then works on the
generation's numpy columns and texts.  Errors are the search's own.
"""
from __future__ import annotations


from ..errors import SearchError
from ..search.index import Index

MAX_PER_PAGE = 500
# A share over fewer reports than this is listed (with its n) but not drawn:
# one report of a year makes a 0% or 100% spike.
MIN_REPORTS = 5
MISSING_LABEL = "未注明"     # a split value for the reports without one


def matching(index: Index, q: str, filters: dict | None) -> dict:
    """``{"gen", "docs", "terms", "query", "filters", "partial"}`` for ``q``: the
    matching passage rows (sorted ``seq`` numbers, int64) of the serving generation."""
    gen = index.generation
    found = index.matching(gen, q, filters)          # the full matches: what total counts
    return {"gen": gen, "terms": found["query"].terms(), **found}


def check_page(page, per_page, highest: int = MAX_PER_PAGE) -> tuple[int, int]:
    """``page`` and ``per_page`` as integers within bounds (``SearchError`` otherwise)."""
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise SearchError("page 和 per_page 应为正整数")
    if page < 1:
        raise SearchError("页码应从 1 开始")
    if not 1 <= per_page <= highest:
        raise SearchError(f"每页条数应在 1 到 {highest} 之间")
    return page, per_page


def report_of(gen, seq: int) -> dict:
    """The report a passage (by its position in the generation) belongs to."""
    return gen.reports[int(gen.columns["report"][seq])]


def report_value(report: dict, field: str) -> str:
    """A report's value for a split or column; blanks become 未注明 (``MISSING_LABEL``),
    the facets' name for the bucket a link filters with ``field=`` empty."""
    value = report.get(field)
    return str(value) if value not in (None, "", 0) else MISSING_LABEL
