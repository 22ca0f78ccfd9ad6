"""Similar passages of a passage: near-identical ones in other reports (found
at build time, ``indexer.store.format.near_duplicates``), each with the differences
of its text shown, and related ones on the same matter in other reports
(Whoosh's more-like-this over the jieba words of the ``content`` field,
scored in numpy: ``related.py``).
"""
from __future__ import annotations

import difflib

import numpy as np

from ..model import CATEGORIES
from ..store.reader.generation import Generation
from ..store.format.near_duplicates import NearDuplicates
from .common import report_of
from .related import related_documents
from .words import reader

MAX_SHOWN = 20


def near_duplicates(gen: Generation) -> NearDuplicates:
    """The generation's pairs, loaded once with it (``Generation.near_duplicates``)."""
    return gen.near_duplicates


def seq_of(gen: Generation, passage_id: str) -> int:
    """The row of a passage id the caller has checked exists."""
    report_id, ordinal = passage_id.rsplit("-", 1)
    first = int(gen.first_seq[gen.report_index[report_id]])
    ordinals = gen.columns["ordinal"]
    at = first + int(ordinal) - int(ordinals[first])
    return at if 0 <= at < len(ordinals) and gen.passage_id(at) == passage_id else \
        first + int(np.flatnonzero(ordinals[first:] == int(ordinal))[0])


def similar_passages(index, passage_id: str, related: int = 5) -> dict:
    """``{"near_identical": [...], "related": [...]}`` for the passage."""
    index.get_report_of(passage_id)                 # NotFound for an unknown id
    gen = index.generation
    seq = seq_of(gen, passage_id)
    text = gen.texts[seq]
    near = gen.near_duplicates.of(seq)
    reports = {int(gen.columns["report"][other]) for other, _ in near}
    return {"passage_id": passage_id, "near_identical_reports": len(reports),
            "near_identical": [_near(gen, other, similarity, text) for other, similarity in near[:MAX_SHOWN]],
            "related": _related(gen, seq, text, related, exclude={seq, *(o for o, _ in near)})}


def _near(gen, other: int, similarity: float, text: str) -> dict:
    other_text = gen.texts[other]
    return dict(_place(gen, other), similarity=round(similarity, 3), text=other_text,
                diff=text_diff(text, other_text))


def _place(gen, seq: int) -> dict:
    report = report_of(gen, seq)
    passage_id = gen.passage_id(seq)
    return {"passage_id": passage_id, "report_id": report["id"], "agency": report["agency"],
            "year": report["year"], "title": report["title"],
            "category": CATEGORIES[gen.columns["category"][seq]]}


def text_diff(a: str, b: str) -> list[dict]:
    """``b`` against ``a`` as runs: ``{"op": "equal" | "insert" | "delete", "text"}``
    (delete: only in ``a``; insert: only in ``b``), character by character."""
    runs = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            runs.append({"op": "delete", "text": a[i1:i2]})
        if op in ("insert", "replace"):
            runs.append({"op": "insert", "text": b[j1:j2]})
        if op == "equal":
            runs.append({"op": "equal", "text": a[i1:i2]})
    return runs


def _related(gen, seq: int, text: str, limit: int, exclude: set[int]) -> list[dict]:
    """Passages of other reports sharing the most telling words (Whoosh's
    more-like-this: its key terms of the text, then their BM25F, summed in
    numpy: ``related.py``), best first, ties in passage order (not Whoosh's
    document numbers, which an update reorders)."""
    if limit <= 0 or not gen.meta.get("words", True):     # no words to relate by: Whoosh not even opened
        return []
    from whoosh.query import Or, Term

    with gen_searcher(gen) as searcher:
        own = gen.report_ids[int(gen.columns["report"][seq])]
        # Whoosh 2.7's more_like masks only the passage itself: the mask here
        # also leaves out its report and its near-identical passages.
        mask = Or([Term("report_id", own)] + [Term("passage_id", gen.passage_id(o)) for o in sorted(exclude)])
        masked = set(searcher.docs_for_query(mask))
        scored = related_documents(gen, searcher, text, masked, limit,
                                   lambda doc: _row(gen, searcher.stored_fields(doc)["passage_id"]))
    return [dict(_place(gen, other), score=round(score, 2), text=gen.texts[other]) for score, other in scored]


def gen_searcher(gen):
    """A searcher over the generation's Whoosh index (closed by the caller's ``with``)."""
    from whoosh.searching import Searcher

    return Searcher(reader(gen), closereader=False)


def _row(gen, passage_id: str) -> int | None:
    try:
        return seq_of(gen, passage_id)
    except (KeyError, IndexError, ValueError):
        return None


def copied_report_numbers(gen: Generation) -> set[int]:
    """Reports holding at least one passage near-identical to another report's."""
    return set(gen.columns["report"][gen.near_duplicates.rows()].tolist())
