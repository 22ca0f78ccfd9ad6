"""Which passages a query matches, and how often each of its terms occurs.

Every term is matched as a substring of the normalized passage text: the
bigram postings give candidates, a substring test on the candidates makes the
answer exact (``postings.py``).  The result is plain numpy arrays over passage
numbers so that filtering, ranking and facet counting are vector operations.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from ..store.format.postings import TF_MAX, Postings, count_in
from .query import Query, Term, count_pattern


@dataclass
class ClauseHits:
    """The passages one clause (an OR of terms) matches, with its occurrences in each."""

    docs: np.ndarray      # sorted passage numbers (int64) matching any of the clause's terms
    tfs: np.ndarray       # occurrences per passage (float32), aligned with docs
    numbers: np.ndarray | None = None   # a count clause's passages giving a number with its unit


@dataclass
class Matches:
    """The passages a query matches, per clause too, and whether the match is partial."""

    docs: np.ndarray              # sorted passage numbers that match
    clauses: list[ClauseHits]     # per clause of the query, over the whole index
    partial: bool                 # no passage matched every clause; these match some
    near: np.ndarray | None = None  # per doc: True when it misses one clause (after the full matches)

    def __post_init__(self):
        if self.near is None:
            self.near = np.zeros(len(self.docs), dtype=bool)


def term_hits(postings: Postings, norm_texts: list[str], term: Term) -> ClauseHits:
    """Passages containing ``term.norm``, exactly, with its number of occurrences
    (overlapping ones included, capped: the postings' rule, ``postings.counter``).
    The postings settle most passages; the text is read only where they leave doubt."""
    docs, tfs, known = postings.lookup(term.norm)
    docs = np.asarray(docs, dtype=np.int64)
    counts = np.asarray(tfs, dtype=np.float32)
    if known.all():
        return ClauseHits(docs, counts)
    doubt = np.flatnonzero(~known)
    if isinstance(norm_texts, np.ndarray):        # an object array: one C-level gather
        texts = norm_texts[docs[doubt]]
    else:
        texts = list(map(norm_texts.__getitem__, docs[doubt].tolist()))
    counts[doubt] = count_in(texts, term.norm)
    found = counts > 0
    return ClauseHits(docs[found], np.minimum(counts[found], TF_MAX))


def clause_hits(postings: Postings, norm_texts: list[str], clause: list[Term]) -> ClauseHits:
    """Passages matching any term of an OR clause; occurrences add up."""
    parts = [term_hits(postings, norm_texts, term) for term in clause]
    if len(parts) == 1:
        return parts[0]
    docs, inverse = np.unique(np.concatenate([p.docs for p in parts]), return_inverse=True)
    tfs = np.bincount(inverse, weights=np.concatenate([p.tfs for p in parts]), minlength=len(docs))
    return ClauseHits(docs, tfs.astype(np.float32))


def match_query(postings: Postings, norm_texts: list[str], query: Query) -> Matches:
    """All passages matching every clause, then (with two clauses or more) those
    missing one, marked ``near`` - as Meilisearch's matching strategy or
    Elasticsearch's ``minimum_should_match`` do: a natural query often carries a
    word its answer does not contain literally.  Failing any full match, the
    passages matching some clause (``partial``)."""
    count = len(norm_texts)
    clauses = [clause_hits(postings, norm_texts, clause) for clause in query.clauses]
    _add_numbers(norm_texts, query, clauses)
    partial = False
    near = None
    if not clauses:
        docs = np.arange(count, dtype=np.int64)
    elif len(clauses) == 1:
        docs = clauses[0].docs
    else:
        # Clauses matched per passage, counted in one array over the index: no
        # sort of the union (np.unique took most of a multi-word query's time).
        covered = np.zeros(count, dtype=np.int8)
        for hits in clauses:
            covered[hits.docs] += 1          # a clause's docs are distinct
        docs = np.flatnonzero(covered >= len(clauses) - 1)
        near = covered[docs] < len(clauses)
        if near.all():                       # no passage holds every clause
            docs, near = np.flatnonzero(covered), None
            partial = len(docs) > 0
    if query.excluded:
        keep = np.ones(len(docs), dtype=bool)
        for term in query.excluded:
            keep &= ~np.isin(docs, term_hits(postings, norm_texts, term).docs, assume_unique=True)
        docs = docs[keep]
        near = near[keep] if near is not None else None
    return Matches(docs, clauses, partial, near)


def _add_numbers(norm_texts, query: Query, clauses: list[ClauseHits]) -> None:
    """A count clause (``次数``) also matches a number with its unit (``37次``) in
    the passages holding enough of the other clauses to be listed: all of them,
    or all but one (a near match: ``法律知识讲座 次数`` is answered by
    ``组织2次法律知识专题讲座``, which lacks 知识讲座; counting its number only
    where every other word stood made a count query's answer a near match of
    nothing).  With one other clause, that clause is required: a bare number
    matches nothing.  Those passages are read, not the index."""
    for number, clause in enumerate(query.clauses):
        units = "|".join(t.units for t in clause if t.units)
        others = [hits.docs for n, hits in enumerate(clauses) if n != number]
        if not units or not others:
            continue
        candidates = _holding_all_but_one(others) if len(others) > 1 else others[0]
        given, found = _numbers_given(norm_texts, candidates, units)
        hits = clauses[number]
        docs, inverse = np.unique(np.concatenate([hits.docs, given]), return_inverse=True)
        tfs = np.bincount(inverse, weights=np.concatenate([hits.tfs, found]), minlength=len(docs))
        clauses[number] = ClauseHits(docs, np.minimum(tfs, TF_MAX).astype(np.float32), given)


def _holding_all_but_one(others: list[np.ndarray]) -> np.ndarray:
    """Sorted passages in all but at most one of ``others`` (each sorted, distinct)."""
    docs, counts = np.unique(np.concatenate(others), return_counts=True)
    return docs[counts >= len(others) - 1]


def _numbers_given(norm_texts, candidates: np.ndarray, units: str) -> tuple[np.ndarray, np.ndarray]:
    """(the ``candidates`` giving a number with one of ``units``, how many each).
    A quick test first (a digit, maybe 万/亿, a unit: what every such number
    ends with) spares the full pattern, three times as slow, the many passages without."""
    texts = norm_texts[candidates] if isinstance(norm_texts, np.ndarray) else \
        [norm_texts[i] for i in candidates.tolist()]
    quick = _ending(units).search
    maybe = np.fromiter((quick(text) is not None for text in texts), dtype=bool, count=len(candidates))
    pattern = count_pattern(units)
    found = np.array([len(pattern.findall(text)) for text, kept in zip(texts, maybe) if kept], dtype=np.float32)
    candidates = candidates[maybe]
    return candidates[found > 0], found[found > 0]


@functools.lru_cache(maxsize=64)
def _ending(units: str) -> "re.Pattern":
    return re.compile(rf"\d(?:万|亿)?(?:{units})")


def aligned_tfs(docs: np.ndarray, hits: ClauseHits, size: int) -> np.ndarray:
    """The clause's occurrences for each of ``docs`` (0 where it does not occur),
    through a dense array over the ``size`` passages: a scatter and a gather,
    linear, where a binary search of every doc cost log n each (a third of a
    common multi-word query's ranking at 1.3M passages)."""
    dense = np.zeros(size, dtype=np.float32)      # calloc: untouched pages cost nothing
    dense[hits.docs] = hits.tfs
    return dense[docs]
