"""Ranking factors beyond BM25, each one measured on the judged collection
(``python -m bench.relevance``; ``BENCHMARKS.md`` has the numbers):

- **substance**: a passage of a few characters (``坚决控制物价上涨幅度。``) says
  less than a paragraph about the same thing; BM25's length normalisation
  favours it, so a prior below ``SHORT_LENGTH`` characters takes that back.  A
  numbered lead line standing alone (``第二，…。``, ``三是…。``) and a line that is
  the report's own title are headings in all but name: they weigh ``LEAD_WEIGHT``.
- **near matches**: a passage missing one word ranks by *which* word it misses:
  missing the rare one (``重大行政决策``) costs more than missing the common one
  (``程序``), and a missing compound (``疫情防控``) whose parts it holds
  (``防控``) is partly there.

These only reorder: which passages match is ``match.py``'s business.
"""
from __future__ import annotations

import re

import numpy as np

SHORT_LENGTH = 80        # characters: shorter passages weigh (length / SHORT_LENGTH) ** SHORT_POWER
SHORT_POWER = 0.5
LEAD_MAX = 40            # characters: a lead line or title line is at most this long
LEAD_WEIGHT = 0.4
NEAR_MISSING = 1.0       # × the missing clause's idf, taken from a near match's score
PART_WEIGHT = 1.0        # a compound's parts count this much of a held clause's BM25
PART_MIN = 2             # characters of a part

_NUMBERED = re.compile(r"^\s*(第[一二三四五六七八九十百]+[，,、．.]|[一二三四五六七八九十]+是|[（(]?[一二三四五六七八九十\d]+[）)、．.]"
                       r"|[①-⑳])")
_SENTENCE_END = re.compile(r"[。！？!?；;]")


def substance(index, docs: np.ndarray) -> np.ndarray:
    """The multiplier of each passage's score: the length prior times the lead-line weight."""
    lengths = index.columns["length"][docs].astype(np.float64)
    weight = length_prior(lengths)
    weight[_lead_lines(index, docs, lengths)] *= LEAD_WEIGHT
    return weight


def length_prior(lengths):
    """Short passages weigh less: (length / ``SHORT_LENGTH``) ** ``SHORT_POWER``, at most 1.
    Of an array, or of one length (a Python float: numpy's scalars cost ten times more,
    and the cluster's client bounds one candidate at a time)."""
    if isinstance(lengths, np.ndarray):
        return np.minimum(1.0, lengths / SHORT_LENGTH) ** SHORT_POWER
    return min(1.0, lengths / SHORT_LENGTH) ** SHORT_POWER


def _lead_lines(index, docs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per passage of ``docs``: a numbered lead line standing alone or a line that
    repeats its report's title.  Only short passages are read, each the first
    time a search ranks it; the answers are kept per generation (-1: not read
    yet).  Reading every short passage at the first search took seconds at a
    province's archive (300k of them, each normalized from its display text)."""
    known = index.derived("lead lines", lambda: np.full(len(index.columns["length"]), -1, dtype=np.int8))
    short = docs[lengths <= LEAD_MAX]            # ``lengths``: the docs' own, read once by the caller
    todo = np.unique(short[known[short] < 0])
    if len(todo):
        from ..analysis import normalize

        titles = index.derived("normalized titles", dict)
        texts = index.norm_array[todo]
        flags = []
        for text, report in zip(texts, index.columns["report"][todo].tolist()):
            if report not in titles:
                titles[report] = normalize(index.reports[report]["title"] or "")
            flags.append(is_lead_line(text.strip()) or _same_text(text, titles[report]))
        known[todo] = flags
    return known[docs] == 1


def is_lead_line(text: str) -> bool:
    """A numbered line of one sentence: ``第二，搞好社会治安综合治理，维护社会稳定。``."""
    if len(text) > LEAD_MAX or not _NUMBERED.match(text):
        return False
    return len([m for m in _SENTENCE_END.finditer(text.rstrip("。！？!?；; "))]) == 0


def _same_text(text: str, title: str) -> bool:
    strip = "。.，, 　"
    return bool(title) and text.strip(strip) == title.strip(strip)


def near_adjustments(index, docs: np.ndarray, query, idfs: list[float], held: list[np.ndarray],
                     norm_length: np.ndarray) -> np.ndarray:
    """For each passage missing one clause: minus ``NEAR_MISSING`` × that clause's
    idf, plus ``PART_WEIGHT`` × the BM25 of the clause's parts it holds (a
    compound's jieba search-mode pieces).  Zero for the passages holding every clause."""
    if not len(docs):
        return np.zeros(0)
    return near_adjustments_by(
        query, idfs, held, lambda lacking, parts: _parts_bm25(index, docs[lacking], parts, norm_length[lacking]))


def near_adjustments_by(query, idfs: list[float], held: list[np.ndarray], parts_bm25) -> np.ndarray:
    """The rule of :func:`near_adjustments`, with ``parts_bm25(lacking mask,
    parts)`` scoring a compound's parts where the passages miss it (the embedded
    index from its postings, the cluster from the texts and the shards' counts)."""
    held_all = np.vstack(held)
    adjust = np.zeros(held_all.shape[1])
    missing = held_all.shape[0] - held_all.sum(axis=0)
    for number, (clause, idf) in enumerate(zip(query.clauses, idfs)):
        lacking = (missing == 1) & ~held_all[number]
        if not lacking.any():
            continue
        adjust[lacking] -= NEAR_MISSING * idf
        parts = compound_parts(clause)
        if parts:
            adjust[lacking] += PART_WEIGHT * parts_bm25(lacking, parts)
    return adjust


def compound_parts(clause) -> list[str]:
    """The pieces of a clause's one unquoted compound (``疫情防控`` → 疫情, 防控), or none."""
    if len(clause) != 1 or clause[0].quoted or len(clause[0].norm) < 2 * PART_MIN:
        return []
    from ..analysis.tokenize import segmenter

    word = clause[0].norm
    pieces = {p for p in segmenter().cut_for_search(word, HMM=False) if PART_MIN <= len(p) < len(word)}
    return sorted(pieces)


def _parts_bm25(index, docs: np.ndarray, parts: list[str], norm_length: np.ndarray) -> np.ndarray:
    """BM25 of the best-scoring part in each of ``docs``."""
    from .match import aligned_tfs, term_hits
    from .query import Term
    from .rank import K1, idf_of

    total = len(index.columns["report"])
    best = np.zeros(len(docs))
    for part in parts:
        hits = term_hits(index.postings, index.norm_array, Term(part, part))
        tf = aligned_tfs(docs, hits, total)
        best = np.maximum(best, idf_of(len(hits.docs), total) * tf * (K1 + 1) / (tf + norm_length))
    return best
