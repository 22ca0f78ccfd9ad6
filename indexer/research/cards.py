"""Report cards: what the 2019 《法治政府建设与责任落实督察工作规定》 asks of an
annual report, checked per report, and the same over the corpus.

- contents: which of its five contents the report has, read from the
  categories of its passages (a category counts when a passage falls under
  it); ``missing`` lists the four substantive ones it lacks (其他 is where
  everything else goes and is never required alone);
- timeliness: the publication date against the deadline, by default 1 April
  of the year after the report's year (``deadline="MM-DD"`` changes it); a
  report with no date or year is ``unknown``, never counted as late;
- length: characters of its passages, whitespace not counted;
- figures: the numbers with a unit it reports (``120件``, ``98.5%``, ``3万元``);
- copied passages: how many of its passages are near-identical to a passage
  of another report (``indexer.store.format.near_duplicates``).
"""
from __future__ import annotations

import re
import weakref
from collections import Counter

import numpy as np

from ..model import CATEGORIES
from ..search.index import Index
from ..search.reports import (  # noqa: F401  (re-exported)
    DEFAULT_DEADLINE,
    REQUIRED,
    card_applies,
    parse_deadline,
    timeliness,
)
from .common import MIN_REPORTS, matching, report_value

_UNITS = ("万元|亿元|千元|元|人次|万人|人|件次|件|起|次|场次|场|个|家|项|份|期|条|篇|户|天|小时|所|批|宗|%|％")
FIGURE = re.compile(rf"\d+(?:[.,]\d+)*(?:{_UNITS})")


def report_card(gen, report_number: int, deadline: tuple[int, int]) -> dict:
    """The card of one report (its row in the generation's report table)."""
    report = gen.reports[report_number]
    first = int(gen.first_seq[report_number])
    rows = first + np.arange(_count(gen, report_number))     # a report's passages are consecutive rows
    present = {CATEGORIES[c] for c in gen.columns["category"][rows].tolist()}
    length, figures, examples = _text_facts(gen, report_number, rows)
    copied = rows[gen.copied[rows] == 1].tolist()
    applies = card_applies(report)
    return {
        "report_id": report["id"], "title": report["title"], "agency": report["agency"],
        "year": report["year"], "date": report["date"], "doc_type": report.get("doc_type", ""),
        "applies": applies,      # the 2019 规定 binds 法治政府建设 annual reports only
        "contents": {c: c in present for c in CATEGORIES},
        "missing": [c for c in REQUIRED if c not in present] if applies else [],
        **(timeliness(report["year"], report["date"], deadline) if applies
           else {"status": "unknown", "deadline": None, "days_late": None}),
        "length": length, "passages": int(len(rows)),
        "figures": figures, "figure_examples": examples, "copied_passages": len(copied),
        "copied_passage_ids": [gen.passage_id(seq) for seq in copied[:10]],
    }


# Per generation: each report's (length, figure count, first figures).  Scanning
# the text for figures is most of a card (0.5 s for all 2,000 reports at 100k);
# a generation never changes, so a report is scanned once.
_FACTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _text_facts(gen, report_number: int, rows: np.ndarray) -> tuple[int, int, list[str]]:
    known = _FACTS.setdefault(gen, {})
    if report_number not in known:
        norm = list(gen.norm_array[np.asarray(rows, dtype=np.int64)])    # one gather (a batch when made on demand)
        figures = [f for text in norm for f in FIGURE.findall(text)]
        known[report_number] = (sum(map(len, norm)), len(figures), figures[:8])
    return known[report_number]


def _count(gen, report_number: int) -> int:
    ends = np.append(gen.first_seq[1:], len(gen.columns["report"]))
    return int(ends[report_number] - gen.first_seq[report_number])


def report_cards(index: Index, q: str = "", filters: dict | None = None,
                 deadline: str | None = None, copied: bool = False) -> list[dict]:
    """Cards of every report holding a passage that matches ``q`` and the filters
    (all reports for an empty query), in report-table order; ``copied``: only
    the reports with a passage near-identical to another report's."""
    return _cards(index, q, filters, deadline, copied)[0]


def _cards(index: Index, q, filters, deadline, copied) -> tuple[list[dict], int]:
    """The cards, and how many matching reports are of another kind (no card)."""
    month_day = parse_deadline(deadline)
    found = matching(index, q, filters)
    gen = found["gen"]
    numbers = np.unique(gen.columns["report"][found["docs"]]).tolist()
    # The cards and the corpus view count 法治政府建设 annual reports only.
    cards = [report_card(gen, n, month_day) for n in numbers if card_applies(gen.reports[n])]
    other_kinds = len(numbers) - len(cards)
    return ([c for c in cards if c["copied_passages"]] if copied else cards), other_kinds


def card_of(index: Index, report_id: str, deadline: str | None = None) -> dict:
    """The report card of one report (``NotFound`` for an unknown id)."""
    gen = index.generation
    if report_id not in gen.report_index:
        index.get_report(report_id)          # raises NotFound with the library's message
    return report_card(gen, gen.report_index[report_id], parse_deadline(deadline))


def corpus_view(index: Index, q: str = "", filters: dict | None = None, deadline: str | None = None,
                split: str = "auto", copied: bool = False) -> dict:
    """Per report year (and per value of ``split``): reports, how many lack
    存在的不足和原因 or any required content, how many were late, and shares."""
    cards, other_kinds = _cards(index, q, filters, deadline, copied)
    gen = index.generation
    if split == "auto":
        split = "agency_kind" if any(r.get("agency_kind") for r in gen.reports) else "province"
    by_year = _tally(cards, [c["year"] or 0 for c in cards])
    by_group = _tally(cards, [report_value(gen.reports[gen.report_index[c["report_id"]]], split)
                              for c in cards])
    return {"query": q or "", "deadline": "-".join(f"{n:02d}" for n in parse_deadline(deadline)),
            "reports": len(cards), "other_kinds": other_kinds, "split": split, "min_reports": MIN_REPORTS,
            "years": _every_year(by_year),
            "undated": by_year.get(0), "groups": [dict(value=k, **v) for k, v in
                                                  sorted(by_group.items(), key=lambda kv: -kv[1]["reports"])]}


def _every_year(by_year: dict) -> list[dict]:
    """The rows per year, a year without reports inside the span included (no
    share: a gap in the chart, not a line drawn across it)."""
    years = [k for k in by_year if k]
    if not years:
        return []
    empty = dict(_shares(Counter(reports=1)), reports=0, share_missing_problems=None, drawn_missing_problems=False)
    return [dict(year=y, **by_year.get(y, empty)) for y in range(min(years), max(years) + 1)]


def _tally(cards: list[dict], keys: list) -> dict:
    """Counts per key; ``keys[i]`` is the group of ``cards[i]``."""
    counts: dict = {}
    for card, key in zip(cards, keys):
        row = counts.setdefault(key, Counter())
        row["reports"] += 1
        row["missing_problems"] += "存在的不足和原因" in card["missing"]
        row["missing_any"] += bool(card["missing"])
        row["late"] += card["status"] == "late"
        row["dated"] += card["status"] != "unknown"
        row["copied"] += card["copied_passages"] > 0
    return {k: _shares(v) for k, v in counts.items()}


def _shares(row: Counter) -> dict:
    out = {k: int(row[k]) for k in ("reports", "missing_problems", "missing_any", "late", "dated", "copied")}
    out["share_missing_problems"] = round(out["missing_problems"] / out["reports"], 4)
    out["share_late"] = round(out["late"] / out["dated"], 4) if out["dated"] else None
    # Listed always, drawn only over MIN_REPORTS reports (n: reports, dated reports).
    out["drawn_missing_problems"] = out["reports"] >= MIN_REPORTS
    out["drawn_late"] = out["dated"] >= MIN_REPORTS
    return out
