"""Reading the research tools' parameters: the search's query and filters,
plus each tool's own options, checked before they reach the library."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from indexer.api import check_query

from .errors import WebError
from .params import clean_query, integer, parse_filters

__all__ = ["choice", "filters", "integer", "queries", "query"]
filters = parse_filters     # the search's own filters, read the same way


def query(args: MultiDict) -> str:
    """The checked ``q`` of a tool (``SearchError`` when it cannot be parsed)."""
    return check_query(clean_query(args))


def queries(args: MultiDict, highest: int = 5) -> list[str]:
    """Every ``q=`` given (the trend compares up to ``highest``)."""
    found = []
    for raw in args.getlist("q"):
        q = check_query(clean_query(MultiDict([("q", raw)])))
        if q and q not in found:
            found.append(q)
    if len(found) > highest:
        raise WebError(f"最多比较 {highest} 个检索词。", 400, "去掉几个 q= 参数。")
    return found


def choice(args: MultiDict, name: str, allowed: tuple[str, ...]) -> str:
    """Parameter ``name``, one of ``allowed`` (the first when absent; ``WebError`` otherwise)."""
    value = args.get(name, "").strip() or allowed[0]
    if value not in allowed:
        raise WebError(f"参数 {name} 应为 {'、'.join(allowed)} 之一，收到的是“{value[:20]}”。", 400)
    return value
