"""Search an index: the one function both the CLI and the web app call.

``open_index(dir)`` gives an :class:`Index`; ``Index.search`` returns a plain
dict (the JSON of ``indexer search --json`` and ``/search.json``).  Matching,
ranking and facet counting run on the generation's numpy columns and phrase
postings; the hits' text comes from ``texts.bin``, their metadata from the
report table in ``meta.json``.
"""
from __future__ import annotations

import bisect
import gzip
import itertools
import json
import math
import os
import re
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import DEFAULT_INDEX
from .analysis import normalize
from .model import CATEGORIES, PASSAGE_ID_PATTERN, REPORT_ID_PATTERN
from .facets import FilterError, combine, facet_counts, filter_masks
from .match import match_query
from .postings import Postings
from .query import FIELDS, QueryError, parse_query
from .rank import rank
from .snippets import mark, snippet
from .store import CURRENT, NORM_FILE, IndexMissing as _Missing, IndexVersionError, current_generation, read_meta

MAX_PAGE = 1000
MAX_PER_PAGE = 100
SORTS = ("relevance", "date")
_REPORT_ID = re.compile(rf"^{REPORT_ID_PATTERN}$")
_PASSAGE_ID = re.compile(rf"^{PASSAGE_ID_PATTERN}$")


class SearchError(Exception):
    """What the user asked cannot be answered; ``status`` is the HTTP status."""
    status = 400

    def __init__(self, message: str, status: int | None = None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if status is not None:
            self.status = status


class NotFound(SearchError):
    status = 404


class IndexMissing(SearchError):
    status = 503


class Generation:
    """One built index, loaded: columns, postings, normalized and display texts.

    The query path reads only these numpy arrays and memory-mapped files; the
    Whoosh documents are opened on demand (``whoosh()``) for tools that want
    them, so serving does not pay for Whoosh's stored-field column in memory."""

    def __init__(self, path: Path):
        self.path = path
        self.meta = read_meta(path)
        self.vocab = self.meta["vocab"]
        self.reports = self.meta["reports"]
        with np.load(path / "columns.npz") as data:
            self.columns = {name: data[name] for name in data.files}
        self.postings = Postings(path)
        text = gzip.decompress((path / NORM_FILE).read_bytes()).decode("utf-8")
        self.norm = text.split("\n") if text or self.columns["report"].size else []
        self.texts = TextStore(path, self.columns["text_offsets"])
        self.average_length = float(self.columns["length"].mean()) if len(self.norm) else 1.0
        self.titles = Lookup([normalize(r["title"]) for r in self.reports])
        self.sections = Lookup([normalize(s) for s in self.vocab["section"]])
        self.report_ids = [r["id"] for r in self.reports]
        self.report_index = {rid: i for i, rid in enumerate(self.report_ids)}
        # Passages of a report are consecutive rows, in order: its first row.
        counts = np.bincount(self.columns["report"], minlength=len(self.reports))
        self.first_seq = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

    def title_contains(self, terms: list[str]) -> np.ndarray:
        """Per report: 1.0 when its title contains one of ``terms``."""
        return self.titles.contains(terms)

    def section_contains(self, terms: list[str], sections: np.ndarray) -> np.ndarray:
        """Per passage of ``sections`` (section codes): 1.0 when its heading path contains a term."""
        return self.sections.contains(terms)[sections]

    def passage_id(self, seq: int) -> str:
        return f"{self.report_ids[self.columns['report'][seq]]}-{self.columns['ordinal'][seq]:04d}"

    def whoosh(self):
        """The Whoosh index of this generation (one document per passage)."""
        # Imported here, not for serving: Whoosh costs a server 11 MB.
        from whoosh import index as whoosh_index

        return whoosh_index.open_dir(str(self.path / "whoosh"))

    def close(self) -> None:
        self.texts.close()
        self.postings.close()


class Lookup:
    """Which of many short strings contain a term, without a Python loop over
    them: one joined string, ``str.find`` for each occurrence, then a binary
    search from the occurrence to the string it falls in."""

    def __init__(self, strings: list[str]):
        self.count = len(strings)
        self.joined = "\x00".join(strings)
        self.starts = list(itertools.accumulate((len(s) + 1 for s in strings), initial=0))

    def contains(self, terms: list[str]) -> np.ndarray:
        hit = np.zeros(self.count, dtype=np.float64)
        find, starts = self.joined.find, self.starts
        for term in terms:
            at = find(term)
            while at >= 0:
                index = bisect.bisect_right(starts, at) - 1
                hit[index] = 1.0
                at = find(term, starts[index + 1])   # one hit per string is enough
        return hit


class TextStore:
    """The passages' display text: UTF-8 in one file, with the byte offsets in
    the columns.  Only the texts of shown hits are read, with ``os.pread``: a
    memory map would leave every page it touched in the server's resident
    memory (and with large page-cache folios, a whole 2 MB block per hit), so
    after a few hundred queries most of the file would count as the server's."""

    def __init__(self, path: Path, offsets: np.ndarray):
        self._fd = os.open(path / "texts.bin", os.O_RDONLY)
        self._offsets = offsets

    def __getitem__(self, seq: int) -> str:
        return self.span(seq, 1)[0]

    def span(self, first: int, count: int) -> list[str]:
        """The texts of passages ``first`` … ``first + count - 1``, in one read."""
        bounds = self._offsets[first:first + count + 1].tolist()
        if not count:
            return []
        data = self.read(bounds[0], bounds[-1])
        base = bounds[0]
        return [data[a - base:b - base].decode("utf-8") for a, b in itertools.pairwise(bounds)]

    def read(self, start: int, end: int) -> bytes:
        data = os.pread(self._fd, end - start, start)
        while len(data) < end - start:          # pread may return less than asked
            more = os.pread(self._fd, end - start - len(data), start + len(data))
            if not more:
                raise OSError(f"texts.bin ends before byte {end}")
            data += more
        return data

    def close(self) -> None:
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)
            self._fd = -1

    __del__ = close      # a generation replaced by refresh() is closed when dropped


def open_index(index_dir: str | Path = DEFAULT_INDEX) -> "Index":
    return Index(Path(index_dir))


class Index:
    """The serving index of a folder; ``refresh()`` picks up a rebuild."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._gen = self._load()

    def _load(self) -> Generation:
        try:
            return Generation(current_generation(self.root))
        except _Missing:
            raise IndexMissing(f"在 {self.root} 没有索引", hint="先运行 python -m indexer build")
        except IndexVersionError as exc:
            raise IndexMissing(str(exc), hint="用 python -m indexer build 重建索引")

    @property
    def generation(self) -> Generation:
        return self._gen

    def refresh(self) -> bool:
        """Reopen when a build has swapped a new generation in; True if it did."""
        try:
            target = os.readlink(self.root / CURRENT)
        except OSError:
            return False
        if target == self._gen.path.name:
            return False
        self._gen = self._load()    # the old one closes when its last request ends
        return True

    def close(self) -> None:
        self._gen.close()

    def query_terms(self, q: str) -> list[str]:
        try:
            return parse_query(q or "").terms()
        except QueryError:
            return []

    def mark(self, text: str, terms: list[str]) -> str:
        return mark(text, terms)

    def search(self, q: str = "", filters: dict | None = None, page: int = 1, per_page: int = 10,
               sort: str = "relevance") -> dict:
        """One page of results for ``q`` with facet counts over all of them."""
        started = time.perf_counter()
        page, per_page, sort = _check_paging(page, per_page, sort)
        gen = self._gen
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
        gen = self._gen
        run = self._run(gen, q, filters, sort, None)
        return [gen.passage_id(seq) for seq in run["docs"][run["order"]].tolist()]

    def _run(self, gen: Generation, q: str, filters: dict | None, sort: str, needed: int | None) -> dict:
        try:
            query = parse_query(q or "")
        except QueryError as exc:
            raise SearchError(str(exc))
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
            "title": report["title"], "agency": report["agency"], "province": report["province"],
            "city": report["city"], "year": report["year"], "date": report["date"],
            "section": gen.vocab["section"][gen.columns["section"][seq]],
            "category": CATEGORIES[gen.columns["category"][seq]],
            "ordinal": int(gen.columns["ordinal"][seq]), "text": text,
            "snippet": snippet(text, terms), "url": f"/p/{passage_id}",
        }

    def get_report(self, report_id: str) -> dict:
        if not _REPORT_ID.match(report_id or ""):
            raise NotFound(f"没有编号为“{report_id}”的报告")
        gen = self._gen
        path = gen.path / "reports" / f"{report_id}.json"
        if report_id not in gen.report_index or not path.exists():
            raise NotFound(f"没有编号为“{report_id}”的报告")
        report = _read_json(path)
        first = int(gen.first_seq[gen.report_index[report_id]])
        for passage, text in zip(report["passages"], gen.texts.span(first, len(report["passages"]))):
            passage["text"] = text
        report["text"] = "\n\n".join(p["text"] for p in report["passages"])
        return report

    def get_passage(self, passage_id: str) -> dict:
        report, passage = self.get_report_of(passage_id)
        summary = {k: v for k, v in report.items() if k not in ("passages", "headings", "text")}
        return {"passage": passage, "report": summary}

    def get_report_of(self, passage_id: str) -> tuple[dict, dict]:
        """(the whole report, the passage in it): a passage page needs both, read once."""
        found = _PASSAGE_ID.match(passage_id or "")
        if not found:
            raise NotFound(f"没有编号为“{passage_id}”的段落")
        report = self.get_report(found.group(1))
        passage = next((p for p in report["passages"] if p["id"] == passage_id), None)
        if passage is None:
            raise NotFound(f"没有编号为“{passage_id}”的段落")
        return report, passage


@lru_cache(maxsize=64)
def _read_cached(path: str, mtime: float) -> str:
    return Path(path).read_text(encoding="utf-8")


def _read_json(path: Path) -> dict:
    """A fresh dict each call (callers fill it in), parsed from cached text."""
    return json.loads(_read_cached(str(path), path.stat().st_mtime))


def _check_paging(page, per_page, sort) -> tuple[int, int, str]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise SearchError("page 和 per_page 应为正整数")
    if not 1 <= page <= MAX_PAGE:
        raise SearchError(f"页码应在 1 到 {MAX_PAGE} 之间")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchError(f"每页条数应在 1 到 {MAX_PER_PAGE} 之间")
    if sort not in SORTS:
        raise SearchError(f"排序方式应为 {' 或 '.join(SORTS)}")
    return page, per_page, sort


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
