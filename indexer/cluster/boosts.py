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
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..search.rank import HEADING_BOOST, TITLE_BOOST
from ..store.format.postings import count_in
from . import groonga as g

INT32_MAX = 2**31 - 1


@dataclass(frozen=True)
class Adjust:
    """``--adjuster`` ``expr``: the matches' count below ``big``, boost units of
    ``unit`` (``_score`` units: ``order.SCALE`` a score point) above it."""
    big: int
    unit: int
    expr: str


def max_occurrences(texts, term: str) -> int:
    """The most occurrences of ``term`` in one of ``texts`` (overlapping ones included)."""
    texts = list(texts)
    return int(count_in(texts, term).max()) if texts else 0


def adjust_for(clauses: list[list[str]], idfs: list[float], weights: list[int] | None, max_length: int,
               title_occurrences, heading_occurrences, scale: int) -> Adjust | None:
    """The adjuster of a search, or None when no boost occurs or the counts would not
    fit below 2³¹.  ``weights``: what an occurrence of each clause adds to ``_score``
    (None: 1); ``max_length``: the longest normalized passage (no term occurs more often);
    ``title_occurrences``/``heading_occurrences``: term → the most occurrences in a
    title / a heading path."""
    big = max_length * sum((w if weights else 1) * len(c) for w, c in zip(weights or [1] * len(clauses), clauses)) + 1
    room = INT32_MAX // big - 1
    held = [(term, idf, title_occurrences(term), heading_occurrences(term))
            for clause, idf in zip(clauses, idfs) for term in clause]
    held = [h for h in held if h[2] or h[3]]
    occurrences = sum(t + h for _, _, t, h in held)
    if not held or room - occurrences <= 0:
        return None
    need = sum((t * TITLE_BOOST + h * HEADING_BOOST) * idf * scale for _, idf, t, h in held)
    unit = max(1, math.ceil(need / (room - occurrences)))
    parts, most = [], 0
    for term, idf, in_title, in_heading in held:
        for column, times, boost in (("title_norm", in_title, TITLE_BOOST), ("section_norm", in_heading, HEADING_BOOST)):
            if times:
                weight = math.ceil(boost * idf * scale / unit)
                parts.append(f"{column} @ {g.literal(term)} * {weight * big}")
                most += times * weight
    if most > room:
        return None
    return Adjust(big, unit, " + ".join(parts))
