"""Where a query's words must stand: together in one sentence or one passage
(``同句(…)``, ``同段(…)``), and in the report's title (``title:…``).

Both narrow the passages ``match.match_query`` found: the groups' words are
ordinary clauses of the query (so they rank and are marked like any word), and
this reads the text of the passages holding them all to check they stand
together.  A sentence ends at 。！？；!?; (with the closing quotes or brackets
after the mark), as the reader cuts long paragraphs (``report.passages``);
a passage never holds a line break (the reader makes each line a paragraph),
so the text matched here, normalized with whitespace dropped, loses none.
"""
from __future__ import annotations

import re

import numpy as np

from .match import Matches, clause_hits
from .query import SENTENCE, Group, Query, Term, count_pattern

# In the normalized text: NFKC has made ！？； into !?; and ）into ).
_SENTENCE = re.compile(r"[^。!?;]*[。!?;]+[”’」』)]*|[^。!?;]+$")
_MARKS = frozenset("。!?;”’」』)")


def sentences(norm_text: str) -> list[str]:
    """The sentences of a normalized passage text, in order, every character kept."""
    return _SENTENCE.findall(norm_text) or [norm_text]


def restrict(gen, query: Query, matches: Matches) -> Matches:
    """``matches`` without the passages that break a group or a title condition."""
    if not (query.groups or query.excluded_groups or query.titles or query.excluded_titles):
        return matches
    keep = _title_mask(gen, query, matches.docs)
    for alternatives in query.groups:
        keep &= _satisfying(gen, alternatives, matches.docs, keep)
    for group in query.excluded_groups:
        keep &= ~_satisfying(gen, [group], matches.docs, keep)
    matches.docs, matches.near = matches.docs[keep], matches.near[keep]
    matches.partial = matches.partial and len(matches.docs) > 0
    return matches


def _title_mask(gen, query: Query, docs: np.ndarray) -> np.ndarray:
    """Per passage of ``docs``: its report's own title holds every title clause
    and no excluded title word.  An untitled report (its title empty, a display
    title made up from issuer and year) holds none."""
    reports = np.ones(len(gen.reports), dtype=bool)
    for clause in query.titles:
        reports &= gen.title_contains([t.norm for t in clause]) > 0
    if query.excluded_titles:
        reports &= gen.title_contains([t.norm for t in query.excluded_titles]) == 0
    return reports[gen.columns["report"][docs]]


def _satisfying(gen, alternatives: list[Group], docs: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Per passage of ``docs``: True when one of the groups stands together in it
    (only the passages ``among`` selects are read)."""
    found = np.zeros(len(docs), dtype=bool)
    for group in alternatives:
        candidates = np.flatnonzero(among & ~found)
        for clause in group.clauses:
            if not any(t.units for t in clause):     # a count word's numbers are found in the text
                held = clause_hits(gen.postings, gen.norm_array, clause).docs
                candidates = candidates[np.isin(docs[candidates], held)]
        if group.scope == SENTENCE:
            texts = gen.norm_array[docs[candidates]]
            test = _one_sentence_test(group)
            candidates = candidates[np.fromiter(map(test, texts), dtype=bool, count=len(candidates))]
        elif any(t.units for clause in group.clauses for t in clause):
            texts = gen.norm_array[docs[candidates]]
            candidates = candidates[np.fromiter((_all_in(text, group.clauses) for text in texts), dtype=bool,
                                                count=len(candidates))]
        found[candidates] = True
    return found


def _one_sentence_test(group: Group):
    """A function telling whether ``group`` stands in one sentence of a normalized
    text: one regex, a lookahead per clause from each sentence start (C speed, a
    word may overlap another), where no term holds a sentence end or a closing
    mark (those would shift where a sentence starts); else ``holds``."""
    terms = [t for clause in group.clauses for t in clause]
    if any(_MARKS.intersection(t.norm) for t in terms):
        return lambda text: holds(text, group)
    ahead = "".join("(?=[^。!?;]*(?:" + "|".join(_alternatives(clause)) + "))" for clause in group.clauses)
    first, later = re.compile(ahead).match, re.compile(f"[。!?;][”’」』)]*{ahead}").search
    return lambda text: first(text) is not None or later(text) is not None


def _alternatives(clause: list[Term]) -> list[str]:
    found = [re.escape(t.norm) for t in clause]
    return found + [count_pattern(t.units).pattern for t in clause if t.units]


def holds(norm_text: str, group: Group) -> bool:
    """Whether ``group`` stands together in the normalized passage text."""
    if group.scope != SENTENCE:            # 同段, or a plain word ORed with a group
        return _all_in(norm_text, group.clauses)
    return any(_all_in(sentence, group.clauses) for sentence in sentences(norm_text))


def _all_in(text: str, clauses: list[list[Term]]) -> bool:
    return all(any(_in(term, text) for term in clause) for clause in clauses)


def _in(term: Term, text: str) -> bool:
    return term.norm in text or bool(term.units and count_pattern(term.units).search(text))
