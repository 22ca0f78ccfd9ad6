"""Which passages each shard sends to be ranked here, and when they are enough.

Each shard sends its best matches by Groonga's first score (``order.first_score``:
our BM25 without the title and heading boosts, counted from Groonga's own
occurrence count, so never below ours but for the boosts).  When that is not
enough, a shard's matches come in four lists, split by whether the report
title and the section path hold a query term (found with their own full-text
indexes): within a list the boost is known.
After ranking the union here, ``order.safe`` checks every list a shard cut
short: when a passage it left out could still reach the page (or the
proximity rescore window), the shard is asked again, its one list split in
four (the boosts then known), then for four times as many.
Up to ``MAX_CANDIDATES`` a list; beyond that (a common word pair at 100k
passages) the page is ranked among those, and the answer's notes say so
(``BOUNDED``): the counts and facets stay exact.
"""
from __future__ import annotations

from ..search.rank import HEADING_BOOST, K1, RESCORE_WINDOW, TITLE_BOOST
from . import groonga as g
from .order import Stats, first_score, idfs, ranked_keys, safe

MARGIN = 100                 # candidates per list beyond the page (or the rescore window)
MAX_CANDIDATES = 1_200       # per list and shard (split, then once four times as many)
COLUMNS = tuple(c for c in g.CANDIDATE_COLUMNS if c != "text")   # texts: only the shown hits'


def lists(plan, stats: Stats, sort: str, expr: str) -> dict:
    """Each candidate list: ``{name: (Groonga filter, the most the boosts add, title and
    section conditions)}``: ``all`` first; then, when it is not enough, 0-3 split by
    title and section matches (one clause), or ``boosted`` (several)."""
    query = plan.query
    weights = sum(idfs(stats)) if query.clauses else 0.0
    extra = slack(plan, stats)
    found = {"all": (expr, weights * (TITLE_BOOST + HEADING_BOOST) + extra, 0)}
    if plan.partial or not query.clauses or sort == "date":
        return found
    if len(query.clauses) > 1:
        # Split lists would know only that some clause is in the title: Groonga tests each
        # clause against the title and section path of every match instead (slower).
        found["boosted"] = (expr, 0.0, 0, "boosts")
        return found
    terms = [t.norm for clause in query.clauses for t in clause]
    title = g.any_of([g.term(t, "title_norm") for t in terms])
    section = g.any_of([g.term(t, "section_norm") for t in terms])
    found.update({0: (f"({expr}) &! {title} &! {section}", extra, 0),
                  1: (f"({expr}) && {title} &! {section}", weights * TITLE_BOOST + extra, 1),
                  2: (f"({expr}) && {section} &! {title}", weights * HEADING_BOOST + extra, 1),
                  3: (f"({expr}) && {title} && {section}", weights * (TITLE_BOOST + HEADING_BOOST) + extra, 2)})
    return found


def slack(plan, stats: Stats, near: bool = False) -> float:
    """What our score may add beyond Groonga's first score and the title and heading
    boosts: for a near match, a compound's parts less the missing word's idf (a part's
    idf is at most the compound's: below ``K1`` times it).  The length prior and lead
    lines only take away; the category boost is in the first score."""
    found = idfs(stats)
    return K1 * max(found) if near and found else 0.0


def limit_for(sort: str, needed: int) -> int:
    return (max(needed, RESCORE_WINDOW) if sort == "relevance" else needed) + MARGIN


def sort_keys(plan, sort: str) -> str:
    if sort == "date" or not plan.query.clauses:
        return "-date,-year,-_score,seq"
    return "-_score,seq"


def command(plan, stats: Stats, sort: str, spec: tuple, limit: int, held: int | None = None,
            drilldowns: dict | None = None) -> str:
    """A candidate list's ``select``; ``held``: how many clauses every match holds
    (default all; near misses: one less); ``drilldowns``: counted on the way (the
    first list holds every match)."""
    where, _, conditions = spec[:3]
    held = len(plan.query.clauses) if held is None else held
    spare = 0 if plan.partial else max(held - 1, 0) + conditions
    scorer = first_score(plan.query, stats, plan.partial, spare, boosts=spec is not None and len(spec) > 3)
    return g.select(where, limit, sort_keys(plan, sort), scorer, drilldowns=drilldowns, columns=COLUMNS)


def first_command(plan, stats: Stats, sort: str, needed: int, expr: str, held: int | None = None,
                  drilldowns: dict | None = None) -> dict[str, str]:
    """The first candidate list of a search (all its matches, by Groonga's first score),
    labelled ``main``."""
    return {"main": command(plan, stats, sort, lists(plan, stats, sort, expr)["all"],
                            limit_for(sort, needed), held, drilldowns)}


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
    limits = dict.fromkeys(parts, limit_for(sort, needed))
    while True:
        rows = [dict(row, _shard=n) for (n, _), part in parts.items() for row in part]
        short = [key for key, part in parts.items() if len(part) >= limits[key]]
        if not short:
            return rows, True
        if plan.partial:
            return rows, False
        cut = _cut(rows, ranked_keys(rows, plan.query, stats, titles, sort), plan, sort, needed, reports)
        near = held is not None and held < len(plan.query.clauses)
        unsafe = [key for key in short if cut is None or
                  not safe(cut, parts[key][-1], plan.query, stats, sort,
                           specs[key[1]][1] + (slack(plan, stats, True) - slack(plan, stats) if near else 0.0))]
        if not unsafe:
            return rows, True
        asks = []
        for shard, name in unsafe:
            if name == "all" and len(specs) > 1:
                # by the boosts: split at the same depth, or boosted four times as deep at once
                del parts[shard, name]
                depth = limits.pop((shard, name))
                asks += [((shard, other), depth * (4 if other == "boosted" else 1)) for other in specs if other != "all"]
            elif limits[shard, name] >= MAX_CANDIDATES:
                return rows, False
            else:
                asks.append(((shard, name), limits[shard, name] * 4))
        _ask(cluster, plan, stats, sort, specs, asks, parts, limits, held)


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
        text = command(plan, stats, sort, specs[name], limit, held)
        return lambda pool: g.read(pool.groonga(text))["rows"]

    found = cluster.fan_out([(shard, ask(name, limit)) for (shard, name), limit in asks])
    for ((shard, name), limit), rows in zip(asks, found):
        parts[shard, name], limits[shard, name] = rows, limit


def fill_texts(cluster, rows: list[dict]) -> None:
    """The display text of the rows a page shows, read from their shards."""
    wanted: dict[int, list[str]] = {}
    for row in rows:
        if "text" not in row:
            wanted.setdefault(row["_shard"], []).append(row["id"])

    def read(ids):
        marks = ",".join(["%s"] * len(ids))
        return lambda pool: dict(pool.query(f"SELECT id, text FROM passages WHERE id IN ({marks})", ids))

    texts: dict[str, str] = {}
    for found in cluster.fan_out([(n, read(ids)) for n, ids in wanted.items()]):
        texts.update(found)
    for row in rows:
        row.setdefault("text", texts.get(row["id"], ""))
