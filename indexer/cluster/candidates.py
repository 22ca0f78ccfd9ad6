"""Which passages each shard sends to be ranked here, and when they are enough.

Each shard sends its best matches by Groonga's first score (``order.first_score``:
our BM25 without the title and heading boosts, counted from Groonga's own
occurrence count, so never below ours but for the boosts).  When that is not
enough, a shard's matches come in lists split by which clauses the report
title holds and whether the heading path holds a query term (found with their
own full-text indexes, never by a test of every match): within a list the
title boost is known exactly, the heading boost is 0 or at most every clause's.
After ranking the union here, ``order.safe`` checks every list a shard cut
short: when a passage it left out could still reach the page (or the
proximity rescore window), the shard is asked again, its first list split
(the first list then standing for the matches without a boost), then for four
times as many.
Up to ``MAX_CANDIDATES`` a list; beyond that (a common word pair at 100k
passages) the page is ranked among those, and the answer's notes say so
(``BOUNDED``): the counts and facets stay exact.
By relevance the lists come without the candidates' normalized text (``lean``):
our score needs it, but only for the candidates whose bound from above could
reach the page; ``_narrowed`` reads it for those, best bound first.
"""
from __future__ import annotations

import bisect
import math

from ..search.factors import length_prior
from ..search.rank import CATEGORY_BOOST, HEADING_BOOST, K1, RESCORE_WINDOW, TITLE_BOOST, category_named
from . import groonga as g
from .order import (SCALE, Stats, as_first_scored, first_bound, first_score, headings_last, idfs, ranked_keys, safe,
                    saturation_limit)

MARGIN = 100                 # candidates per list beyond the page (or the rescore window)
MAX_CANDIDATES = 1_200       # per list and shard (split, then once four times as many)
COLUMNS = tuple(c for c in g.CANDIDATE_COLUMNS if c != "text")   # texts: only the shown hits'
LEAN_COLUMNS = tuple(c for c in COLUMNS if c != "norm")          # ``lean``: norms read on demand
FIRST_READ = 2      # × (the page or rescore window + MARGIN): the texts read first (one round for 80 of 100 bench queries)


def lists(plan, stats: Stats, sort: str, expr: str) -> dict:
    """The first candidate list: ``{"all": (Groonga filter, the most the boosts add,
    title and heading path conditions)}``: the largest title boost and heading boost
    that occur (``plan.title_sets``, ``plan.heading_path_sets``), none when the
    adjuster put them in the first score (``plan.adjust``, ``boosts``)."""
    if plan.adjust is not None:
        return {"all": (expr, 0.0, 0)}
    return {"all": (expr, max_boost(plan.title_sets, stats, TITLE_BOOST)
                    + max_boost(plan.heading_path_sets, stats, HEADING_BOOST), 0)}


def max_boost(sets: list[tuple[int, ...]], stats: Stats, boost: float) -> float:
    """The most a title (or heading) boost adds to a passage's score, over the sets of
    clauses the titles (or heading paths) hold: ``boost`` × the clauses' idf summed."""
    weights = idfs(stats)
    return max((boost * sum(weights[i] for i in held) for held in sets), default=0.0)


def can_split(plan, sort: str) -> bool:
    """Whether splitting by boosts can help: not when the first score holds them already."""
    return not (plan.partial or not plan.query.clauses or sort == "date" or plan.adjust is not None)


REST = ((), 0)       # the list of matches without a boost: no clause in the title or heading path


def split_lists(plan, stats: Stats, expr: str) -> dict:
    """The matches split by which clauses their report's title holds (the sets that
    occur among the reports' titles) and, when some heading path holds a query term,
    whether theirs does, each found with its own full-text index: within a list the
    title boost is known exactly and the heading boost is 0 or at most the largest
    that occurs.  Keyed ``(clauses in the title, in the heading path)``; ``REST`` holds the
    matches without a boost."""
    clauses = [[t.norm for t in clause] for clause in plan.query.clauses]
    weights = idfs(stats)
    in_title = [g.any_of([g.term(t, "title_norm") for t in clause]) for clause in clauses]
    heading = max_boost(plan.heading_path_sets, stats, HEADING_BOOST)
    in_heading = g.any_of([g.term(t, "section_norm") for clause in clauses for t in clause])
    heading_conditions = ((0, f" &! {in_heading}"), (1, f" && {in_heading}")) if heading else ((0, ""),)
    found = {}
    for held in sorted(set(plan.title_sets) | {()}):
        where = f"({expr})" + "".join(f" && {in_title[i]}" if i in held else f" &! {in_title[i]}"
                                      for i in range(len(clauses)))
        title_boost = TITLE_BOOST * sum(weights[i] for i in held)
        for in_heading_path, condition in heading_conditions:
            found[held, in_heading_path] = (where + condition, title_boost + heading * in_heading_path,
                                            len(held) + in_heading_path)
    return found


def near_slack(stats: Stats) -> float:
    """What our score of a near match may add beyond Groonga's first score and the
    title and heading boosts: a compound's parts less the missing word's idf (a part's
    idf is at most the compound's: below ``K1`` times it).  A full match gets nothing
    more: the length prior and lead lines only take away, and the category boost is
    in the first score."""
    found = idfs(stats)
    return K1 * max(found) if found else 0.0


def limit_for(sort: str, needed: int) -> int:
    return (max(needed, RESCORE_WINDOW) if sort == "relevance" else needed) + MARGIN


DEEP_AT = 2_000     # matches (all shards) from which a relevance list starts MAX_CANDIDATES deep


def first_limit(plan, sort: str, needed: int, held: int | None = None) -> int:
    """How many candidates a shard's first list of full matches holds: ``limit_for``, or
    ``MAX_CANDIDATES`` for a relevance page of many matches (``plan.expected``) or of a
    new word (its count comes with this list: a rare word's list is short anyway).  On
    1 M passages a list of 1,200 cost a shard 5–20 ms more than one of 300; a second
    list, when the first cannot prove the page, matched and scored every match again
    (150–280 ms for a common pair): most lists of a common query needed it."""
    limit = limit_for(sort, needed)
    if sort != "relevance" or held is not None or plan.partial or not plan.query.clauses:
        return limit
    return max(limit, MAX_CANDIDATES) if _many(plan) else limit


def _many(plan) -> bool:
    """Whether a search's lists start deep: ``DEEP_AT`` matches or more, or a new word
    (None: counted in the first round)."""
    return plan.expected is None or plan.expected >= DEEP_AT


def sort_keys(plan, sort: str) -> str:
    if sort == "date" or not plan.query.clauses:
        return "-date,-year,-_score,seq"
    return "-_score,seq"


def command(plan, stats: Stats, sort: str, spec: tuple, limit: int, held: int | None = None,
            drilldowns: dict | None = None) -> str:
    """A candidate list's ``select``; ``held``: how many clauses every match holds
    (default all; near misses: one less); ``drilldowns``: counted on the way (the
    first list holds every match)."""
    where, _, conditions = spec
    held = len(plan.query.clauses) if held is None else held
    # Weighted clauses: Groonga's own score of a title or heading path condition is 1 an occurrence.
    spare = 0 if plan.partial else conditions + (0 if stats.weights else max(held - 1, 0))
    adjust = plan.adjust          # (lists are split only without it)
    scorer = first_score(plan.query, stats, spare, adjust, headings_last(sort))
    return g.select(where, limit, sort_keys(plan, sort), scorer, drilldowns=drilldowns,
                    columns=LEAN_COLUMNS if lean(plan, sort) else COLUMNS, adjuster=adjust.expr if adjust else "")


def lean(plan, sort: str) -> bool:
    """Whether the candidate lists come without their normalized text, read afterwards
    only for the candidates that could reach the page (``_narrowed``): by relevance, full
    or near matches, when the lists start deep (``first_limit``).  A common query's 1,200
    candidates a shard carried a megabyte of text, written, sent, parsed and counted in
    for the few hundred the page needs; a short list's text comes with it (one round
    trip less)."""
    return narrows(plan, sort) and _many(plan)


def narrows(plan, sort: str) -> bool:
    """Whether the candidates are narrowed to those that could reach the page (``_narrowed``)."""
    return sort == "relevance" and bool(plan.query.clauses) and not plan.partial


def first_command(plan, stats: Stats, sort: str, needed: int, expr: str, held: int | None = None,
                  drilldowns: dict | None = None) -> dict[str, str]:
    """The first candidate list of a search (all its matches, by Groonga's first score),
    labelled ``main``."""
    return {"main": command(plan, stats, sort, lists(plan, stats, sort, expr)["all"],
                            first_limit(plan, sort, needed, held), held, drilldowns)}


BOUNDED = "结果很多：本页在各分片得分最高的 {} 段中排序，顺序可能与完整排序略有不同（总数和分面统计仍是精确的）。"


def gather(cluster, plan, stats: Stats, titles: dict, sort: str, needed: int, expr: str,
           answers: list[dict], reports: bool = False, held: int | None = None) -> tuple[list[dict], bool]:
    """The candidates of every shard (``answers``: per shard, its first answers by
    label, holding ``main``), asked again where they may not be enough: first split
    by boosts, then four times as many; each row marked with its shard.  And whether
    they are enough (False: the page is ranked among them)."""
    specs = lists(plan, stats, sort, expr)
    shards = sorted(cluster.shards)
    parts = {(n, "all"): a["main"]["rows"] for n, a in zip(shards, answers)}
    limits = dict.fromkeys(parts, first_limit(plan, sort, needed, held))
    pending: list[tuple] = []        # split lists left for the second wave: ((shard, name), depth)
    near = held is not None and held < len(plan.query.clauses)

    near_extra = near_slack(stats) if near else 0.0
    ceiling = _ceiling(plan, stats)

    def boost(name) -> float:
        return specs[name][1] + near_extra

    norms: dict[str, str] = {}

    def bound(row) -> float:
        """The most our score of a full or near match can be, from what its row says:
        the length prior multiplies every part of it but the near matches' own."""
        return (first_bound(row) + specs[row["_list"]][1]) * length_prior(row["length"]) + near_extra

    while True:
        rows = _union(parts)
        if narrows(plan, sort):
            rows = _narrowed(cluster, rows, norms, bound, plan, stats, titles, sort, needed, reports)
        short = [key for key, part in parts.items() if len(part) >= limits[key]]
        if not short and not pending:
            return rows, True
        # A partial result ranks by the clauses a passage holds first, which ``safe`` does not
        # compare: by relevance its page is ranked among the candidates.  By date the clauses
        # do not order it, and the first score (with their bonus) still bounds ours.
        if plan.partial and sort != "date":
            return rows, False
        cut = _cut(rows, ranked_keys(rows, plan.query, stats, titles, sort), plan, sort, needed, reports)

        def reachable(name) -> bool:
            """Whether a passage of the list could reach the cut, whatever it holds."""
            return cut is None or not safe(cut, ceiling, plan.query, stats, sort, boost(name))

        unsafe = [key for key in short if cut is None or
                  not safe(cut, parts[key][-1], plan.query, stats, sort, boost(key[1]))]
        asks = [(key, depth) for key, depth in pending if reachable(key[1])]
        pending = []
        if not unsafe and not asks:
            return rows, True
        if plan.adjust is not None and plan.adjust.loose:
            # A near-universal title or heading word was a constant (``boosts.LOOSE_SHARE``):
            # the lists that cannot prove the page come again with the exact adjuster.
            plan.adjust = plan.adjust.exact
            specs = lists(plan, stats, sort, expr)
            _ask(cluster, plan, stats, sort, specs, [(key, limits[key]) for key in unsafe], parts, limits, held)
            continue
        for shard, name in unsafe:
            if name == "all" and can_split(plan, sort):
                # Split by the boosts, at the same depth.  The first list stands for the
                # unboosted rest: every passage it left out scores below its last.
                if REST not in specs:
                    specs.update(split_lists(plan, stats, expr))
                parts[shard, REST], limits[shard, REST] = parts.pop((shard, name)), limits.pop((shard, name))
                # The lists that could reach the cut, in two waves, the larger boosts first:
                # the cut they raise may leave the second wave nothing to find.
                others = sorted((o for o in specs if o not in ("all", REST) and reachable(o)), key=lambda o: -boost(o))
                first = (len(others) + 1) // 2
                asks += [((shard, other), limits[shard, REST]) for other in others[:first]]
                pending += [((shard, other), limits[shard, REST]) for other in others[first:]]
            elif limits[shard, name] >= MAX_CANDIDATES:
                return rows, False
            else:
                asks.append(((shard, name), limits[shard, name] * 4))
        _ask(cluster, plan, stats, sort, specs, asks, parts, limits, held)


def _ceiling(plan, stats: Stats) -> dict:
    """A candidate row scoring the most any passage can by Groonga's first score: BM25's
    saturation (every clause's idf × (K1 + 1)) and the category boost, not a heading."""
    most = saturation_limit(stats)
    if category_named(plan.query) is not None:
        most += CATEGORY_BOOST * max(idfs(stats))
    return {"_score": math.ceil(most * SCALE), "heading": 0}


def _union(parts: dict) -> list[dict]:
    """Every list's rows once (the first list overlaps the split ones), marked with their
    shard and list."""
    seen: set[str] = set()
    rows = []
    for (shard, name), part in parts.items():
        for row in part:
            if row["id"] not in seen:
                seen.add(row["id"])
                rows.append(dict(row, _shard=shard, _list=name))
    return rows


def _narrowed(cluster, rows: list[dict], norms: dict, bound, plan, stats: Stats, titles: dict, sort: str,
              needed: int, reports: bool) -> list[dict]:
    """The candidates that could reach the page (or the rescore window), each with its
    normalized text, read from the shards (``norms``: what earlier rounds read): first
    for the best by their bound from above (``bound``: Groonga's first score, the list's
    boosts, the length prior), then for every candidate whose bound reaches the page's
    cut (the cut only moves up as more are known: two rounds).  The rest are left out:
    no score their text could hold reaches the page."""
    clauses = len(plan.query.clauses)
    norms.update((r["id"], r["norm"]) for r in rows if "norm" in r)      # (a list that was not ``lean``)

    def key_at_best(row) -> tuple:       # at least ``ranked_keys``'s key, whatever the text holds
        return (-clauses, row["heading"], -bound(row), row["seq"])

    known = [dict(r, norm=norms[r["id"]]) for r in rows if r["id"] in norms]
    unread = sorted(((key_at_best(r), i) for i, r in enumerate(rows) if r["id"] not in norms))
    keys = [key for key, _ in unread]
    batch = math.ceil(FIRST_READ * (max(needed, RESCORE_WINDOW) + MARGIN))
    start = 0
    while start < len(unread):
        cut = _cut(known, ranked_keys(known, plan.query, stats, titles, sort), plan, sort, needed, reports)
        if cut is None:
            end, batch = start + batch, batch * 2
        else:
            end = bisect.bisect_right(keys, cut, lo=start)     # the first whose bound cannot reach the cut
            if end == start:
                break
        read = [rows[i] for _, i in unread[start:end]]
        _read_norms(cluster, read, norms)
        # (a passage replaced since its list was sent is gone: left out, as a list sent now would)
        known += [dict(r, norm=norms[r["id"]]) for r in read if r["id"] in norms]
        start = end
    return known


def _read_norms(cluster, rows: list[dict], norms: dict) -> None:
    """The normalized text of ``rows``, from their shards, into ``norms``."""
    norms.update(_read_column(cluster, rows, "norm"))


def _read_column(cluster, rows: list[dict], column: str) -> dict[str, str]:
    """``{passage id: its column}`` for ``rows``, each read from its shard, the shards in parallel."""
    wanted: dict[int, list[str]] = {}
    for row in rows:
        wanted.setdefault(row["_shard"], []).append(row["id"])

    def read(ids):
        marks = ",".join(["%s"] * len(ids))
        return lambda pool: pool.query(f"SELECT id, {column} FROM passages WHERE id IN ({marks})", ids)

    found: dict[str, str] = {}
    for pairs in cluster.fan_out([(n, read(ids)) for n, ids in wanted.items()]):
        found.update(pairs)
    return found


def _cut(rows: list[dict], keys: list[tuple], plan, sort: str, needed: int, reports: bool) -> tuple | None:
    """The key every passage before which must be among the candidates: the page's last
    passage (or the rescore window's), or, for a page of reports, the best passage of
    its last report; None when the candidates do not reach it."""
    window = RESCORE_WINDOW if sort == "relevance" and plan.query.clauses else 0
    order = sorted(range(len(rows)), key=keys.__getitem__)
    if not reports:
        wanted = max(needed, window)
        return keys[order[wanted - 1]] if len(order) >= wanted else None
    seen: set[str] = set()
    for position, i in enumerate(order):
        seen.add(rows[i]["report_id"])
        if len(seen) == needed:
            return keys[order[max(position, min(window, len(order)) - 1)]]
    return None


def _ask(cluster, plan, stats, sort, specs, asks, parts, limits, held) -> None:
    """Ask each (shard, list) in ``asks`` for its number of candidates."""
    def ask(name, limit):
        text, adjust = command(plan, stats, sort, specs[name], limit, held), plan.adjust
        return lambda pool: as_first_scored(g.read(pool.groonga(text))["rows"], sort, adjust)

    found = cluster.fan_out([(shard, ask(name, limit)) for (shard, name), limit in asks])
    for ((shard, name), limit), rows in zip(asks, found):
        parts[shard, name], limits[shard, name] = rows, limit


def fill_texts(cluster, rows: list[dict]) -> None:
    """The display text of the rows a page shows, read from their shards."""
    texts = _read_column(cluster, [row for row in rows if "text" not in row], "text")
    for row in rows:
        row.setdefault("text", texts.get(row["id"], ""))
