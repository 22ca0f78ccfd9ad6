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
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from .. import DEFAULT_INDEX
from ..errors import IndexMissing, NotFound, SearchError
from ..model import CATEGORIES, made_up_title
from ..store.reader.generation import Generation, ReportNotFound
from ..store.directory.layout import CURRENT, current_generation
from .checks import (GROUPS, MAX_PAGE, MAX_PER_PAGE, SORTS, _PASSAGE_ID, _check_facet_size,  # noqa: F401  (API)
                     _check_paging, _merge_filters, check_passage_id, check_report_id, check_sort,
                     passage_in_report)
from .facets import FilterError, ReportLevel, chosen_codes, combine, facet_counts, filter_masks
from .group import report_order
from .match import match_query, term_hits
from .query import Term, parse_query, query_terms
from .rank import rank
from .scopes import restrict
from .reports import REPORT_SORTS, browse, card_columns, parse_deadline, report_categories
from .snippets import snippet

__all__ = ["GROUPS", "REPORT_SORTS", "Index", "IndexMissing", "NotFound", "SearchError", "Searcher",
           "check_passage_id", "check_report_id", "check_sort", "open_index"]

_NOT_REPORT_FIELDS = ("id", "fmt", "source")   # file details, not the report's metadata


def open_index(index_dir: str | Path = DEFAULT_INDEX, preload: bool = True) -> "Index":
    """The index of ``index_dir``.  ``preload``: load its postings, normalized
    texts and lookups now (a server); False: only what each query touches (a
    process that answers one query and exits: a quoted phrase at 100k passages
    reads a few of its texts, not all of them)."""
    return Index(Path(index_dir), preload)


class Index:
    """The serving index of a folder; ``refresh()`` picks up a rebuild.

    Every request holds the generation it started with until it ends (a count
    per generation); a generation replaced by ``refresh()`` is closed (its
    files, maps and descriptors released) when its last request ends, so a
    server that follows many rebuilds keeps its open files flat."""

    def __init__(self, root: Path, preload: bool = True):
        self.root = Path(root)
        self.preload = preload
        self._lock = threading.Lock()         # held only to count users and swap: never across a load
        self._users: dict[int, int] = {}      # id(generation) → searchers and reads holding it
        self._retired: dict[int, Generation] = {}
        self._gen = self._load()

    def _load(self) -> Generation:
        gen = Generation(current_generation(self.root))
        return gen.load() if self.preload else gen.normalize_on_demand()

    @property
    def generation(self) -> Generation:
        """The generation searches read now."""
        return self._gen

    def acquire(self) -> "Searcher":
        """A handle on the serving generation (as Lucene's ``SearcherManager.acquire``):
        every read through it sees that one generation, whatever is swapped in
        meanwhile; ``release()`` it when done (a request does, at its end)."""
        return Searcher(self, self._hold())

    def _hold(self, gen: Generation | None = None) -> Generation:
        with self._lock:
            gen = gen or self._gen
            self._users[id(gen)] = self._users.get(id(gen), 0) + 1
        return gen

    def _let_go(self, gen: Generation) -> None:
        """One user fewer; the last user of a retired generation closes it."""
        with self._lock:
            self._users[id(gen)] -= 1
            idle = not self._users[id(gen)]
            if idle:
                del self._users[id(gen)]
            retired = self._retired.pop(id(gen), None) if idle else None
        if retired is not None:
            retired.close()

    @contextmanager
    def using(self):
        """The serving generation, held open until the ``with`` block ends."""
        gen = self._hold()
        try:
            yield gen
        finally:
            self._let_go(gen)

    def stale(self) -> str | None:
        """The folder name ``CURRENT`` names when it is not the serving generation's, else None."""
        try:
            target = os.readlink(self.root / CURRENT)
        except OSError:
            return None
        return None if target == self._gen.path.name else target

    def load_fresh(self) -> Generation:
        """The generation ``CURRENT`` names, loaded (slow: no lock is held; the caller swaps it in)."""
        return self._load()

    def swap(self, fresh: Generation) -> None:
        """Serve ``fresh`` from now on: one assignment under the counting lock; the
        generation it replaces is closed by its last user (now, if it has none)."""
        with self._lock:
            old, self._gen = self._gen, fresh
            in_use = id(old) in self._users
            if in_use:
                self._retired[id(old)] = old     # closed by the last searcher using it
        if not in_use:
            old.close()

    def refresh(self) -> bool:
        """Reopen when a build has swapped a new generation in; True if it did."""
        if self.stale() is None:
            return False
        self.swap(self.load_fresh())
        return True

    def close(self) -> None:
        """Close every generation this index opened."""
        with self._lock:
            retired, self._retired = list(self._retired.values()), {}
        for gen in retired:
            gen.close()
        self._gen.close()

    def query_terms(self, q: str) -> list[str]:
        """The terms of ``q`` to mark in a text (none when ``q`` cannot be parsed)."""
        return query_terms(q)

    def search(self, q: str = "", filters: dict | None = None, page: int = 1, per_page: int = 10,
               sort: str = "relevance", group: str = "passage", facet_size: int | None = None) -> dict:
        """One page of results for ``q`` with facet counts over all of them.
        ``group="report"``: the page lists reports (by their best passage) instead.
        ``facet_size``: each facet lists its first ``facet_size`` values and those
        holding a filter value of its field (the year facet: all), and
        ``facet_values`` says how many each has; None: every value."""
        started = time.perf_counter()
        page, per_page, sort, group = _check_paging(page, per_page, sort, group)
        facet_size = _check_facet_size(facet_size)
        with self.using() as gen:
            return self._search(gen, started, q, filters, (page, per_page, sort, group), facet_size)

    def _search(self, gen: Generation, started: float, q: str, filters: dict | None, paging: tuple,
                facet_size: int | None) -> dict:
        page, per_page, sort, group = paging
        by_report = group == "report"
        run = self._run(gen, q, filters, sort, None if by_report else page * per_page, near=not by_report,
                        by_report=by_report, facet_size=facet_size)
        terms = run["query"].terms()
        near_total = run["near_total"]
        total = int(np.count_nonzero(~run["near"]))
        answer = {
            # total: passages matching every word (exact); near_total: listed after
            # them, missing one word; reports_total: reports the full matches come from.
            "query": q or "", "total": total, "near_total": near_total,
            "reports_total": int(np.count_nonzero(_report_level(gen).hits_per_report(run["docs"][~run["near"]]))),
            "partial": run["partial"], "page": page, "per_page": per_page, "sort": sort, "group": group,
            "filters": run["filters"], "excluded_filters": run["excluded"], "terms": terms,
            "notes": run["query"].notes, "whole": self._whole(gen, run, q or ""),
        }
        if group == "report":
            # order: each report's best passage, the reports in the order of them.
            per_report = _report_level(gen).hits_per_report(run["docs"])
            answer["pages"] = max(1, math.ceil(len(run["order"]) / per_page))
            answer["groups"] = [self._group(gen, int(run["docs"][best]), terms, per_report)
                                for best in run["order"][(page - 1) * per_page:page * per_page]]
            answer["hits"] = [g["best"] for g in answer["groups"]]
        else:
            answer["pages"] = max(1, math.ceil((total + near_total) / per_page))
            shown = run["order"][(page - 1) * per_page:page * per_page]
            answer["hits"] = [self._hit(gen, int(seq), terms, near=bool(near), partial=run["partial"])
                              for seq, near in zip(run["docs"][shown], run["near"][shown])]
        answer["facets"] = run["facets"]
        if facet_size is not None:
            answer["facet_values"] = run["facet_values"]
        answer["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def _group(self, gen: Generation, seq: int, terms: list[str], per_report: np.ndarray) -> dict:
        best = self._hit(gen, seq, terms)
        return {"report_id": best["report_id"], "count": int(per_report[gen.columns["report"][seq]]), "best": best}

    def count(self, q: str = "", filters: dict | None = None) -> int:
        """How many passages a search lists before any near miss: those matching every
        word, or, when none does, those matching some (0 for a query it cannot read)."""
        with self.using() as gen:
            return self._count(gen, q, filters)

    def _count(self, gen: Generation, q: str, filters: dict | None) -> int:
        try:
            return len(self.matching(gen, q, filters)["docs"])   # no ranking, facets or hits: a count
        except SearchError:
            return 0

    def matching(self, gen: Generation, q: str, filters: dict | None) -> dict:
        """The full matches of a search (no near misses), filtered, unranked:
        ``{"docs" (sorted rows), "query", "filters", "partial"}``, for tools that
        need the whole set and not its order (counts, concordance, trends)."""
        query, merged, _excluded, matches, masks, _chosen = self._matched(gen, q, filters)
        keep = combine(masks, len(matches.docs)) & ~matches.near
        return {"docs": np.sort(matches.docs[keep]), "query": query, "filters": merged,
                "partial": matches.partial}

    def _matched(self, gen: Generation, q: str, filters: dict | None) -> tuple:
        """(query, filters, excluded filters, matches, a mask per filtered field,
        the codes each filter selects): what every search starts from."""
        query = parse_query(q or "")        # QueryError is a SearchError (400)
        merged = _merge_filters(query.filters, filters or {})
        excluded = _merge_filters(query.excluded_filters, {})
        vocab = self._vocab(gen)
        try:
            chosen, left_out = chosen_codes(vocab, merged), chosen_codes(vocab, excluded)
        except FilterError as exc:
            raise SearchError(str(exc))
        matches = restrict(gen, query, match_query(gen.postings, gen.norm_array, query))
        return query, merged, excluded, matches, filter_masks(gen.filter_columns, matches.docs, chosen, left_out), chosen

    def all_ids(self, q: str = "", filters: dict | None = None, sort: str = "relevance") -> list[str]:
        """Every listed passage id (full matches, then near misses), in result order."""
        with self.using() as gen:
            run = self._run(gen, q, filters, sort, None)
            return [gen.passage_id(seq) for seq in run["docs"][run["order"]].tolist()]

    def iter_hits(self, q: str = "", filters: dict | None = None, sort: str = "relevance",
                  snippets: bool = False, near: bool = False) -> Iterator[dict]:
        """Every hit of a search, in result order, one at a time: an export of
        100k hits holds one hit's text at a time, not all of them.  ``near``:
        also the passages missing one word (an export counts the full matches,
        as ``total`` does).  The search runs now, so a bad query raises here,
        before anything is sent.  The generation is held until the last hit is read."""
        holder = self.using()
        gen = holder.__enter__()
        try:
            run = self._run(gen, q, filters, sort, None, near=near)
        except BaseException:
            holder.__exit__(None, None, None)
            raise
        terms = run["query"].terms() if snippets else []
        ordered = zip(run["docs"][run["order"]].tolist(), run["near"][run["order"]].tolist())
        hits = (self._hit(gen, seq, terms, snippets, near, run["partial"]) for seq, near in ordered)
        return _HeldHits(holder, hits)

    def _run(self, gen: Generation, q: str, filters: dict | None, sort: str, needed: int | None,
             near: bool = True, by_report: bool = False, facet_size: int | None = None) -> dict:
        """The search's matches, facets and order: the first ``needed`` passages
        (None: all), or with ``by_report`` each report's best passage, in order."""
        query, merged, excluded, matches, masks, chosen = self._matched(gen, q, filters)
        # Facets count the full matches: a near miss is shown, not counted.
        full = ~matches.near
        facets, values = facet_counts(gen.filter_columns, matches.docs[full], gen.vocab,
                                      {k: m[full] for k, m in masks.items()}, _report_level(gen), facet_size, chosen,
                                      by_report=by_report)
        keep = combine(masks, len(matches.docs)) & (full if not near else True)
        matches.docs, matches.near = matches.docs[keep], matches.near[keep]
        near_total = int(np.count_nonzero(matches.near))
        if near_total and needed is not None and needed <= len(matches.docs) - near_total:
            # Every full match comes before every near miss (the first key of both
            # orders): a page among the full matches never needs the near misses
            # ranked, and a common two-word query has several times more of them.
            matches.docs, matches.near = matches.docs[~matches.near], matches.near[~matches.near]
        order = (report_order(gen, matches, query, sort) if by_report else
                 rank(gen, matches, query, needed or len(matches.docs), sort))
        return {"query": query, "docs": matches.docs, "near": matches.near, "near_total": near_total,
                "order": order, "excluded": excluded, "partial": matches.partial, "facets": facets,
                "facet_values": values, "filters": merged}

    def _whole(self, gen: Generation, run: dict, q: str) -> dict | None:
        """When the unquoted query is one run of text cut into words: how many of
        the full matches hold the run whole (``其中 199 段包含完整的“经济建设”``)."""
        query = run["query"]
        if len(q.split()) != 1 or len(query.phrases) != 1 or any(t.quoted for c in query.clauses for t in c) or len(query.clauses) < 2:
            return None
        phrase = query.phrases[0]
        docs = run["docs"][~run["near"]]
        count = int(np.isin(docs, term_hits(gen.postings, gen.norm_array, Term(phrase, phrase, True)).docs).sum())
        return {"text": phrase, "count": count} if count else None

    @staticmethod
    def _vocab(gen: Generation) -> dict:
        """The facet vocabularies plus the report ids (for ``report:`` filters)."""
        return {**gen.vocab, "report": gen.report_ids}

    def _hit(self, gen: Generation, seq: int, terms: list[str], with_snippet: bool = True,
             near: bool = False, partial: bool = False) -> dict:
        report = gen.reports[int(gen.columns["report"][seq])]
        text = gen.texts[seq]
        passage_id = gen.passage_id(seq)
        hit = {
            "passage_id": passage_id, "report_id": report["id"],
            "title": report["title"], "display_title": report["title"] or made_up_title(report["agency"], report["year"],
                                                                                  report.get("doc_type", "")),
            "title_made_up": not report["title"], "agency": report["agency"],
            "agency_kind": report.get("agency_kind", ""), "agency_level": report.get("agency_level", ""),
            "doc_type": report.get("doc_type", ""), "province": report["province"],
            "city": report["city"], "year": report["year"], "date": report["date"],
            "section": gen.vocab["section"][gen.columns["section"][seq]],
            "category": CATEGORIES[gen.columns["category"][seq]],
            "ordinal": int(gen.columns["ordinal"][seq]), "text": text,
            "copied": bool(gen.copied[seq]),
            # The index's normalized text spares the snippet normalizing it again.
            "snippet": snippet(text, terms, gen.norm[seq]) if with_snippet else None,
            # all: every word; near: all but one (listed after those); some: a
            # partial result, where no passage holds every word.
            "match": "near" if near else ("some" if partial else "all"),
        }
        # Every other field of the report table (county, source_url, and any the reader adds).
        hit.update((k, v) for k, v in report.items() if k not in hit and k not in _NOT_REPORT_FIELDS)
        return hit

    def list_reports(self, deadline: str | None = None) -> list[dict]:
        """The report table: one dict per report, with its passage count, the
        categories it has passages in (``"sections"``), and its report-card columns
        (required contents missing, timeliness against ``deadline``, copied passages)."""
        gen = self.generation
        month_day = parse_deadline(deadline)
        counts = np.bincount(gen.columns["report"], minlength=len(gen.reports))
        categories = report_categories(gen)
        copied = gen.copied_per_report.tolist()
        return [{**{k: v for k, v in r.items() if k not in _NOT_REPORT_FIELDS[1:]}, "passages": int(n),
                 "sections": s, **card_columns(r, s, c, month_day)}
                for r, n, s, c in zip(gen.reports, counts.tolist(), categories, copied)]

    def browse_reports(self, filters: dict | None = None, sort: str = "date", page: int = 1,
                       per_page: int = 50, deadline: str | None = None) -> dict:
        """Every report (filtered, sorted, one page of them) with facet counts over
        reports; ``per_page=0``: all of them on one page (for export)."""
        reports = self.list_reports(deadline)
        if per_page == 0:
            page, per_page = 1, max(1, len(reports))
        else:
            page, per_page, _, _ = _check_paging(page, per_page, "relevance")
        try:
            result = browse(reports, filters or {}, sort, page, per_page)
        except FilterError as exc:
            raise SearchError(str(exc))
        for report in result["reports"]:
            report["sections"] = sorted(report["sections"], key=CATEGORIES.index)
        return result

    def get_report(self, report_id: str) -> dict:
        """The whole report (``NotFound`` for an unknown id)."""
        check_report_id(report_id)
        try:
            with self.using() as gen:
                return gen.read_report(report_id)
        except ReportNotFound:
            raise NotFound(f"没有编号为“{report_id}”的报告")

    def get_report_of(self, passage_id: str) -> tuple[dict, dict]:
        """(the whole report, the passage in it): a passage page needs both, read once."""
        return passage_in_report(self.get_report, passage_id)


class Searcher(Index):
    """One generation of an :class:`Index`, held: every read of it (search, counts,
    reports, the research tools reading ``generation``) sees that generation,
    so a request that reads many times never mixes two builds.  Reference
    counted on its index: ``release()`` (or ``close()``) lets go, once."""

    def __init__(self, index: Index, gen: Generation):      # noqa: D107  (no load: the index's)
        self.root, self._index, self._gen = index.root, index, gen
        self._released = False

    @contextmanager
    def using(self):
        """This searcher's generation: held already, by the searcher itself, until
        it is released (a request's: when its answer, an export too, has been sent)."""
        yield self._gen

    def acquire(self) -> "Searcher":
        """Another handle on the same generation (held until it is released)."""
        return Searcher(self._index, self._index._hold(self._gen))

    def stale(self) -> str | None:
        """A searcher never goes stale: it keeps its generation until released."""
        return None

    def refresh(self) -> bool:
        """A searcher never moves to a newer generation (its request sees one)."""
        return False

    def release(self) -> None:
        """Let go of the generation (once; later calls do nothing)."""
        if not self._released:
            self._released = True
            self._index._let_go(self._gen)

    close = release

    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *_exc) -> None:
        self.release()


class _HeldHits:
    """An export's hits, holding their generation open (``Index.using``) until the
    last one is read or the iterator is closed: a swap mid-export must not close
    the files the rest of the hits are read from.  Released by that count, not
    by the collector: read it to the end or close it.  (Through a request's
    ``Searcher`` the request's own hold keeps the generation open.)"""

    def __init__(self, holder, hits: Iterator[dict]):
        self._holder, self._hits = holder, hits

    def __iter__(self) -> "_HeldHits":
        return self

    def __next__(self) -> dict:
        try:
            return next(self._hits)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        holder, self._holder = self._holder, None
        if holder is not None:
            holder.__exit__(None, None, None)


def _report_level(gen: Generation) -> ReportLevel:
    return ReportLevel(gen.report_bounds, gen.report_columns)
