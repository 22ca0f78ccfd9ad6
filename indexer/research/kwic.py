"""Concordance (KWIC, key word in context): every occurrence of the query's
terms as one line, the match centred with ``width`` characters either side.

Occurrences are found in the normalized passage texts the index holds in
memory (the same substring test that makes search exact), so counting and
sorting all lines reads no display text; only the lines of the page shown are
cut from the display text, through ``normalize_with_offsets``, so a line shows
what the report says (``２０２３ 年``) where the query matched ``2023年``.
"""
from __future__ import annotations

import math

import numpy as np

from ..analysis import normalize_with_offsets
from ..errors import SearchError
from ..model import CATEGORIES
from ..search.index import Index
from .common import check_page, matching, report_of

SORTS = ("position", "left", "right", "agency", "year")
MAX_WIDTH = 200
DEFAULT_WIDTH = 30
# Sorting needs every line's key in memory: beyond this, ask for a narrower query.
MAX_LINES = 200_000


def occurrences(norm: str, terms: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of any term in ``norm``, in text order.
    A term's occurrences do not overlap (as ``str.count`` counts them); a shorter
    term inside a longer one's occurrence is not a line of its own."""
    found: list[tuple[int, int]] = []
    for term in terms:                      # longest first (Query.terms)
        at = norm.find(term)
        while at >= 0:
            end = at + len(term)
            if not any(s <= at and end <= e for s, e in found):
                found.append((at, end))
            at = norm.find(term, end)
    return sorted(found)


def concordance(index: Index, q: str, filters: dict | None = None, width: int = DEFAULT_WIDTH,
                sort: str = "position", page: int = 1, per_page: int = 50, every: bool = False) -> dict:
    """One page of concordance lines for ``q``, with the exact number of lines;
    ``every``: all the lines at once (for export), ``page`` ignored."""
    page, per_page = check_page(page, per_page)
    width = _check(width, sort)
    found = matching(index, q, filters)
    gen, terms = found["gen"], found["terms"]
    if not terms:
        raise SearchError("索引行需要检索词", hint="例如 /kwic?q=告知承诺制")
    lines = _all_occurrences(gen, found["docs"].tolist(), terms)
    total = len(lines)
    if sort != "position":
        lines.sort(key=_sort_key(gen, sort, width))
    shown = lines if every else lines[(page - 1) * per_page: page * per_page]
    return {
        "query": q or "", "terms": terms, "filters": found["filters"], "partial": found["partial"],
        "width": width, "sort": sort, "page": page, "per_page": per_page,
        "total": total, "pages": max(1, math.ceil(total / per_page)),
        "passages": len(found["docs"]),
        "lines": _render(gen, shown, width),
    }


def _check(width, sort: str) -> int:
    try:
        width = int(width)
    except (TypeError, ValueError):
        raise SearchError("width 应为整数")
    if not 1 <= width <= MAX_WIDTH:
        raise SearchError(f"上下文宽度应在 1 到 {MAX_WIDTH} 个字之间")
    if sort not in SORTS:
        raise SearchError(f"排序方式应为 {'、'.join(SORTS)} 之一")
    return width


def _all_occurrences(gen, docs: list[int], terms: list[str]) -> list[tuple[int, int, int, int]]:
    """(seq, k, start, end) per occurrence: k-th occurrence in passage ``seq``."""
    lines = []
    docs = np.asarray(docs, dtype=np.int64)
    # The texts a chunk at a time: one gather (made in a batch where the texts
    # are made on demand), and no more read than the line limit needs.
    for at in range(0, len(docs), _CHUNK):
        chunk = docs[at:at + _CHUNK]
        for seq, text in zip(chunk.tolist(), gen.norm_array[chunk]):
            for k, (start, end) in enumerate(occurrences(text, terms)):
                lines.append((seq, k, start, end))
            if len(lines) > MAX_LINES:
                raise SearchError(f"出现次数超过 {MAX_LINES} 次，无法全部列出",
                                  hint="请加上年份、机构或章节筛选，或换一个更具体的词")
    return lines


_CHUNK = 1000


def _sort_key(gen, sort: str, width: int):
    norm, reports, report_col = gen.norm, gen.reports, gen.columns["report"]
    if sort == "left":      # read leftwards from the match, as concordancers do
        return lambda line: (norm[line[0]][max(0, line[2] - width):line[2]][::-1], line)
    if sort == "right":
        return lambda line: (norm[line[0]][line[3]:line[3] + width], line)
    if sort == "agency":
        return lambda line: (reports[report_col[line[0]]]["agency"] or "\uffff", line)
    return lambda line: (-(reports[report_col[line[0]]]["year"] or 0), line)   # year: newest first


def _render(gen, shown: list[tuple[int, int, int, int]], width: int) -> list[dict]:
    """The page's lines, cut from the display text: the passage's normalized
    text is ``normalize(text)``, so its offsets map each match back."""
    out = []
    for seq, _k, norm_start, norm_end in shown:
        text = gen.texts[seq]
        _norm, offsets = normalize_with_offsets(text)
        start, end = offsets[norm_start], offsets[norm_end - 1] + 1
        report = report_of(gen, seq)
        passage_id = gen.passage_id(seq)
        out.append({
            "passage_id": passage_id, "report_id": report["id"], "agency": report["agency"],
            "province": report["province"], "year": report["year"], "title": report["title"],
            "category": CATEGORIES[gen.columns["category"][seq]],
            "left": text[max(0, start - width):start], "match": text[start:end],
            "right": text[end:end + width], "position": start,
        })
    return out
