"""Filters and facet counts over the whole result set, with numpy.

Filters combine AND across fields and OR within one.  Every facet counts the
reports (or passages) without a value too, as a bucket whose value is
``MISSING`` (the empty string; shown as 未注明): a filter value ``""`` keeps
them (``agency=`` on the web, ``-agency:*`` in the query), so a facet's counts
add up to the total.  ``by_report``: facets count reports, not passages.
Names of one body that differ only by the state's name before it
(``中华人民共和国自然资源部`` / ``自然资源部``) are one value (``canonical_names``).  Facet counts are
disjunctive, as in Meilisearch or Algolia: a field's counts apply every
filter except the field's own, so ticking a second agency shows what it adds
instead of zero.  A field with no filter set counts exactly the result set.
"""
from __future__ import annotations

import re

import numpy as np

from ..model import CATEGORIES, resolve_category

FACETS = ("agency", "agency_kind", "agency_level", "province", "year", "section", "copied", "doc_type")
_COLUMN = {"report": "report", "agency": "agency", "agency_kind": "agency_kind", "agency_level": "agency_level",
           "province": "province", "city": "city", "doc_type": "doc_type", "year": "year", "section": "category", "copied": "copied"}
# copied: has a near-identical passage in another report (column code 1) or not (0).
COPIED_VALUES = ("no", "yes")
_YES_NO = {"yes": "yes", "y": "yes", "true": "yes", "1": "yes", "是": "yes", "有": "yes",
           "no": "no", "n": "no", "false": "no", "0": "no", "否": "no", "无": "no"}


def yes_no(value: str) -> str:
    """``yes`` or ``no`` for a yes/no filter value (是/否, 有/无, true/false, 1/0 too)."""
    found = _YES_NO.get(value.strip().lower())
    if found is None:
        raise FilterError(f"“{value[:20]}”不是 是/否：请写 yes 或 no（也可写 是、否）")
    return found


MISSING = ""                 # the filter value and facet bucket of "no value"
STATE_PREFIX = "中华人民共和国"   # a national body's name with or without it is one body


def agency_key(name: str) -> str:
    """What two names of one body share: the name without the state's name before
    it and without spaces (``中华人民共和国 自然资源部`` → 自然资源部)."""
    name = "".join(name.split())
    return name[len(STATE_PREFIX):] if name.startswith(STATE_PREFIX) and len(name) > len(STATE_PREFIX) else name


_CANONICAL: dict[int, tuple[list, np.ndarray]] = {}


def canonical_names(names: list[str]) -> np.ndarray:
    """Per code of a sorted agency vocabulary, the code of the name shown for its
    body: of the names sharing an ``agency_key``, the longest (the full, official
    one).  Remembered per vocabulary list (a generation keeps its own)."""
    found = _CANONICAL.get(id(names))
    if found is not None and found[0] is names:
        return found[1]
    best: dict[str, int] = {}
    for code, name in enumerate(names):
        key = agency_key(name)
        if key not in best or len(name) > len(names[best[key]]):
            best[key] = code
    canon = np.fromiter((best[agency_key(n)] for n in names), dtype=np.int64, count=len(names))
    if len(_CANONICAL) > 16:
        _CANONICAL.clear()
    _CANONICAL[id(names)] = (names, canon)
    return canon


class FilterError(ValueError):
    """A filter value the index cannot apply (an unknown field or value form)."""


def filter_codes(vocab: dict[str, list[str]], name: str, values: list[str]) -> np.ndarray:
    """Column codes a filter admits.  Agency, province and city accept a part
    of the name (``阳江`` admits 阳江市卫生健康局); section accepts an alias (``问题``)."""
    codes: set[int] = set()
    for value in (v.strip() for v in values):
        if value == MISSING:
            # No value: code -1 (year 0); section and copied always have one.
            codes.add({"year": 0, "section": -2, "copied": -2, "report": -2}.get(name, -1))
        elif name == "year":
            codes.update(year_codes(value))
        elif name == "copied":
            codes.add(COPIED_VALUES.index(yes_no(value)))
        elif name == "report":
            codes.update(i for i, v in enumerate(vocab["report"]) if v == value)
            codes.add(-2)
        elif name == "section":
            category = resolve_category(value)
            if category is None:
                raise FilterError(f"没有“{value}”这一部分；可用：{'、'.join(CATEGORIES)}（或 成效、问题、责任、下一步）")
            codes.add(CATEGORIES.index(category))
        else:
            names = vocab[name]
            exact = [i for i, v in enumerate(names) if v == value] if value in names else []
            if exact and name == "agency":      # the body's other names too
                canon = canonical_names(names)
                exact = np.flatnonzero(canon == canon[exact[0]]).tolist()
            codes.update(exact or (i for i, v in enumerate(names) if value in v))
            if not exact and not codes:
                codes.add(-2)        # matches nothing: an unknown agency narrows to zero
    return np.fromiter(codes, dtype=np.int64, count=len(codes))


_YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:-|－|~|～|\.\.|至|到)\s*(\d{4})?$", re.ASCII)
_YEAR_BOUND = re.compile(r"^(>=|<=|>|<|≥|≤)\s*(\d{4})$", re.ASCII)
FIRST_YEAR, LAST_YEAR = 1949, 2100


def year_codes(value: str) -> range:
    """The years a year filter admits: ``2022``, ``2018-2022``, ``2018-``, ``>=2021``, ``<2020``."""
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= 4:   # more digits would overflow int64
        return range(int(value), int(value) + 1)
    found = _YEAR_RANGE.match(value)
    if found and any(found.groups()):
        low, high = (int(g) if g else None for g in found.groups())
        return range(low or FIRST_YEAR, (high or LAST_YEAR) + 1)
    found = _YEAR_BOUND.match(value)
    if found:
        op, year = found.group(1), int(found.group(2))
        if op in (">=", "≥", ">"):
            return range(year + (op == ">"), LAST_YEAR + 1)
        return range(FIRST_YEAR, year + (op != "<"))
    # ASCII only (``isdigit()`` also takes ²): a year is four digits, or a range of them.
    raise FilterError(f"年份应为四位数字或范围，例如 year:2022、year:2018-2022、year:>=2021（收到“{value[:20]}”）")


def chosen_codes(vocab, filters: dict[str, list[str]] | None) -> dict[str, np.ndarray]:
    """Per filtered field, the column codes its values admit (``filter_codes``)."""
    return {name: filter_codes(vocab, name, values) for name, values in (filters or {}).items()
            if values and name in _COLUMN}


def filter_masks(columns, docs: np.ndarray, chosen: dict[str, np.ndarray],
                 excluded: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """A boolean mask over ``docs`` per filtered field (``chosen``: its codes,
    ``chosen_codes``); excluded values (``-agency:阳江``) get their own
    ``-field`` mask, which every facet applies."""
    masks = {}
    for name, codes in chosen.items():
        if len(codes):
            masks[name] = np.isin(columns[_COLUMN[name]][docs], codes)
    for name, codes in (excluded or {}).items():
        masks["-" + name] = ~np.isin(columns[_COLUMN[name]][docs], codes)
    return masks


def combine(masks: dict[str, np.ndarray], size: int, skip: str | None = None) -> np.ndarray:
    """The AND of the masks (all of them, or all but ``skip``'s)."""
    keep = np.ones(size, dtype=bool)
    for name, mask in masks.items():
        if name != skip:
            keep &= mask
    return keep


class ReportLevel:
    """The facet fields whose value is the report's (agency, region, year): a
    report's passages are one run of passage numbers (``bounds[r]:bounds[r + 1]``),
    so the hits per report are a binary search of the sorted hits, and a field's
    counts a weighted count over the reports, not a gather over every hit
    (a common word at 1.3M passages has half a million)."""

    def __init__(self, bounds: np.ndarray, codes: dict[str, np.ndarray]):
        self.bounds, self.codes = bounds, codes

    def hits_per_report(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` (sorted passage numbers) each report holds."""
        return np.diff(np.searchsorted(docs, self.bounds))


def facet_counts(columns, docs: np.ndarray, vocab, masks, reports: ReportLevel | None = None,
                 size: int | None = None, chosen: dict[str, np.ndarray] | None = None,
                 by_report: bool = False) -> tuple[dict, dict]:
    """``({field: [{value, count}]}, {field: number of values})`` for the facets,
    largest count first, the ``MISSING`` bucket last.  ``docs`` must be sorted
    when ``reports`` is given.  ``by_report``: count reports (a report counts
    once per value it has hits under), not passages.
    ``size``: list only a facet's first ``size`` values and those its filter
    selects (``chosen``: the codes, ``chosen_codes``), as a page shows them (the year facet, a
    histogram, stays whole); a page shows 30 of 2,000 agencies, and a dict for
    every one of them was the facets' main cost."""
    result, distinct = {}, {}
    subsets: dict = {}        # the hits a facet counts: all filters, or all but its own
    for name in FACETS:
        skip = name if name in masks else None
        if skip not in subsets:
            subsets[skip] = docs[combine(masks, len(docs), skip=skip)] if masks else docs
        counts, missing = _counts(name, columns, subsets, skip, reports, by_report)
        if name == "agency" and len(counts):
            canon = canonical_names(vocab[name])
            counts = np.bincount(canon[:len(counts)], weights=counts, minlength=len(counts)).astype(np.int64)
        result[name], distinct[name] = _pairs(name, counts, vocab, size, (chosen or {}).get(name))
        if missing:
            result[name].append({"value": MISSING, "count": missing})
    return result, distinct


def _counts(name: str, columns, subsets: dict, skip, reports: ReportLevel | None,
            by_report: bool) -> tuple[np.ndarray, int]:
    """(count per code, count without a value) of one facet over its subset."""
    column = _COLUMN[name]
    if reports is not None and column in reports.codes:
        if ("per report", skip) not in subsets:
            subsets["per report", skip] = reports.hits_per_report(subsets[skip])
        codes, weights = reports.codes[column], subsets["per report", skip]
        if by_report:
            weights = (weights > 0).astype(np.int64)
        has = np.diff(reports.bounds) > 0          # a report without passages has no codes at all
        valid = (codes > 0 if name == "year" else codes >= 0) & has
        counts = np.bincount(codes[valid].astype(np.int64), weights=weights[valid]).astype(np.int64)
        return counts, int(weights[~valid & has].sum())
    codes = columns[column][subsets[skip]].astype(np.int64)
    valid = codes > 0 if name == "year" else codes >= 0
    if by_report:       # distinct (report, value) pairs
        pairs = np.unique(columns["report"][subsets[skip]][valid].astype(np.int64) * (1 << 32) + codes[valid])
        return np.bincount(pairs & ((1 << 32) - 1)), 0
    return np.bincount(codes[valid]), int(np.count_nonzero(~valid))


def _pairs(name: str, counts: np.ndarray, vocab, size: int | None,
           chosen: np.ndarray | None) -> tuple[list[dict], int]:
    """The values that occur, largest count first, then by value (newest first for
    years), cut to ``size`` plus the ``chosen`` codes; and how many values occur."""
    present = np.flatnonzero(counts)           # only values that occur: no loop over the vocabulary
    if name == "year":
        return [{"value": str(v), "count": int(counts[v])} for v in present[::-1].tolist()], len(present)
    names = {"section": CATEGORIES, "copied": COPIED_VALUES}.get(name)
    if names is None:
        # A facet vocabulary is sorted (``facet_vocab``): code order is value order,
        # so a stable sort by count alone orders ties by value - no Python sort of 600 agencies.
        names = vocab[name]
        ordered = present[np.argsort(-counts[present], kind="stable")].tolist()
    else:
        ordered = sorted(present.tolist(), key=lambda i: (-counts[i], names[i]))
    if size is not None and len(ordered) > size:
        # The values the filter selects stay listed (ticked), wherever they rank.
        selected = set(chosen.tolist()) if chosen is not None else ()
        ordered = ordered[:size] + ([i for i in ordered[size:] if i in selected] if selected else [])
    return [{"value": names[i], "count": c} for i, c in zip(ordered, counts[ordered].tolist())], len(present)
