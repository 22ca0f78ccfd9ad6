"""Which passages each shard sends to be ranked here, and when they are enough.

Each shard sends its best matches by Groonga's first score (``order.first_score``:
our BM25 without the title and heading boosts, counted from Groonga's own
occurrence count, so never below ours but for the boosts).  To keep the
boosts out of the guesswork, a shard's matches come in up to four lists,
split by whether the report title and the section path hold a query term
(found with their own full-text indexes): within a list the boost is known.
After ranking the union here, ``order.safe`` checks every list a shard cut
short: when a passage it left out could still reach the page (or the
proximity rescore window), that list is asked again for four times as many.
Up to ``MAX_CANDIDATES`` a list; beyond that a page is ranked among those.
"""
from __future__ import annotations

from ..search.rank import HEADING_BOOST, RESCORE_WINDOW, TITLE_BOOST
from . import groonga as g
from .order import Stats, first_score, idfs, ranked_keys, safe

MARGIN = 100                 # candidates per list beyond the page (or the rescore window)
MAX_CANDIDATES = 20_000      # per list and shard
COLUMNS = tuple(c for c in g.CANDIDATE_COLUMNS if c != "text")   # texts: only the shown hits'


def lists(plan, stats: Stats, sort: str, expr: str) -> list[tuple[str, float]]:
    """(Groonga filter, the most the boosts add) of each candidate list."""
    query = plan.query
    weights = sum(idfs(stats)) if query.clauses else 0.0
    if plan.partial or not query.clauses or sort == "date":
        return [(expr, weights * (TITLE_BOOST + HEADING_BOOST))]
    terms = [t.norm for clause in query.clauses for t in clause]
    title = g.any_of([g.term(t, "title_norm") for t in terms])
    section = g.any_of([g.term(t, "section_norm") for t in terms])
    return [(f"({expr}) &! {title} &! {section}", 0.0),
            (f"({expr}) && {title} &! {section}", weights * TITLE_BOOST),
            (f"({expr}) && {section} &! {title}", weights * HEADING_BOOST),
            (f"({expr}) && {title} && {section}", weights * (TITLE_BOOST + HEADING_BOOST))]


def limit_for(sort: str, needed: int) -> int:
    return (max(needed, RESCORE_WINDOW) if sort == "relevance" else needed) + MARGIN


def sort_keys(plan, sort: str) -> str:
    if sort == "date" or not plan.query.clauses:
        return "-date,-year,-_score,seq"
    return "-_score,seq"


def commands(plan, stats: Stats, sort: str, needed: int, expr: str, limit: int | None = None) -> dict[str, str]:
    """The candidate lists' ``select`` commands, labelled ``list 0`` …"""
    scorer = first_score(plan.query, stats, plan.partial)
    size = limit or limit_for(sort, needed)
    return {f"list {i}": g.select(where, size, sort_keys(plan, sort), scorer, columns=COLUMNS)
            for i, (where, _) in enumerate(lists(plan, stats, sort, expr))}


def gather(cluster, plan, stats: Stats, titles: dict, sort: str, needed: int, expr: str,
           answers: list[dict], reports: bool = False) -> list[dict]:
    """The candidates of every shard's lists (``answers``: per shard, its first answers
    by label), asked again where they may not be enough; each row marked with its shard."""
    bounds = [boost for _, boost in lists(plan, stats, sort, expr)]
    shards = sorted(cluster.shards)
    parts = {(n, i): a[f"list {i}"]["rows"] for n, a in zip(shards, answers) for i in range(len(bounds))}
    limits = dict.fromkeys(parts, limit_for(sort, needed))
    while True:
        rows = [dict(row, _shard=n) for (n, _), part in parts.items() for row in part]
        short = [key for key, part in parts.items() if len(part) >= limits[key] and limits[key] < MAX_CANDIDATES]
        if not short or plan.partial:
            return rows
        cut = _cut(rows, ranked_keys(rows, plan.query, stats, titles, sort), plan, sort, needed, reports)
        unsafe = [key for key in short if cut is None or
                  not safe(cut, parts[key][-1], plan.query, stats, sort, bounds[key[1]])]
        if not unsafe:
            return rows
        _ask_again(cluster, plan, stats, sort, expr, unsafe, parts, limits)


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


def _ask_again(cluster, plan, stats, sort, expr, unsafe, parts, limits) -> None:
    """Four times as many candidates from each list in ``unsafe`` (shard, list)."""
    def ask(key):
        limits[key] *= 4
        command = commands(plan, stats, sort, 0, expr, limits[key])[f"list {key[1]}"]
        return lambda pool: g.read(pool.groonga(command))["rows"]

    calls = [(key[0], ask(key)) for key in unsafe]
    for key, rows in zip(unsafe, cluster.fan_out(calls)):
        parts[key] = rows


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
