"""Ranking: BM25 over the query's terms, boosted for title and heading matches
and for the query's words appearing together.

Scores are computed for every matching passage at once with numpy.  The
proximity boost needs the text, so it is computed for the best
``RESCORE_WINDOW`` passages only and re-sorts them, as Elasticsearch's rescore
does.  Passages matching more of the query's clauses always come first, so in
a partial result a passage with all but one word beats one with a single word.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .factors import near_adjustments, substance
from .match import Matches, aligned_tfs
from .proximity import window_bonuses
from .query import Query

K1, B = 1.2, 0.75
TITLE_BOOST = 0.6        # × the clause's idf, when the report title contains it (and the passage does)
HEADING_BOOST = 0.7      # × idf, when the passage's heading path contains it
CATEGORY_BOOST = 0.4     # × idf, when the query names the passage's category (存在问题)
COUNT_BOOST = 3.0        # × idf, when a count clause's passage gives a number with its unit
RESCORE_WINDOW = 200


def bm25_scores(index, matches: Matches, query: Query, weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(score, clauses matched) per passage of ``matches.docs`` (sorted);
    ``weight``: each passage's ``substance`` (made here when not given).

    Written for a common word's million hits: the length norm is made once per
    generation, the arithmetic runs in place, and the title boost (a report's)
    is spread over the report's run of hits instead of gathered per hit."""
    docs = matches.docs
    scores = np.zeros(len(docs), dtype=np.float64)
    coverage = np.zeros(len(docs), dtype=np.int32)
    if not matches.clauses:
        return scores, coverage
    total = len(index.columns["report"])
    norm_length = index.derived("bm25 length norm", lambda: _length_norm(index))[docs]
    per_report = heading_codes = None
    part = np.empty(len(docs), dtype=np.float64)
    idfs, held = [], []
    for clause, hits in zip(query.clauses, matches.clauses):
        tf = aligned_tfs(docs, hits, total)
        idf = idf_of(len(hits.docs), total)
        np.add(tf, norm_length, out=part)             # idf · tf · (k1 + 1) / (tf + norm)
        np.divide(tf, part, out=part)
        part *= idf * (K1 + 1)
        scores += part
        holds = tf > 0
        coverage += holds
        if hits.numbers is not None and len(hits.numbers):
            # A count query (次数) is answered by a number (37次): those passages first.
            scores += COUNT_BOOST * idf * np.isin(docs, hits.numbers)
        idfs.append(idf)
        held.append(holds)
        terms = [t.norm for t in clause]
        in_title = index.title_contains(terms)
        if in_title.any():
            if per_report is None:
                per_report = np.diff(np.searchsorted(docs, index.report_bounds))
            # Only where the passage holds the word too: else every line of a matching
            # document (its preamble, its closing clauses) rides on its title.
            scores += np.repeat(TITLE_BOOST * idf * in_title, per_report) * holds
        in_heading_path = index.heading_paths.contains(terms)
        if in_heading_path.any():
            if heading_codes is None:
                heading_codes = index.columns["section"][docs]
            scores += (HEADING_BOOST * idf * in_heading_path)[heading_codes]
    scores += _category_boost(index, docs, query, idfs)
    scores *= substance(index, docs) if weight is None else weight
    if len(query.clauses) > 1:
        scores += near_adjustments(index, docs, query, idfs, held, norm_length)
    return scores, coverage


def idf_of(df: int, total: int) -> float:
    """BM25's (Lucene's) idf: never negative, however common the word."""
    return float(np.log(1 + (total - df + 0.5) / (df + 0.5)))


def _category_boost(index, docs: np.ndarray, query: Query, idfs: list[float]) -> np.ndarray:
    """``CATEGORY_BOOST`` × the query's idf for passages in the section category a
    query word names (``存在问题``, ``不足`` → 存在的不足和原因; ``第一责任人`` …):
    a report's own problems section says what the words only mention elsewhere."""
    named = category_named(query)
    column = index.columns.get("category")
    if named is None or column is None:
        return np.zeros(len(docs))
    return (column[docs] == named) * (CATEGORY_BOOST * max(idfs))


def category_named(query: Query) -> int | None:
    """The number of the section category the query's run or one of its words names, or None."""
    from ..model import CATEGORIES, CATEGORY_ALIASES

    words = list(query.phrases) + [t.norm for clause in query.clauses for t in clause if not t.quoted]
    for word in words:
        name = CATEGORY_ALIASES.get(word) or (word if word in CATEGORIES[:-1] else None)
        if name:
            return CATEGORIES.index(name)
    return None


def _length_norm(index) -> np.ndarray:
    """BM25's length normalisation of every passage: k1 · (1 - b + b · length / average)."""
    lengths = index.columns["length"].astype(np.float64)
    return K1 * (1 - B + B * lengths / max(index.average_length, 1.0))


class Order(NamedTuple):
    """How a result list is ordered: ``keys(positions)`` (lexsort's, last key first)
    is the exact order; ``coarse`` a float that never orders two passages against
    it (it picks the candidates worth sorting); ``steps``: arrays that never
    order two passages of one report against the keys either (a report's first
    passage has the largest of each, step after step); ``rescore``: reorders
    the first ``RESCORE_WINDOW`` positions (the proximity boost), or None."""
    coarse: np.ndarray
    keys: Callable[[np.ndarray], tuple]
    steps: list[np.ndarray]
    rescore: Callable[[np.ndarray], np.ndarray] | None


def rank(index, matches: Matches, query: Query, needed: int, sort: str = "relevance") -> np.ndarray:
    """Positions into ``matches.docs`` of its first ``needed`` passages, in result order.

    The order is total and the same whatever ``needed`` is, so pages of any size
    cut one list: relevance is (clauses matched, content before bare headings,
    score, passage number); date is (dated first, date, year, score, passage
    number), each its own sort key, never packed into one float."""
    order = result_order(index, matches, query, sort)
    if order.rescore is None:
        return _first(order.coarse, order.keys, needed)
    first = _first(order.coarse, order.keys, max(needed, RESCORE_WINDOW))
    return np.concatenate([order.rescore(first[:RESCORE_WINDOW]), first[RESCORE_WINDOW:]])[:needed]


def result_order(index, matches: Matches, query: Query, sort: str = "relevance") -> Order:
    """The :class:`Order` of a result list (``rank`` and ``group.report_order`` apply it)."""
    docs = matches.docs
    weight = substance(index, docs)
    scores, coverage = bm25_scores(index, matches, query, weight)
    if sort == "date_asc":
        return _date_order(index, docs, scores, matches.near, oldest_first=True)
    if sort == "date" or not matches.clauses:
        return _date_order(index, docs, scores, matches.near)
    headings = _heading_flags(index, docs)
    # Scores stay far below 1e5, so this float orders like the keys (up to ties):
    # it only picks the candidates; lexsort orders them exactly.
    coarse = scores.copy()
    coarse += 1e5
    coarse -= headings * 1e5
    if len(matches.clauses) > 1:
        coarse += coverage * 1e6

    def rescore(window: np.ndarray) -> np.ndarray:
        # The proximity rescore needs the text: always the same first window, so
        # the order does not depend on how many passages a page asks for.  A
        # passage missing a clause can hold neither the whole run nor every
        # word close together: no text to read for it.
        full = coverage[window] == len(query.clauses)
        bonus = np.zeros(len(window))
        bonus[full] = window_bonuses([index.norm[i] for i in docs[window[full]].tolist()], query)
        bonus *= weight[window]       # a brief mention holding the words together is still brief
        return window[np.lexsort((docs[window], -(scores[window] + bonus), headings[window], -coverage[window]))]

    return Order(coarse, lambda at: (docs[at], -scores[at], headings[at], -coverage[at]), [coarse],
                 rescore if len(query.clauses) > 1 or query.phrases else None)


def _date_order(index, docs: np.ndarray, scores: np.ndarray, near: np.ndarray, oldest_first: bool = False) -> Order:
    """Newest first (``oldest_first``: oldest first); reports without a stated
    date last (by year, in the same direction), never as 31 December; passages
    missing a word after all that match every word."""
    dated, dates = index.date_keys
    reports = index.columns["report"][docs]
    years = index.columns["year"][docs].astype(np.int64)
    dated, dates = dated[reports], dates[reports]
    if oldest_first:      # the same order with date and year reversed (dates are yyyymmdd < 1e8)
        coarse = np.where(dated, 200_000_000 - dates, 10_000 - years).astype(np.float64) + (~near) * 1e9
        return Order(coarse, lambda at: (docs[at], -scores[at], years[at], dates[at], ~dated[at], near[at]),
                     [coarse, -years, scores], None)
    coarse = np.where(dated, 100_000_000 + dates, years).astype(np.float64) + (~near) * 1e9
    # Within a report only near, year (a dated report's coarse key leaves it out) and score
    # can differ, in that order: the steps.
    return Order(coarse, lambda at: (docs[at], -scores[at], -years[at], -dates[at], ~dated[at], near[at]),
                 [coarse, years, scores], None)


def _first(coarse: np.ndarray, keys, needed: int) -> np.ndarray:
    """The first ``needed`` positions in the order of ``keys(positions)`` (lexsort:
    last key first), sorting only the candidates whose ``coarse`` key reaches the
    ``needed``-th largest: ``coarse`` must never order two passages against the keys."""
    if needed < len(coarse):
        threshold = np.partition(coarse, len(coarse) - needed)[len(coarse) - needed]
        candidates = np.flatnonzero(coarse >= threshold)
        return candidates[np.lexsort(keys(candidates))][:needed]
    return np.lexsort(keys(np.arange(len(coarse))))


def _heading_flags(index, docs: np.ndarray) -> np.ndarray:
    """1 for a passage that is only a heading line, else 0 (an older index has no column)."""
    column = index.columns.get("heading")
    return np.zeros(len(docs), dtype=np.int8) if column is None else column[docs].astype(np.int8)
