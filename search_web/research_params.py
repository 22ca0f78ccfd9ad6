"""Reading the research tools' parameters: the search's query and filters,
plus each tool's own options, checked before they reach the library."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from .errors import WebError
from .params import FILTER_KEYS, MAX_FILTER_LENGTH, MAX_FILTER_VALUES, MAX_QUERY, clean_query


def query(args: MultiDict) -> str:
    q = clean_query(args)
    if len(q) > MAX_QUERY:
        raise WebError(f"查询太长（{len(q)} 个字符，最多 {MAX_QUERY} 个）。", 400)
    return q


def queries(args: MultiDict, highest: int = 5) -> list[str]:
    """Every ``q=`` given (the trend compares up to ``highest``)."""
    found = []
    for raw in args.getlist("q"):
        q = clean_query(MultiDict([("q", raw)]))
        if len(q) > MAX_QUERY:
            raise WebError(f"查询太长（{len(q)} 个字符，最多 {MAX_QUERY} 个）。", 400)
        if q and q not in found:
            found.append(q)
    if len(found) > highest:
        raise WebError(f"最多比较 {highest} 个检索词。", 400, "去掉几个 q= 参数。")
    return found


def filters(args: MultiDict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in FILTER_KEYS:
        values = []
        for value in args.getlist(key):
            value = value.strip()
            if len(value) > MAX_FILTER_LENGTH:
                raise WebError(f"筛选条件 {key} 太长。", 400)
            if value and value not in values:
                values.append(value)
        if len(values) > MAX_FILTER_VALUES:
            raise WebError(f"筛选条件 {key} 的取值太多。", 400)
        if values:
            out[key] = values
    return out


def integer(args: MultiDict, name: str, default: int, lowest: int, highest: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise WebError(f"参数 {name} 应为 {lowest} 到 {highest} 之间的整数，收到的是“{raw[:20]}”。", 400)
    return int(raw)


def choice(args: MultiDict, name: str, allowed: tuple[str, ...]) -> str:
    value = args.get(name, "").strip() or allowed[0]
    if value not in allowed:
        raise WebError(f"参数 {name} 应为 {'、'.join(allowed)} 之一，收到的是“{value[:20]}”。", 400)
    return value
