"""``ClusterIndex``: the embedded ``Index``'s search interface on the shards.

A search sends each shard, in parallel, one Groonga ``select`` per question
(one after another on the shard's connection): the matches (counted, their
facets drilled down), the candidate lists (``candidates.py``), a facet whose
own filter is set (counted without it), the near misses, the count holding
the query whole.  The answers are merged here: counts and facets are sums (a
report lives on one shard), the order is ours (``order.py``) over the union
of the shards' candidates, asked again until no passage left out could reach
the page; the shown hits' display texts are read last, their snippets made here.
"""
from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import orjson
from cachetools import LRUCache

from ..analysis import normalize
from ..errors import SearchError
from ..model import CATEGORIES
from ..search.checks import _check_facet_size, _check_paging, passage_in_report
from ..search.facets import FACETS
from ..search.query import query_terms
from . import EmbeddedOnly
from . import candidates
from . import groonga as g
from . import planning
from .facets import ReportCodes, merged_facets
from .nodes import Cluster
from .order import Stats, as_first_scored, result_order
from .pages import hit, read_report
from .planning import Plan
from .texts import Texts



@dataclass(eq=False)
class State:
    """What a client keeps of one cluster generation: the report table and statistics."""
    number: int
    rows_by_id: dict[str, dict]           # id → table row
    shard_of: dict[str, int]
    passages_of: dict[str, int]
    report_ids: list[str]
    facet_vocab: dict[str, list[str]]
    passages: int
    average_length: float
    title_norms: dict[str, str] = field(default_factory=dict)     # id → normalized title
    clause_stats: LRUCache = field(default_factory=lambda: LRUCache(4096))
    titles: "Texts | None" = None               # the titles, searched once per term (``planning.titles_of``)
    heading_paths: "Texts | None" = None        # the heading paths the shards hold, read on first use
    report_codes: "ReportCodes | None" = None    # per report, its report-level facets' codes (made on first use)
    max_length: int = 0             # the longest normalized passage (``boosts.adjust_for``)
    id_of_number: dict[int, str] = field(default_factory=dict)    # the head's report numbers (``g.PER_REPORT``)
    # Count-only answers (count and facets, no rows) per (shard, command), as Elasticsearch's
    # shard request cache keeps size-0 answers until the next refresh: the next page, another
    # sort or a facet toggled asks them again.  Weighed by their drilldown values (~100 bytes each).
    counts: LRUCache = field(default_factory=lambda: LRUCache(COUNTS_CACHED, getsizeof=_answer_size))
    counts_lock: threading.Lock = field(default_factory=threading.Lock)
    # Nothing is read from files here, so nothing is checked as read: the web server's start
    # (``search_web.index``) asks, and an unknown attribute is an embedded-only tool (501).
    checked_as_read: bool = False

    def verify(self) -> None:
        """Nothing to check here: the shards' tables are the database's (the embedded
        generation's checksums guard its own files)."""

    def close(self) -> None:
        """Nothing held open: the connections are the cluster's."""

    def __getattr__(self, name: str):
        # A research tool reaching for the embedded generation's files (postings, columns, Whoosh …).
        if name.startswith("__"):
            raise AttributeError(name)
        raise _embedded_only()

    __hash__ = object.__hash__       # a memo key (search_web.memo keys answers by generation)


class ClusterIndex:
    def __init__(self, url: str):
        self.url = url
        self.cluster = Cluster(url)
        self._lock = threading.Lock()
        self._state = self._load()
        self.each_shard(lambda pool: pool.query("SELECT 1"))     # a connection per shard, opened now

    # --- generations ---------------------------------------------------------

    def _load(self) -> State:
        head = self.cluster.head
        number = head.query("SELECT value FROM state WHERE name = 'generation'")[0][0]
        rows = head.query("SELECT id, shard, passages, length_sum, info, number FROM reports ORDER BY number")
        reports = {rid: orjson.loads(info) for rid, _s, _p, _l, info, _n in rows}
        passages = sum(int(r[2]) for r in rows)
        lengths = sum(int(r[3]) for r in rows)
        vocab = {name: sorted({r.get(name) for r in reports.values() if r.get(name)})
                 for name in ("agency", "agency_kind", "agency_level", "province", "city", "doc_type")}
        return State(number, reports, {rid: shard for rid, shard, *_ in rows}, {r[0]: int(r[2]) for r in rows},
                     list(reports), vocab, passages,
                     lengths / passages if passages else 1.0,
                     {rid: normalize(r["title"] or "") for rid, r in reports.items()},
                     max_length=self._max_length(), id_of_number={int(r[5]): r[0] for r in rows})

    def _max_length(self) -> int:
        """The longest normalized passage on any shard (Groonga's top-1 by length)."""
        command = g.select("all_records()", 1, "-length", columns=("length",))
        found = [g.read(a)["rows"] for a in self.each_shard(lambda pool: pool.groonga(command))]
        return max((int(rows[0]["length"]) for rows in found if rows), default=0)

    @property
    def generation(self) -> State:
        return self._state

    def refresh(self) -> bool:
        """Reload the report table when the cluster changed since; True if it did."""
        number = self.cluster.head.query("SELECT value FROM state WHERE name = 'generation'")[0][0]
        if number == self._state.number:
            return False
        with self._lock:
            self.cluster.load_topology()
            self._state = self._load()
        return True

    def close(self) -> None:
        self.cluster.close()

    # The server's handle protocol (``Index.acquire``/``stale``): a cluster holds no files,
    # so a request's handle is the client itself, and a change reloads the report table in place.
    def acquire(self) -> "ClusterIndex":
        return self

    def release(self) -> None:
        """Nothing to let go (``close`` closes the connections)."""

    def stale(self) -> None:
        self.refresh()
        return None

    @contextmanager
    def using(self):
        """The generation a request holds: nothing to hold open on a cluster."""
        yield self._state

    def list_reports(self, deadline: str | None = None) -> list[dict]:
        """The report table with each report's passage count (the report cards' columns need
        the embedded index: ``browse_reports`` says so)."""
        state = self._state
        return [{**{k: v for k, v in r.items() if k != "id"}, "id": rid, "passages": state.passages_of[rid]}
                for rid, r in state.rows_by_id.items()]

    def browse_reports(self, *args, **kwargs):
        raise _embedded_only()

    iter_hits = browse_reports

    def __getattr__(self, name: str):
        # What research tools ask of the embedded ``Index`` (matching, generations' files).
        if name.startswith("_"):
            raise AttributeError(name)
        raise _embedded_only()

    def query_terms(self, q: str) -> list[str]:
        """The terms of ``q`` to mark in a text, as ``Index.query_terms``."""
        return query_terms(q)

    # --- search --------------------------------------------------------------

    def search(self, q: str = "", filters: dict | None = None, page: int = 1, per_page: int = 10,
               sort: str = "relevance", group: str = "passage", facet_size: int | None = None) -> dict:
        """One page of results with facet counts over all of them, as ``Index.search``."""
        started = time.perf_counter()
        page, per_page, sort, group = _check_paging(page, per_page, sort, group)
        facet_size = _check_facet_size(facet_size)
        state = self._state
        plan = planning.make_plan(self, state, q, filters)
        by_report = group == "report"
        needed = page * per_page
        stats = Stats(state.passages, state.average_length, plan.dfs, plan.part_dfs, plan.weights)
        answers = self._first_round(plan, stats, sort, needed, near=not by_report, by_report=by_report)
        for answer in answers:
            as_first_scored(answer["main"]["rows"], sort, plan.adjust)
        if plan.df_pending:
            stats = planning.learn_df(state, plan, answers, stats)
        total = sum(a["main"]["count"] for a in answers)
        if plan.full_unknown and planning.learn_full(self, state, plan, total):     # none holds every word
            answer = self.search(q, filters, page, per_page, sort, group, facet_size)
            answer["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
            return answer
        near_total = (0 if by_report else plan.near_count if plan.near_count is not None
                      else sum(plan.dfs) - 2 * total if plan.near_from_total
                      else planning.near_from_union(state, plan, answers, total) if plan.near_from_union
                      else planning.near_total(plan, answers, total))
        rows, complete = candidates.gather(self.cluster, plan, stats, state.title_norms, sort, needed, plan.filter,
                                           answers, reports=by_report)
        near = [False] * len(rows)
        if near_total and needed > total:
            extra, near_complete = self._near_candidates(plan, stats, sort, needed - total)
            complete = complete and near_complete
            rows += extra
            near += [True] * len(extra)
        order = result_order(rows, np.array(near, dtype=bool), plan.query, stats, state.title_norms, sort)
        facets, values = self._facets(state, plan, answers, facet_size, by_report)
        reports_total = sum(a["main"]["drilldowns"][g.PER_REPORT_LABEL]["count"] for a in answers)
        answer = {
            "query": q or "", "total": total, "near_total": near_total, "reports_total": reports_total,
            "partial": plan.partial, "page": page, "per_page": per_page, "sort": sort, "group": group,
            "filters": plan.merged, "excluded_filters": plan.excluded, "terms": plan.query.terms(),
            "notes": plan.query.notes + ([] if complete else [candidates.BOUNDED.format(len(rows))]),
            "whole": self._whole(plan, answers),
        }
        if by_report:
            answer["pages"] = max(1, math.ceil(reports_total / per_page))
            answer["groups"] = self._groups(state, plan, rows, order, page, per_page, answer["terms"])
            answer["hits"] = [group["best"] for group in answer["groups"]]
        else:
            answer["pages"] = max(1, math.ceil((total + near_total) / per_page))
            shown = order[(page - 1) * per_page:page * per_page].tolist()
            candidates.fill_texts(self.cluster, [rows[i] for i in shown])
            answer["hits"] = [hit(state, rows[i], answer["terms"], near[i], plan.partial) for i in shown]
        answer["facets"] = facets
        if facet_size is not None:
            answer["facet_values"] = values
        answer["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def _groups(self, state: State, plan: "Plan", rows: list[dict], order: np.ndarray, page: int,
                per_page: int, terms: list[str]) -> list[dict]:
        """A page of reports, each where its best passage ranks (``search.group``), with its hit count."""
        first: dict[str, int] = {}
        for i in order.tolist():
            first.setdefault(rows[i]["report_id"], i)
        shown = list(first.items())[(page - 1) * per_page:page * per_page]
        if not shown:
            return []
        candidates.fill_texts(self.cluster, [rows[i] for _, i in shown])
        ids = [rid for rid, _ in shown]
        command = g.select(f"({plan.filter}) && {g.in_values('report', ids)}",
                           drilldowns={"per_report": "report_id"})
        counts: dict[str, int] = {}
        for answer in self.per_shard({"count": command}):
            counts.update(answer["count"]["drilldowns"]["per_report"]["values"])
        return [{"report_id": rid, "count": counts.get(rid, 0), "best": hit(state, rows[i], terms, False, False)}
                for rid, i in shown]

    def count(self, q: str = "", filters: dict | None = None) -> int:
        """Full matches (or, when none hold every word, those holding some), as ``Index.count``."""
        try:
            plan = planning.make_plan(self, self._state, q, filters)
        except SearchError:
            return 0
        command = g.select(plan.filter)
        found = sum(g.read(a)["count"] for a in self.each_shard(lambda pool: pool.groonga(command)))
        if plan.full_unknown and planning.learn_full(self, self._state, plan, found):
            return self.count(q, filters)       # none holds every word: those holding some
        return found

    def each_shard(self, fn) -> list:
        """``[fn(pool)]`` for every shard, in parallel."""
        return self.cluster.fan_out([(n, fn) for n in sorted(self.cluster.shards)])

    def _first_round(self, plan: "Plan", stats: Stats, sort: str, needed: int, near: bool = True,
                     by_report: bool = False) -> list[dict]:
        """Per shard: the matches' count and facets, the candidate lists, the facets of
        filtered fields without their own filter, the near misses' count and the
        whole-query count."""
        own = [name for name in FACETS if name in plan.chosen_values]
        # The matches per report ("reports": the report count, the report-level facets, and on
        # a page of reports the reports hit, whose values are the client's report table's).
        commands = candidates.first_command(plan, stats, sort, needed, plan.filter, drilldowns={
            **g.facet_drilldowns(n for n in FACETS if n not in own), g.PER_REPORT_LABEL: g.PER_REPORT})
        per_report = {g.PER_REPORT_LABEL: g.PER_REPORT} if by_report else {}
        word = g.all_of([g.clause([t.norm for t in plan.query.clauses[0]])]) if plan.df_pending else None
        for name in own:
            expr = g.filtered(plan.base, plan.chosen_values, plan.excluded_values, skip=name)
            commands[f"facet {name}"] = g.select(expr, drilldowns={**g.facet_drilldowns([name]), **per_report})
            if expr == word:          # one filter: its facet counts the word's passages
                plan.df_label = f"facet {name}"
        if by_report:      # per section category and copied value, how many reports
            for name, size in (("section", len(CATEGORIES)), ("copied", 2)):
                expr = (g.filtered(plan.base, plan.chosen_values, plan.excluded_values, skip=name)
                        if name in own else plan.filter)
                for code in range(size):
                    commands[f"reports {name} {code}"] = g.select(f"({expr}) && {g.COLUMN[name]} == {code}",
                                                                  drilldowns={"report_count": g.PER_REPORT})
        if plan.near_from_union and near:
            commands["any"] = g.select(plan.near_from_union)
        elif plan.near_base and near and plan.near_count is None and not plan.near_from_total:   # (a list of reports: full matches only)
            for i, part in enumerate(plan.near_parts):                # (``planning.near_total``)
                commands[f"near {i}"] = g.select(g.filtered(part, plan.chosen_values, plan.excluded_values))
        if plan.whole_phrase:
            commands["whole"] = g.select(f"({plan.filter}) && {g.term(plan.whole_phrase)}")
        if plan.df_pending and not plan.unfiltered and plan.df_label == "main":   # unfiltered: the matches are the word's
            commands["df"] = g.select(g.clause([t.norm for t in plan.query.clauses[0]]))
            plan.df_label = "df"
        return self.per_shard(commands)

    def per_shard(self, commands: dict[str, str]) -> list[dict]:
        """Per shard (in order): ``{label: answer}`` for every command, the shards in
        parallel, each shard's commands one after another on one connection (a new
        connection costs more than a count); count-only answers this generation gave
        already come from ``State.counts``."""
        state = self._state
        shards = sorted(self.cluster.shards)
        with state.counts_lock:
            known = [{label: state.counts[n, command] for label, command in commands.items()
                      if (n, command) in state.counts} for n in shards]

        def run(shard: int):
            def on(pool) -> dict:
                answers = {}
                with pool.connection() as conn, conn.cursor() as cursor:
                    for label, command in commands.items():
                        if label not in known[shard]:
                            cursor.execute("SELECT mroonga_command(%s)", (command,))
                            answers[label] = g.read(orjson.loads(cursor.fetchone()[0]))
                return answers
            return on

        found = self.cluster.fan_out([(n, run(i)) for i, n in enumerate(shards)])
        with state.counts_lock:
            for n, answers in zip(shards, found):
                for label, answer in answers.items():
                    if g.counts_only(commands[label]):
                        state.counts[n, commands[label]] = answer
        return [{**k, **a} for k, a in zip(known, found)]

    def _near_candidates(self, plan: "Plan", stats: Stats, sort: str, wanted: int) -> tuple[list[dict], bool]:
        expr = g.filtered(plan.near_base, plan.chosen_values, plan.excluded_values)
        held = len(plan.query.clauses) - 1
        answers = self.per_shard(candidates.first_command(plan, stats, sort, wanted, expr, held=held))
        for answer in answers:
            as_first_scored(answer["main"]["rows"], sort, plan.adjust)
        return candidates.gather(self.cluster, plan, stats, self._state.title_norms, sort, wanted, expr, answers,
                                 held=held)

    def _facets(self, state: State, plan: "Plan", answers: list[dict], size: int | None,
                by_report: bool = False) -> tuple[dict, dict]:
        if state.report_codes is None:
            state.report_codes = ReportCodes(state.facet_vocab, state.rows_by_id, state.id_of_number)
        return merged_facets(state.facet_vocab, state.report_codes, plan, answers, size, by_report)

    def _whole(self, plan: "Plan", answers: list[dict]) -> dict | None:
        if not plan.whole_phrase:
            return None
        count = sum(a["whole"]["count"] for a in answers)
        return {"text": plan.whole_phrase, "count": count} if count else None

    # --- reports ------------------------------------------------------------

    def get_report(self, report_id: str) -> dict:
        return read_report(self.cluster, self._state.shard_of, report_id)

    def get_passage(self, passage_id: str) -> dict:
        report, passage = self.get_report_of(passage_id)
        summary = {k: v for k, v in report.items() if k not in ("passages", "headings", "text")}
        return {"passage": passage, "report": summary}

    def get_report_of(self, passage_id: str) -> tuple[dict, dict]:
        return passage_in_report(self.get_report, passage_id)


COUNTS_CACHED = 200_000      # drilldown values (and answers) ``State.counts`` holds: some 20 MB


def _answer_size(answer: dict) -> int:
    return 1 + sum(len(d["values"] if "values" in d else d["numbers"]) for d in answer["drilldowns"].values())


def _embedded_only() -> EmbeddedOnly:
    return EmbeddedOnly("此功能（研究工具、报告列表与体检、导出全部结果）读取内嵌索引的文件，集群后端不提供",
                        hint="对同一批报告用内嵌索引（--index）运行；build --backend 会保留它")
