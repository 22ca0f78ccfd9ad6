"""Search: the query language, matching on the phrase postings, BM25 ranking,
facet counts and snippets (text and match spans: data, never HTML), and
:class:`Index`, which answers a search as a dict.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.analysis``, ``indexer.store``.
Never the build or the report reader.
"""
import importlib

# Each name is imported from its module when first asked for (``__getattr__``):
# the command line reads the limits (``MAX_PER_PAGE``, ``SORTS``) for its
# options without loading numpy and the index's store.
_HOMES = {
    "checks": ("GROUPS", "MAX_PAGE", "MAX_PER_PAGE", "SORTS", "check_passage_id", "check_report_id", "check_sort"),
    "facets": ("FACETS", "yes_no"),
    "index": ("REPORT_SORTS", "Index", "IndexMissing", "NotFound", "SearchError", "open_index"),
    "query": ("FIELD_ALIASES", "FIELDS", "MAX_QUERY", "check_query", "with_counts_literal", "without_filter",
              "without_groups", "without_quotes"),
    "reports": ("DEFAULT_DEADLINE", "parse_deadline", "REPORT_FACETS", "REPORT_FILTERS", "TIMELINESS",
                "timeliness_value"),
    "snippets": ("find_spans",),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    return value
