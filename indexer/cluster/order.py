"""Our ranking, re-applied to the shards' candidates.

The same arithmetic, in the same order, as ``indexer.search.rank`` (so equal
scores stay equal and ties break the same way): BM25 with the collection's
passage count, average length and each clause's document frequency summed
over the shards; the title and heading boosts; bare headings after content;
the proximity rescore of the first ``RESCORE_WINDOW``; the passage number
(``seq``: the report's number, then the passage's place) last.  Term
frequencies are counted in the candidates' normalized text, overlapping
occurrences included and capped, as the embedded postings count them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..analysis import normalize
from ..search.proximity import window_bonuses
from ..search.query import Query
from ..search.factors import LEAD_MAX, LEAD_WEIGHT, _same_text, is_lead_line, length_prior, near_adjustments_by
from ..search.rank import B, CATEGORY_BOOST, HEADING_BOOST, K1, RESCORE_WINDOW, TITLE_BOOST, category_named, idf_of
from ..store.format.postings import TF_MAX, count_in


@dataclass
class Stats:
    passages: int            # in the whole cluster
    average_length: float
    dfs: list[int]           # per clause: passages holding it, summed over the shards
    part_dfs: dict[str, int] = field(default_factory=dict)   # a compound's parts (near matches): the same
    weights: list[int] | None = None     # per clause, what an occurrence adds to Groonga's _score (several clauses)


def result_order(rows: list[dict], near: np.ndarray, query: Query, stats: Stats, titles: dict[str, str],
                 sort: str) -> np.ndarray:
    """Positions into ``rows`` in result order (all of them)."""
    if not rows:
        return np.zeros(0, dtype=np.int64)
    seq = np.array([r["seq"] for r in rows], dtype=np.int64)
    norms = [r["norm"] for r in rows]
    scores, coverage, weight = _scored(rows, query, stats, titles)
    if sort == "date" or not query.clauses:
        dates = np.array([r["date"] for r in rows], dtype=np.int64)
        dated = dates > 0
        years = np.array([r["year"] for r in rows], dtype=np.int64)
        return np.lexsort((seq, -scores, -years, -dates, ~dated, near))
    headings = np.array([r["heading"] for r in rows], dtype=np.int8)
    order = np.lexsort((seq, -scores, headings, -coverage))
    if len(query.clauses) > 1 or query.phrases:
        window = order[:RESCORE_WINDOW]
        full = coverage[window] == len(query.clauses)
        bonus = np.zeros(len(window))
        bonus[full] = window_bonuses([norms[i] for i in window[full].tolist()], query)
        bonus *= weight[window]
        window = window[np.lexsort((seq[window], -(scores[window] + bonus), headings[window], -coverage[window]))]
        order = np.concatenate([window, order[RESCORE_WINDOW:]])
    return order


def _scored(rows: list[dict], query: Query, stats: Stats, titles: dict[str, str]):
    """``_bm25`` of the rows, each row's worked out once a search and kept in it
    (``_bm25`` key): ``candidates.gather`` ranks the candidates, ``result_order`` ranks
    them again with the near misses (a row's score depends on it alone)."""
    todo = [r for r in rows if "_bm25" not in r]
    if todo:
        found = _bm25(todo, [r["norm"] for r in todo], query, stats, titles)
        for row, *values in zip(todo, *(a.tolist() for a in found)):
            row["_bm25"] = values
    scores, coverage, weight = zip(*(r["_bm25"] for r in rows)) if rows else ((), (), ())
    return (np.array(scores, dtype=np.float64), np.array(coverage, dtype=np.int32),
            np.array(weight, dtype=np.float64))


def _bm25(rows: list[dict], norms: list[str], query: Query, stats: Stats, titles: dict[str, str]):
    """(score, clauses held, ``substance`` weight) per row, as ``rank.bm25_scores``: the
    title boost only where the passage holds the word, the category boost, the
    length prior and lead lines, near matches by which word they miss."""
    scores = np.zeros(len(rows), dtype=np.float64)
    coverage = np.zeros(len(rows), dtype=np.int32)
    if not query.clauses:
        return scores, coverage, np.ones(len(rows))
    lengths = np.array([r["length"] for r in rows], dtype=np.int32).astype(np.float64)
    norm_length = K1 * (1 - B + B * lengths / max(stats.average_length, 1.0))
    title_norms = [titles.get(r["report_id"], "") for r in rows]
    heading_path_norms = _normalized([r["section"] for r in rows])
    part = np.empty(len(rows), dtype=np.float64)
    clause_idfs, held = [], []
    for clause, df in zip(query.clauses, stats.dfs):
        tf = clause_tf(norms, [t.norm for t in clause])
        total = stats.passages
        idf = np.log(1 + (total - df + 0.5) / (df + 0.5))
        np.add(tf, norm_length, out=part)
        np.divide(tf, part, out=part)
        part *= idf * (K1 + 1)
        scores += part
        holds = tf > 0
        coverage += holds
        clause_idfs.append(float(idf))
        held.append(holds)
        terms = [t.norm for t in clause]
        in_title = _holding(title_norms, terms)
        if in_title.any():
            scores += TITLE_BOOST * idf * in_title * holds
        in_heading_path = _holding(heading_path_norms, terms)
        if in_heading_path.any():
            scores += HEADING_BOOST * idf * in_heading_path
    named = category_named(query)
    if named is not None:
        categories = np.array([r["category"] for r in rows], dtype=np.int64)
        scores += (categories == named) * (CATEGORY_BOOST * max(clause_idfs))
    weight = substance(rows, lengths, title_norms)
    scores *= weight
    if len(query.clauses) > 1:
        scores += _near_adjustments(norms, query, stats, clause_idfs, held, norm_length)
    return scores, coverage, weight


def _normalized(texts: list[str]) -> list[str]:
    """``normalize`` of each text, each distinct one once (candidates share their
    sections: 2,400 rows of a common query hold a few hundred)."""
    done = {text: normalize(text) for text in set(texts)}
    return [done[text] for text in texts]


def _holding(texts: list[str], terms: list[str]) -> np.ndarray:
    """1.0 where the text holds one of ``terms``, each distinct text tested once (the
    candidates' report titles and heading paths repeat)."""
    held = {text: any(t in text for t in terms) for text in set(texts)}
    return np.fromiter((held[text] for text in texts), dtype=np.float64, count=len(texts))


def substance(rows: list[dict], lengths: np.ndarray, title_norms: list[str]) -> np.ndarray:
    """``factors.substance`` from the rows: the length prior, lead lines and title lines weighed down."""
    weight = length_prior(lengths)
    for i, (row, title) in enumerate(zip(rows, title_norms)):
        if row["length"] <= LEAD_MAX and (is_lead_line(row["norm"].strip()) or _same_text(row["norm"], title)):
            weight[i] *= LEAD_WEIGHT
    return weight


def _near_adjustments(norms: list[str], query: Query, stats: Stats, idfs: list[float], held: list[np.ndarray],
                      norm_length: np.ndarray) -> np.ndarray:
    """``factors.near_adjustments`` with the parts' frequencies summed over the shards
    (``stats.part_dfs``) and their occurrences counted in the rows' text."""
    def parts_bm25(lacking: np.ndarray, parts) -> np.ndarray:
        texts = [norms[i] for i in np.flatnonzero(lacking).tolist()]
        return _parts_bm25(texts, parts, stats, norm_length[lacking])
    return near_adjustments_by(query, idfs, held, parts_bm25)


def _parts_bm25(texts: list[str], parts: list[str], stats: Stats, norm_length: np.ndarray) -> np.ndarray:
    best = np.zeros(len(texts))
    for part in parts:
        tf = clause_tf(texts, [part])
        best = np.maximum(best, idf_of(stats.part_dfs[part], stats.passages) * tf * (K1 + 1) / (tf + norm_length))
    return best


def clause_tf(norms: list[str], terms: list[str]) -> np.ndarray:
    """Occurrences of an OR clause's terms per text: each term's count capped, then added."""
    if len(terms) == 1:
        return np.minimum(count_in(norms, terms[0]), TF_MAX).astype(np.float32)
    total = np.zeros(len(norms), dtype=np.float64)
    for term in terms:
        total += np.minimum(count_in(norms, term), TF_MAX)
    return total.astype(np.float32)


SCALE = 10_000           # Groonga's _score is an Int32: our score × SCALE, truncated


HEADING_PENALTY = SCALE * 10_000


def first_score(query: Query, stats: Stats, spare: int = 0, adjust=None, headings_last: bool = True) -> str:
    """A Groonga ``--scorer`` that bounds our score from above, so that a shard's best
    candidates by it hold its best by ours (``safe`` checks that they do): BM25's
    saturation of the matched occurrences (Groonga's ``_score`` counts them,
    overlapping ones included, all clauses together: at least each clause's count),
    times the clauses' idf summed; bare headings last.  (Not the clauses a partial
    result's passage holds: Groonga 7 reads a full-text index match inside a scorer as
    false, so a bonus per clause held added nothing, and by relevance a partial result's
    page is ranked among its candidates, ``candidates.gather``.)  The title and heading
    boosts are left out (a substring test of every match's title costs more than the
    whole search): ``safe`` adds their most.
    ``spare``: occurrences Groonga counts that no clause's count can include (one of
    each other clause a match holds, one for each title or heading path condition of its
    list): taking them off keeps the bound tight and still a bound.  Several clauses
    are weighted (``term_weights``): the saturation of their weighted mean.
    ``adjust`` (``boosts.Adjust``): the title and heading boosts were added above
    ``adjust.big`` by the adjuster: the count is what lies below, the boosts are added back.
    The common words' boosts (``adjust.constant``) are added to every row here
    (``as_first_scored``): the same order, an operation a match less for Groonga."""
    if not query.clauses:
        return ""
    average = max(stats.average_length, 1.0)
    adjusted = adjust is not None and adjust.expr      # (a constant alone: no adjuster ran)
    score = f"(_score % {adjust.big})" if adjusted else "_score"
    count = f"({score} - {spare})" if spare else score      # at least 1: every clause occurs
    # Weighted (``term_weights``): the saturation of the mean count / W, written as
    # count / (count + W × K1 × …) (Groonga 7 failed to run the scorer with count / W in it).
    # k1 × (1 - B + B × length / average) as a + b × length, both rounded down (the
    # saturation only grows): two operations a match less than the formula as written.
    k1 = K1 * sum(stats.weights) if stats.weights else K1
    parts = [f"{_up(SCALE * saturation_limit(stats))} * {count} / "
             f"({count} + {_down(k1 * (1 - B))} + {_down(k1 * B / average)} * length)"]
    if adjusted:
        parts.append(f"_score / {adjust.big}" + (f" * {adjust.unit}" if adjust.unit != 1 else ""))
    named = category_named(query)
    if named is not None:         # exact, as cheap as a column test
        parts.append(f"(category == {named} ? {_up(SCALE * CATEGORY_BOOST * max(idfs(stats)))} : 0)")
    # The constant first: Groonga multiplies in the left operand's type, and heading is an
    # Int8 column (``heading * 100000000`` wrapped to 0: no penalty at all).
    penalty = f" - {HEADING_PENALTY} * heading" if headings_last else ""
    return "_score = " + " + ".join(parts) + penalty


def headings_last(sort: str) -> bool:
    """Whether our order puts bare headings last (by relevance; by date they rank by score)."""
    return sort != "date"


def as_first_scored(rows: list[dict], sort: str, adjust=None) -> list[dict]:
    """Rows of a candidate list with their whole first score: the common words' boosts
    (``adjust.constant``, left out of Groonga's) added, and, when scored without the
    headings' penalty (``headings_last``), as if it had been taken off, so that
    ``first_bound`` (which adds it back) reads every list alike."""
    constant = adjust.constant if adjust is not None else 0
    penalized = not headings_last(sort)
    if constant or penalized:
        for row in rows:
            row["_score"] += constant - (row["heading"] * HEADING_PENALTY if penalized else 0)
    return rows


def _up(value: float) -> str:
    """``value`` with four decimals, rounded up: the first score stays a bound from above."""
    return f"{math.ceil(value * 10_000) / 10_000:.4f}"


def _down(value: float) -> str:
    """``value`` with ten decimals, rounded down (a saturation's denominator)."""
    return f"{math.floor(value * 1e10) / 1e10:.10f}"


SLACK_UNITS = 2     # truncation (up to 1 unit) and the doubles' rounding


def first_bound(row: dict) -> float:
    """The most our score (without the boosts the first score leaves out) can be for a
    candidate row of Groonga's first score ``_score``: truncated, and its constants
    written with four decimals, so ``SLACK_UNITS`` more (bare headings: their penalty back)."""
    return (row["_score"] + row["heading"] * HEADING_PENALTY + SLACK_UNITS) / SCALE


def unit_df(passages: int) -> float:
    """The document frequency whose idf is 1 (``idf_of``): a stand-in while a word's own is
    counted in the same round (``rescale``)."""
    return (passages + 1) / math.e - 0.5


def rescale(rows: list[dict], factor: float) -> None:
    """Rows Groonga scored with a one-word query's idf stood in for (``unit_df``), as if
    scored with the real one: every part of that first score but the bare headings'
    penalty is the idf times the rest, so the bound (``first_bound``: truncation and
    rounding included) scales by ``factor``, the real idf over the stand-in's."""
    for row in rows:
        penalty = row["heading"] * HEADING_PENALTY
        row["_score"] = factor * (row["_score"] + penalty + SLACK_UNITS) - penalty - SLACK_UNITS


def term_weights(dfs: list[int], passages: int) -> list[int]:
    """What each occurrence of a clause adds to Groonga's ``_score``: its idf in
    thousandths (at least 1).  Our BM25 part, the clauses' idf × a saturation that is
    concave in the occurrences, is then at most ``saturation_limit`` × the saturation
    of their weighted mean ``_score / sum(weights)`` (Jensen's inequality): a far
    tighter bound than the saturation of every clause's occurrences added up, which a
    common word in a pair inflates."""
    stats = Stats(passages, 1.0, dfs)
    return [max(1, round(1000 * idf)) for idf in idfs(stats)]


def saturation_limit(stats: Stats) -> float:
    """The factor of the first score's saturation (its limit as occurrences grow): the
    clauses' idf summed; with weights, the largest idf per weight × the weights summed."""
    if stats.weights:
        return max(i / w for i, w in zip(idfs(stats), stats.weights)) * sum(stats.weights) * (K1 + 1)
    return sum(idfs(stats)) * (K1 + 1)


def idfs(stats: Stats) -> list[float]:
    return [float(np.log(1 + (stats.passages - df + 0.5) / (df + 0.5))) for df in stats.dfs]


def ranked_keys(rows: list[dict], query: Query, stats: Stats, titles: dict[str, str], sort: str) -> list[tuple]:
    """Each row's sort key before the proximity rescore, smaller first (as ``result_order``)."""
    scores, coverage, _ = _scored(rows, query, stats, titles)
    if sort == "date" or not query.clauses:
        return [(-(r["date"] > 0), -r["date"], -r["year"], -s, r["seq"]) for r, s in zip(rows, scores.tolist())]
    return [(-c, r["heading"], -s, r["seq"]) for r, s, c in zip(rows, scores.tolist(), coverage.tolist())]


def safe(cut: tuple, last: dict, query: Query, stats: Stats, sort: str, boost: float) -> bool:
    """Whether no passage a candidate list left out (all after ``last``, its last
    candidate, in Groonga's order) can come before ``cut`` (the key of the page's last
    passage, or of the rescore window's): our score is at most Groonga's first score
    (truncated: plus one unit) plus ``boost``, the most the list's boosts add."""
    bound = first_bound(last) + boost if query.clauses else 0.0
    if sort == "date" or not query.clauses:
        after = (-(last["date"] > 0), -last["date"], -last["year"])
        if not query.clauses:           # no scores: a shard's later passages have later numbers
            return after + (last["seq"],) > cut[:3] + (cut[4],)
        return after > cut[:3] or (after == cut[:3] and -bound > cut[3])
    if last["heading"] != cut[1]:
        return last["heading"] > cut[1]
    return -bound > cut[2]
