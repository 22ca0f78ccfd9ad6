"""Groonga ``select`` commands for a shard, and reading their answers.

A term is a phrase search on the normalized text: the bigram index for terms
of two characters or more, the unigram index for single characters.  The
text is normalized before it is indexed and the indexes have no normalizer,
so Groonga's phrase match is exactly our substring match (overlapping
occurrences included).  Filters are ``in_values`` over the exact values the
embedded index's filter rules admit (``search.facets.chosen_codes``).
"""
from __future__ import annotations

import numpy as np

from ..model import CATEGORIES
from ..search.facets import COPIED_VALUES, FACETS

TABLE = "passages"
# facet / filter name → the shard's column
COLUMN = {"agency": "agency", "agency_kind": "agency_kind", "agency_level": "agency_level", "province": "province",
          "city": "city", "doc_type": "doc_type", "year": "year", "section": "category", "copied": "copied", "report": "report_id"}
CANDIDATE_COLUMNS = ("id", "seq", "report_id", "ordinal", "category", "section", "heading", "copied", "length",
                     "year", "date", "norm", "text", "_score")


def literal(value) -> str:
    """A Groonga script literal."""
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


_INDEXES = {"norm": "ft", "title_norm": "ft_title", "section_norm": "ft_section"}


def term(norm: str, column: str = "norm", weight: int | None = None) -> str:
    """A phrase search of ``column`` (the normalized text, title or section path);
    ``weight``: the same search through ``query()``, each occurrence adding ``weight``
    to ``_score`` instead of 1 (``order.term_weights``)."""
    index = _INDEXES[column] + ("_uni" if len(norm) == 1 else "_bi")
    if weight is None:
        return f"{TABLE}#{index}.index @ {literal(norm)}"
    phrase = literal(norm)      # a phrase in query syntax: the same quoting
    return f"query({literal(f'{TABLE}#{index}.index * {weight}')}, {literal(phrase)})"


ALL = "all_records()"


def any_of(exprs: list[str]) -> str:
    return "(" + " || ".join(exprs) + ")" if exprs else ALL


def all_of(exprs: list[str]) -> str:
    return "(" + " && ".join(exprs) + ")" if exprs else ALL


def clause(terms: list[str], weight: int | None = None) -> str:
    return any_of([term(t, weight=weight) for t in terms])


IN_VALUES_MAX = 100      # values per in_values() call: one call of 132 report ids missed a report here


def in_values(name: str, values: list) -> str:
    """The passages whose ``name`` column holds one of ``values``.  The empty value (a
    facet's 未注明) is tested as ``column == ""``: a column index holds no empty key,
    so ``in_values`` through it never finds one (``schema.FILTER_COLUMNS``)."""
    if not values:
        return "false"       # a filter that admits nothing (an unknown agency)
    column, given = COLUMN[name], [v for v in values if v != ""]
    calls = [f"in_values({column}, {', '.join(literal(v) for v in given[start:start + IN_VALUES_MAX])})"
             for start in range(0, len(given), IN_VALUES_MAX)]
    if len(given) < len(values):
        calls.append(f'{column} == ""')
    return calls[0] if len(calls) == 1 else any_of(calls)


def filtered(base: str, chosen: dict[str, list], excluded: dict[str, list], skip: str | None = None) -> str:
    """``base`` with every chosen filter (but ``skip``'s) and every exclusion.  The
    filters come first: each is looked up in its column's index (``schema.FILTER_COLUMNS``)
    and the words' postings are ANDed with what they admit, where a filter after the
    words was tested on every match (a common word's, most of a filtered select's time).
    A filter found through an index adds 1 to each match's ``_score``, the same for
    every match: Groonga's first score stays a bound from above (``order.first_score``)."""
    filters = [in_values(name, values) for name, values in chosen.items() if name != skip]
    if not filters:
        expr = base
    elif base == ALL:    # Groonga 7 reads ``all_records() && (a || b)`` as every record: the filters alone
        expr = all_of(filters)
    elif ALL in base:    # and ``F && (all_records() && …)`` too: there, the words first
        expr = all_of([f"({base})"] + filters)
    else:
        expr = all_of(filters + [f"({base})"])
    for name, values in excluded.items():
        if values:
            expr = f"({expr}) &! {in_values(name, values)}"
    return expr


def quote(value: str) -> str:
    """A value on Groonga's command line."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def counts_only(command: str) -> bool:
    """Whether a ``select`` asks for no rows: its count and drilldowns only."""
    return " --limit 0 " in command


def select(filter_expr: str, limit: int = 0, sort_keys: str = "", scorer: str = "",
           drilldowns: dict[str, str] | None = None,
           columns: tuple[str, ...] = CANDIDATE_COLUMNS, adjuster: str = "") -> str:
    parts = [f"select {TABLE} --filter {quote(filter_expr)} --limit {limit} --cache no",
             f"--output_columns {','.join(columns) if limit else '_id'}"]
    if sort_keys and limit:
        parts.append(f"--sort_keys {quote(sort_keys)}")
    if adjuster and limit:          # before the scorer, which reads what it added (``boosts``)
        parts.append(f"--adjuster {quote(adjuster)}")
    if scorer and limit:
        parts.append(f"--scorer {quote(scorer)}")
    for label, key in (drilldowns or {}).items():
        size = 0 if label == "report_count" else -1      # "report_count": only how many
        parts.append(f"--drilldowns[{label}].keys {key} --drilldowns[{label}].limit {size} "
                     f"--drilldowns[{label}].output_columns _key,_nsubrecs")
    return " ".join(parts)


# Facets whose value is the report's: counted from the matches per report (one
# drilldown on the report's number, an integer: grouping by the report id's string
# cost a common word's select more than its three other drilldowns together) and the
# client's report table, as the embedded index's ``ReportLevel`` counts them; one
# drilldown per string column cost a shard more than its matching and scoring together
# (agency alone ~15% of a common word's select).  The year is the report's too.
REPORT_FACETS = ("agency", "agency_kind", "agency_level", "province", "doc_type")
REPORT_LEVEL = REPORT_FACETS + ("year",)
PER_REPORT = "report_no"        # the drilldown key of the matches per report (the head's report numbers)
PER_REPORT_LABEL = "reports"    # its label: ``read`` gives ``numbers`` and ``matches`` arrays, not ``values``


def facet_drilldowns(names) -> dict[str, str]:
    """The drilldowns the facets ``names`` need: their own column's, or (report-level
    ones) the matches per report, labelled ``reports``."""
    names = list(names)
    found = {name: COLUMN[name] for name in names if name not in REPORT_LEVEL}
    if any(name in REPORT_LEVEL for name in names):
        found[PER_REPORT_LABEL] = PER_REPORT
    return found


def read(answer) -> dict:
    """``{"count", "rows" (dicts), "drilldowns": {label: {"count", "values": {key: n}}}}``."""
    if isinstance(answer, dict) or not answer or not isinstance(answer[0], list):
        raise ValueError(f"unexpected Groonga answer: {str(answer)[:200]}")
    main = answer[0]
    count = main[0][0]
    names = [c[0] for c in main[1]]
    rows = [dict(zip(names, values)) for values in main[2:]]
    result = {"count": count, "rows": rows, "drilldowns": {}}
    for extra in answer[1:]:
        for label, body in extra.items():
            if label == PER_REPORT_LABEL:
                # Thousands of reports for a common word: kept as arrays, which the
                # client maps to its report table's rows at once (``facets.ReportCodes``).
                pairs = np.array(body[2:], dtype=np.int64).reshape(-1, 2)
                result["drilldowns"][label] = {"count": body[0][0], "numbers": pairs[:, 0], "matches": pairs[:, 1]}
            else:
                result["drilldowns"][label] = {"count": body[0][0], "values": {k: n for k, n in body[2:]}}
    return result


def facet_key(name: str, key):
    """A drilldown key as the facet's code (None: a value facets leave out)."""
    if name == "section":
        code = int(key)
        return code if 0 <= code < len(CATEGORIES) else None
    if name in ("year", "copied"):
        code = int(key)
        return None if name == "year" and code <= 0 else code
    return key or None


__all__ = ["FACETS", "COPIED_VALUES", "select", "read", "term", "clause", "filtered"]
