"""The proximity boost: the query's text whole, or its words close together.

``proximity_bonus`` reads one passage; ``window_bonuses`` gives the same numbers
for the whole rescore window at once.  The shortest stretch holding a word of
every clause is found for all the window's passages together with numpy (its
occurrences found in one array of the joined texts' code points, then one
binary search per clause), where the per-passage loop read every occurrence in
Python: a third of a common multi-word query's time (BENCHMARKS.md).
"""
from __future__ import annotations

import heapq

import numpy as np

from .query import Query, count_pattern

PHRASE_BOOST = 2.0       # × number of clauses, when the query text occurs whole
NEAR_BOOST = 1.5         # × number of clauses × closeness, for words close together
NEAR_SPAN = 40           # characters: words within this window count as close
SPAN_LIMIT = 2000        # occurrences read per passage (``_shortest_span``'s limit)


def proximity_bonus(text: str, query: Query) -> float:
    """Reward the query's text occurring whole, or its words close together."""
    clauses = len(query.clauses)
    if any(phrase in text for phrase in query.phrases if phrase):
        return PHRASE_BOOST * clauses
    if clauses < 2:
        return 0.0
    return _near_bonus(_shortest_span(text, [[t.norm for t in clause] for clause in query.clauses]), clauses)


def _near_bonus(span: int | None, clauses: int) -> float:
    if span is None:
        return 0.0
    return NEAR_BOOST * clauses * max(0.0, 1 - span / NEAR_SPAN)


def window_bonuses(texts: list[str], query: Query) -> np.ndarray:
    """``proximity_bonus`` of each of ``texts`` (the same floats: numpy's arithmetic
    is Python's), the spans of all the texts found together."""
    count = len(query.clauses)
    phrases = [p for p in query.phrases if p]
    whole = np.array([any(p in text for p in phrases) for text in texts], dtype=bool)
    bonus = np.zeros(len(texts), dtype=np.float64)
    if count >= 2:
        rest = np.flatnonzero(~whole)
        clauses = [[t.norm for t in clause] for clause in query.clauses]
        texts = [texts[i] for i in rest.tolist()]
        if any(t.units for clause in query.clauses for t in clause):
            spans = [_shortest_span(t, _with_numbers(t, query, clauses)) for t in texts]
        elif _one_length(clauses):
            spans = _shortest_spans(texts, clauses)
        else:
            spans = [_shortest_span(t, clauses) for t in texts]
        spans = np.array([np.inf if span is None else span for span in spans], dtype=np.float64)
        bonus[rest] = NEAR_BOOST * count * np.maximum(0.0, 1 - spans / NEAR_SPAN)   # no span: 0.0
    bonus[whole] = PHRASE_BOOST * count
    return bonus


def _with_numbers(text: str, query: Query, clauses: list[list[str]]) -> list[list[str]]:
    """``clauses`` with a count clause's numbers in ``text`` (``14次``) added as its
    terms: the number near the other words is the answer to ``党组 学习次数``."""
    out = []
    for clause, terms in zip(query.clauses, clauses):
        units = "|".join(t.units for t in clause if t.units)
        out.append(terms + sorted(set(count_pattern(units).findall(text))) if units else terms)
    return out


def _one_length(clauses: list[list[str]]) -> bool:
    """Whether each clause's terms are non-empty and of one length: then the first
    occurrence of a clause at or after a point also ends first, which is what
    ``_shortest_spans`` assumes (an OR of a word and a longer one is read the slow way)."""
    return all(clause and len({len(t) for t in clause}) == 1 and clause[0] for clause in clauses)


def _shortest_spans(texts: list[str], clauses: list[list[str]]) -> list[int | None]:
    """``_shortest_span`` of each text (clauses of one term length each), all at once.

    For each occurrence ``x`` of any clause, the shortest stretch starting at it
    takes, of every clause, its first occurrence starting at or after ``x`` (the
    one that ends first, all its terms being of one length); the shortest span is
    the least of these over the text's occurrences.  That is the optimum, which
    the per-passage sweep finds too (it passes through the state that reaches it)."""
    if not texts:
        return []
    joined = "\x00".join(texts)       # no term holds \x00 (normalized away): none spans two texts
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    bounds = np.cumsum([0] + [len(t) + 1 for t in texts])
    found = [_occurrences(codes, clause) for clause in clauses]
    owners = [np.searchsorted(bounds, at, side="right") - 1 for at in found]
    starts, owner = np.concatenate(found), np.concatenate(owners)
    reach = np.zeros(len(starts), dtype=np.int64)           # the furthest end over the clauses
    for clause, at, at_owner in zip(clauses, found, owners):
        following = np.searchsorted(at, starts)             # the clause's first occurrence from x on
        ends = np.append(at + len(clause[0]), _FAR)[following]
        ends[np.append(at_owner, -1)[following] != owner] = _FAR    # none in x's own text
        np.maximum(reach, ends, out=reach)
    best = np.full(len(texts), _FAR, dtype=np.int64)
    np.minimum.at(best, owner, reach - starts)
    # Too many occurrences for the sweep's limit: read the slow way, which stops at it.
    counts = np.bincount(owner, minlength=len(texts))
    return [_shortest_span(text, clauses) if count >= SPAN_LIMIT else (None if span >= _FAR // 2 else span)
            for text, span, count in zip(texts, best.tolist(), counts.tolist())]


_FAR = 1 << 40      # an end past every text: a clause with no occurrence to come


def _occurrences(codes: np.ndarray, terms: list[str]) -> np.ndarray:
    """Sorted starts of every occurrence (overlapping ones too) of each of ``terms``."""
    found = []
    for term in terms:
        term_codes = np.frombuffer(term.encode("utf-32-le"), dtype=np.uint32)
        at = np.flatnonzero(codes[:len(codes) - len(term) + 1] == term_codes[0])
        for offset in range(1, len(term)):
            at = at[codes[at + offset] == term_codes[offset]]
        found.append(at)
    return np.sort(np.concatenate(found)) if len(found) > 1 else found[0]


def _shortest_span(text: str, clauses: list[list[str]], limit: int = SPAN_LIMIT) -> int | None:
    """Length of the shortest stretch of text holding one term of every clause.

    The smallest range covering k sorted lists: one pointer per clause on its
    occurrences (by start), a heap giving the leftmost; the window runs from it
    to the furthest end of the current occurrences, and the leftmost pointer
    moves on.  Linear in the occurrences (times k), where the old sliding window
    re-scanned itself."""
    occurrences = []
    for terms in clauses:
        found = []
        for term in terms:
            start = text.find(term)
            while start >= 0 and limit > 0:
                found.append((start, start + len(term)))
                limit -= 1
                start = text.find(term, start + 1)
        if not found:
            return None
        found.sort()
        occurrences.append(found)
    heap = [(found[0][0], number, 0) for number, found in enumerate(occurrences)]
    heapq.heapify(heap)
    ends = [found[0][1] for found in occurrences]     # of each clause's current occurrence
    best = max(ends) - heap[0][0]
    while True:
        _, number, at = heap[0]
        at += 1
        if at == len(occurrences[number]):
            return best
        start, ends[number] = occurrences[number][at]
        heapq.heapreplace(heap, (start, number, at))
        # Recomputed, not only raised: an OR clause's terms differ in length, so a
        # later occurrence of its may end before the one it replaces.
        best = min(best, max(ends) - heap[0][0])
