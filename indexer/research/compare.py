"""Side by side: the passages of one category (存在的不足和原因 …)
from many reports, so a reader compares what 20 bureaus wrote under the same
heading.  The reports are those with a passage of that category matching the
query and filters (every report with that category for an empty query); each
shows all its passages of the category, in order, the query's terms to mark.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import SearchError
from ..model import CATEGORIES, resolve_category
from ..search.index import Index
from .common import check_page, matching

MAX_REPORTS = 50
# Passages shown per report (those matching the query first, then in order):
# a category such as 其他 holds whole reports, and one page was 34 MB.
MAX_COLUMN_PASSAGES = 30


def side_by_side(index: Index, q: str = "", filters: dict | None = None, category: str = "存在的不足和原因",
                 page: int = 1, per_page: int = 20) -> dict:
    """Each report's passages of one category, a page of reports at a time, for reading side by side."""
    page, per_page = check_page(page, per_page, MAX_REPORTS)
    resolved = resolve_category(category or "")
    if resolved is None:
        raise SearchError(f"没有“{category}”这一部分", hint=f"可用：{'、'.join(CATEGORIES)}（或 成效、问题、责任、下一步）")
    filters = {k: v for k, v in (filters or {}).items() if k != "section"}
    found = matching(index, q, {**filters, "section": [resolved]})
    gen = found["gen"]
    numbers = np.unique(gen.columns["report"][found["docs"]]).tolist()
    numbers.sort(key=lambda n: (-(gen.reports[n]["year"] or 0), gen.reports[n]["agency"] or "\uffff", n))
    total = len(numbers)
    shown = numbers[(page - 1) * per_page: page * per_page]
    code = CATEGORIES.index(resolved)
    matched = set(found["docs"].tolist())
    return {"query": q or "", "terms": found["terms"], "category": resolved,
            "filters": {k: v for k, v in found["filters"].items() if k != "section"},
            "page": page, "per_page": per_page, "total": total, "pages": max(1, math.ceil(total / per_page)),
            "reports": [_column(gen, n, code, matched) for n in shown]}


def _column(gen, number: int, code: int, matched: set[int]) -> dict:
    report = gen.reports[number]
    first = int(gen.first_seq[number])
    count = int(np.count_nonzero(gen.columns["report"] == number))
    every = [first + i for i in np.flatnonzero(gen.columns["category"][first:first + count] == code).tolist()]
    rows = _shown(every, matched)
    texts = [gen.texts[seq] for seq in rows]
    return {"report_id": report["id"], "agency": report["agency"], "title": report["title"],
            "year": report["year"], "province": report["province"],
            "passages_total": len(every),
            "passages": [{"passage_id": gen.passage_id(seq), "text": text, "matched": seq in matched} for seq, text in zip(rows, texts)]}


def _shown(rows: list[int], matched: set[int]) -> list[int]:
    """At most MAX_COLUMN_PASSAGES of ``rows``, those matching first, in report order."""
    if len(rows) <= MAX_COLUMN_PASSAGES:
        return rows
    hits = [seq for seq in rows if seq in matched][:MAX_COLUMN_PASSAGES]
    rest = [seq for seq in rows if seq not in matched][:MAX_COLUMN_PASSAGES - len(hits)]
    return sorted(hits + rest)
