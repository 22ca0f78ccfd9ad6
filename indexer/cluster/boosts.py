"""The title and heading boosts inside Groonga's first score, through ``--adjuster``.

Our score adds ``TITLE_BOOST`` × a clause's idf when the report title holds the
clause and ``HEADING_BOOST`` × its idf when the passage's heading path does
(``search.rank``).  Left out of Groonga's first score, they had to be added as
the most any list could hold (``candidates.max_boost``), and a common word's
first list then rarely proved its page: the shards were asked again, their
matches split by title and heading path, each list matching and scoring every
match once more (most of a common query's time at 100k passages).

Groonga's adjuster adds ``weight`` × the occurrences of a term in a column
(through that column's full-text index: the title and section paths' own, the
counts checked exact, overlapping ones included) to ``_score`` before the
scorer runs.  The matches' own occurrence count stays below ``big``, the
boosts' units above it, so the scorer reads both (``order.first_score``):
the count as ``_score % big``, the boosts as ``_score / big`` × ``unit`` (a
float division: at least the boosts' units).  A term the title holds twice
adds twice: still a bound from above, which is all ``candidates.safe`` needs.
Everything stays below 2³¹ (a larger adjuster weight was silently dropped by
Groonga 7); when it cannot (long passages, many rare words), no adjuster is
used and the boosts are bounded as before.

A boost every passage gets (a word in every report's title, such as 建设 where
every title is a 法治政府建设年度报告; ``COMMON_SHARE``) is a constant in the
first score instead: the adjuster's cost is a lookup of every passage whose
title holds the word (for 建设 on 1 M passages, half a common query's select).
A constant given to passages without the boost overrates them: still a bound
from above, but a looser one.  So a word in at least ``LOOSE_SHARE`` of the
passages' titles (or heading paths) is a constant in a first try
(``Adjust.loose``: 建设 is in 98% of the bench's heading paths, 的 in 87%; the
adjuster's lookup of them was a fifth of a common query's select), and when its
lists cannot prove their page the shards are asked again with ``Adjust.exact``,
the adjuster where only a word of every passage is a constant (``COMMON_SHARE``).
Every passage a constant at 90% and no second try left 5 of 100 bench queries
ranked among their candidates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..search.rank import HEADING_BOOST, TITLE_BOOST
from . import groonga as g

INT32_MAX = 2**31 - 1
COMMON_SHARE = 1.0      # of the passages: a title or heading word this common is a constant boost
LOOSE_SHARE = 0.85      # ... in a first try (``Adjust.loose``)
FILTER_SLACK = 16       # what filters found through an index may add to a match's count (1 each)


@dataclass(frozen=True)
class Adjust:
    """``--adjuster`` ``expr``: the matches' count below ``big``, boost units of
    ``unit`` (``_score`` units: ``order.SCALE`` a score point) above it; ``constant``:
    the common words' boosts, added to every match's first score (``expr`` may then be
    empty: no adjuster).  ``loose``: a word not in every title (or heading path) is in
    the constant; ``exact`` is the adjuster without that (None: no adjuster), for a
    second try when the first score's lists cannot prove their page."""
    big: int
    unit: int
    expr: str
    constant: int = 0
    loose: bool = False
    exact: "Adjust | None" = None


def adjust_for(clauses: list[list[str]], idfs: list[float], weights: list[int] | None, max_length: int,
               title_occurrences, heading_occurrences, scale: int,
               title_share=lambda term: 0.0, heading_share=lambda term: 0.0,
               loose_share: float = COMMON_SHARE) -> Adjust | None:
    """``_adjust_for`` with the words in ``loose_share`` of the passages' titles (or
    heading paths) a constant, and, when that differs from what ``COMMON_SHARE`` makes
    a constant, the exact adjuster with it (``Adjust.loose``)."""
    args = (clauses, idfs, weights, max_length, title_occurrences, heading_occurrences, scale,
            title_share, heading_share)
    exact = _adjust_for(*args, COMMON_SHARE)
    if loose_share >= COMMON_SHARE:
        return exact
    first = _adjust_for(*args, loose_share)
    return exact if first == exact else replace(first, loose=True, exact=exact)


def _adjust_for(clauses: list[list[str]], idfs: list[float], weights: list[int] | None, max_length: int,
                title_occurrences, heading_occurrences, scale: int, title_share, heading_share,
                common: float) -> Adjust | None:
    """The adjuster of a search, or None when no boost occurs or the counts would not
    fit below 2³¹.  ``weights``: what an occurrence of each clause adds to ``_score``
    (None: 1); ``max_length``: the longest normalized passage (no term occurs more often);
    ``title_occurrences``/``heading_occurrences``: term → the most occurrences in a
    title / a heading path; ``title_share``/``heading_share``: term → the share of the
    passages whose title / heading path holds it (``common``: a constant)."""
    big = (max_length * sum((w if weights else 1) * len(c) for w, c in zip(weights or [1] * len(clauses), clauses))
           + 1 + FILTER_SLACK)
    boosts, constant = [], 0.0
    for clause, idf in zip(clauses, idfs):
        for column, occurrences, boost, share in (("title_norm", title_occurrences, TITLE_BOOST, title_share),
                                                  ("section_norm", heading_occurrences, HEADING_BOOST, heading_share)):
            held = [(term, occurrences(term)) for term in clause]
            held = [(term, times) for term, times in held if times]
            if any(share(term) >= common for term, _ in held):
                constant += boost * idf * scale      # every passage gets the clause's boost, once: ours exactly
            else:
                boosts += [(term, idf, column, times, boost) for term, times in held]
    if not boosts:
        return Adjust(0, 0, "", math.ceil(constant)) if constant else None
    room = INT32_MAX // big - 1
    occurrences = sum(times for *_, times, _ in boosts)
    if room - occurrences <= 0:
        return None
    need = sum(times * boost * idf * scale for _, idf, _, times, boost in boosts)
    unit = max(1, math.ceil(need / (room - occurrences)))
    parts, most = [], 0
    for term, idf, column, times, boost in boosts:
        weight = math.ceil(boost * idf * scale / unit)
        parts.append(f"{column} @ {g.literal(term)} * {weight * big}")
        most += times * weight
    if most > room:
        return None
    return Adjust(big, unit, " + ".join(parts), math.ceil(constant))
