"""Search an index: the one function both the CLI and the web app call.

``open_index(dir)`` gives an :class:`Index`; ``Index.search`` returns a plain
dict of data: each hit's snippet is its text and match spans, never HTML, and
no URL is made here (``indexer.render.result`` turns it into the JSON of
``indexer search --json`` and ``/search.json``).  Matching,
ranking and facet counting run on the generation's numpy columns and phrase
postings; the hits' text comes from ``texts.bin``, their metadata from the
report table in ``meta.json``.
"""
from __future__ import annotations

import math
import os
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .. import DEFAULT_INDEX
from ..errors import IndexMissing, NotFound, SearchError
from ..model import CATEGORIES, PASSAGE_ID_PATTERN, REPORT_ID_PATTERN, made_up_title
from ..store.generation import Generation, ReportNotFound
from ..store.layout import CURRENT, current_generation
from .facets import FilterError, combine, facet_counts, filter_masks
from .match import match_query
from .query import FIELDS, QueryError, parse_query
from .rank import rank
from .snippets import snippet

__all__ = ["Index", "IndexMissing", "NotFound", "SearchError", "check_passage_id", "check_report_id", "check_sort",
           "open_index", "search_passages"]

MAX_PAGE = 1000
MAX_PER_PAGE = 100
SORTS = ("relevance", "date")
_REPORT_ID = re.compile(rf"^{REPORT_ID_PATTERN}$")
_PASSAGE_ID = re.compile(rf"^{PASSAGE_ID_PATTERN}$")


def open_index(index_dir: str | Path = DEFAULT_INDEX) -> "Index":
    return Index(Path(index_dir))


class Index:
    """The serving index of a folder; ``refresh()`` picks up a rebuild.

    Every request holds the generation it started with until it ends (a count
    per generation); a generation replaced by ``refresh()`` is closed (its
    files, maps and descriptors released) when its last request ends, so a
    server that follows many rebuilds keeps its open files flat."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._users: dict[int, int] = {}      # id(generation) → requests using it
        self._retired: dict[int, Generation] = {}
        self._gen = self._load()

    def _load(self) -> Generation:
        return Generation(current_generation(self.root)).load()

    @property
    def generation(self) -> Generation:
        return self._gen

    @contextmanager
    def using(self):
        """The serving generation, held open until the ``with`` block ends."""
        with self._lock:
            gen = self._gen
            self._users[id(gen)] = self._users.get(id(gen), 0) + 1
        try:
            yield gen
        finally:
            with self._lock:
                self._users[id(gen)] -= 1
                idle = not self._users[id(gen)]
                if idle:
                    del self._users[id(gen)]
                retired = self._retired.pop(id(gen), None) if idle else None
            if retired is not None:
                retired.close()

    def refresh(self) -> bool:
        """Reopen when a build has swapped a new generation in; True if it did."""
        try:
            target = os.readlink(self.root / CURRENT)
        except OSError:
            return False
        if target == self._gen.path.name:
            return False
        fresh = self._load()
        with self._lock:
            old, self._gen = self._gen, fresh
            in_use = id(old) in self._users
            if in_use:
                self._retired[id(old)] = old     # closed by the last request using it
        if not in_use:
            old.close()
        return True

    def close(self) -> None:
        with self._lock:
            retired, self._retired = list(self._retired.values()), {}
        for gen in retired:
            gen.close()
        self._gen.close()

    def query_terms(self, q: str) -> list[str]:
        try:
            return parse_query(q or "").terms()
        except QueryError:
            return []

    def search(self, q: str = "", filters: dict | None = None, page: int = 1, per_page: int = 10,
               sort: str = "relevance") -> dict:
        """One page of results for ``q`` with facet counts over all of them."""
        started = time.perf_counter()
        page, per_page, sort = _check_paging(page, per_page, sort)
        with self.using() as gen:
            return self._search(gen, started, q, filters, page, per_page, sort)

    def _search(self, gen: Generation, started: float, q: str, filters: dict | None, page: int,
                per_page: int, sort: str) -> dict:
        run = self._run(gen, q, filters, sort, page * per_page)
        terms = run["query"].terms()
        docs = run["docs"][run["order"][(page - 1) * per_page:]]
        total = int(len(run["docs"]))
        return {
            "query": q or "", "total": total, "partial": run["partial"],
            "page": page, "per_page": per_page, "pages": max(1, math.ceil(total / per_page)),
            "sort": sort, "filters": run["filters"], "terms": terms, "notes": run["query"].notes,
            "hits": [self._hit(gen, int(seq), terms) for seq in docs],
            "facets": run["facets"],
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    def all_ids(self, q: str = "", filters: dict | None = None, sort: str = "relevance") -> list[str]:
        """Every matching passage id, in result order (for export and checks)."""
        with self.using() as gen:
            run = self._run(gen, q, filters, sort, None)
            return [gen.passage_id(seq) for seq in run["docs"][run["order"]].tolist()]

    def _run(self, gen: Generation, q: str, filters: dict | None, sort: str, needed: int | None) -> dict:
        query = parse_query(q or "")        # QueryError is a SearchError (400)
        merged = _merge_filters(query.filters, filters or {})
        matches = match_query(gen.postings, gen.norm, query)
        try:
            masks = filter_masks(gen.columns, matches.docs, gen.vocab, merged)
        except FilterError as exc:
            raise SearchError(str(exc))
        facets = facet_counts(gen.columns, matches.docs, gen.vocab, masks)
        matches.docs = matches.docs[combine(masks, len(matches.docs))]
        order = rank(gen, matches, query, needed or len(matches.docs), sort)
        return {"query": query, "docs": matches.docs, "order": order,
                "partial": matches.partial, "facets": facets, "filters": merged}

    def _hit(self, gen: Generation, seq: int, terms: list[str]) -> dict:
        report = gen.reports[int(gen.columns["report"][seq])]
        text = gen.texts[seq]
        passage_id = gen.passage_id(seq)
        return {
            "passage_id": passage_id, "report_id": report["id"],
            "title": report["title"], "display_title": report["title"] or made_up_title(report["agency"], report["year"]),
            "title_made_up": not report["title"], "agency": report["agency"],
            "agency_kind": report.get("agency_kind", ""), "agency_level": report.get("agency_level", ""),
            "province": report["province"],
            "city": report["city"], "year": report["year"], "date": report["date"],
            "section": gen.vocab["section"][gen.columns["section"][seq]],
            "category": CATEGORIES[gen.columns["category"][seq]],
            "ordinal": int(gen.columns["ordinal"][seq]), "text": text,
            "snippet": snippet(text, terms),
        }

    def get_report(self, report_id: str) -> dict:
        check_report_id(report_id)
        try:
            with self.using() as gen:
                return gen.read_report(report_id)
        except ReportNotFound:
            raise NotFound(f"没有编号为“{report_id}”的报告")

    def get_passage(self, passage_id: str) -> dict:
        report, passage = self.get_report_of(passage_id)
        summary = {k: v for k, v in report.items() if k not in ("passages", "headings", "text")}
        return {"passage": passage, "report": summary}

    def get_report_of(self, passage_id: str) -> tuple[dict, dict]:
        """(the whole report, the passage in it): a passage page needs both, read once."""
        report = self.get_report(_PASSAGE_ID.match(check_passage_id(passage_id)).group(1))
        passage = next((p for p in report["passages"] if p["id"] == passage_id), None)
        if passage is None:
            raise NotFound(f"没有编号为“{passage_id}”的段落")
        return report, passage


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


def check_sort(sort: str) -> str:
    """``sort`` when it is one of ``SORTS``; else :class:`SearchError` (400)."""
    if sort not in SORTS:
        raise SearchError(f"不支持的排序方式：{sort}。", hint="sort 只能是 relevance（相关度）或 date（日期）。")
    return sort


def _check_paging(page, per_page, sort) -> tuple[int, int, str]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise SearchError("page 和 per_page 应为正整数")
    if not 1 <= page <= MAX_PAGE:
        raise SearchError(f"页码应在 1 到 {MAX_PAGE} 之间")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchError(f"每页条数应在 1 到 {MAX_PER_PAGE} 之间")
    return page, per_page, check_sort(sort)


def _merge_filters(from_query: dict, given: dict) -> dict[str, list[str]]:
    """Filters typed in the query plus those passed as parameters, per field."""
    merged: dict[str, list[str]] = {}
    for source in (given, from_query):
        for name, values in source.items():
            if name not in FIELDS:
                raise SearchError(f"不能按“{name}”筛选；可用：{', '.join(FIELDS)}")
            values = [values] if isinstance(values, (str, int)) else list(values)
            for value in map(str, values):
                if value.strip() and value not in merged.setdefault(name, []):
                    merged[name].append(value)
    return {k: v for k, v in merged.items() if v}


def search_passages(q: str, index_dir: str | Path = DEFAULT_INDEX, **options) -> dict:
    """One-shot search: open the index, search, close."""
    index = open_index(index_dir)
    try:
        return index.search(q, **options)
    finally:
        index.close()
