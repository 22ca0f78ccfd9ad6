"""Ranking: BM25 over the query's terms, boosted for title and heading matches
and for the query's words appearing together.

Scores are computed for every matching passage at once with numpy.  The
proximity boost needs the text, so it is computed for the best
``RESCORE_WINDOW`` passages only and re-sorts them, as Elasticsearch's rescore
does.  Passages matching more of the query's clauses always come first, so in
a partial result a passage with all but one word beats one with a single word.
"""
from __future__ import annotations

import numpy as np

from .match import Matches, aligned_tfs
from .query import Query

K1, B = 1.2, 0.75
TITLE_BOOST = 0.6        # × the clause's idf, when the report title contains it
HEADING_BOOST = 0.4      # × idf, when the passage's section path contains it
PHRASE_BOOST = 3.0       # × number of clauses, when the query text occurs whole
NEAR_BOOST = 1.5         # × number of clauses × closeness, for words close together
NEAR_SPAN = 40           # characters: words within this window count as close
RESCORE_WINDOW = 200
_COVERAGE = 1e6          # coverage dominates any score


def bm25_scores(index, matches: Matches, query: Query) -> tuple[np.ndarray, np.ndarray]:
    """(score, clauses matched) per passage of ``matches.docs``."""
    docs = matches.docs
    scores = np.zeros(len(docs), dtype=np.float64)
    coverage = np.zeros(len(docs), dtype=np.int32)
    if not matches.clauses:
        return scores, coverage
    total = len(index.norm)
    lengths = index.columns["length"][docs]
    norm_length = K1 * (1 - B + B * lengths / max(index.average_length, 1.0))
    reports = index.columns["report"][docs]
    sections = index.columns["section"][docs]
    for clause, hits in zip(query.clauses, matches.clauses):
        tf = aligned_tfs(docs, hits)
        df = len(hits.docs)
        idf = np.log(1 + (total - df + 0.5) / (df + 0.5))
        scores += idf * tf * (K1 + 1) / (tf + norm_length)
        coverage += tf > 0
        terms = [t.norm for t in clause]
        scores += TITLE_BOOST * idf * index.title_contains(terms)[reports]
        scores += HEADING_BOOST * idf * index.section_contains(terms, sections)
    return scores, coverage


def rank(index, matches: Matches, query: Query, needed: int, sort: str = "relevance") -> np.ndarray:
    """Positions into ``matches.docs`` of its first ``needed`` passages, in result order."""
    scores, coverage = bm25_scores(index, matches, query)
    docs = matches.docs
    if sort == "date" or not matches.clauses:
        dates = index.columns["date"][docs].astype(np.float64)
        key = dates * 1e4 - index.columns["ordinal"][docs] * 1e-3 + np.minimum(scores, 9e3) * 1e-7
        return _top(key, needed)
    key = coverage * _COVERAGE + scores
    top = _top(key, max(needed, RESCORE_WINDOW))
    if len(query.clauses) > 1 or query.phrases:
        key[top] += [proximity_bonus(index.norm[docs[i]], query) for i in top]
        top = top[np.argsort(-key[top], kind="stable")]
    return top[:needed]


def _top(key: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` largest keys, largest first; ties keep index order."""
    if count < len(key):
        part = np.argpartition(-key, count - 1)[:count]
        return part[np.lexsort((part, -key[part]))]
    return np.lexsort((np.arange(len(key)), -key))


def proximity_bonus(text: str, query: Query) -> float:
    """Reward the query's text occurring whole, or its words close together."""
    clauses = len(query.clauses)
    if any(phrase in text for phrase in query.phrases if phrase):
        return PHRASE_BOOST * clauses
    if clauses < 2:
        return 0.0
    span = _shortest_span(text, [[t.norm for t in clause] for clause in query.clauses])
    if span is None:
        return 0.0
    return NEAR_BOOST * clauses * max(0.0, 1 - span / NEAR_SPAN)


def _shortest_span(text: str, clauses: list[list[str]]) -> int | None:
    """Length of the shortest stretch of text holding one term of every clause."""
    events = []
    for number, terms in enumerate(clauses):
        for term in terms:
            start = text.find(term)
            while start >= 0 and len(events) < 2000:
                events.append((start, start + len(term), number))
                start = text.find(term, start + 1)
    events.sort()
    need, have, best = len(clauses), {}, None
    left = 0
    for right, (_, end, number) in enumerate(events):
        have[number] = have.get(number, 0) + 1
        while len(have) == need:
            span = max(e for _, e, _ in events[left:right + 1]) - events[left][0]
            best = span if best is None else min(best, span)
            first = events[left][2]
            have[first] -= 1
            if not have[first]:
                del have[first]
            left += 1
    return best
