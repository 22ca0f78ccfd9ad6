"""Search: the query language, matching on the phrase postings, BM25 ranking,
facet counts and snippets (text and match spans: data, never HTML), and
:class:`Index`, which answers a search as a dict.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.analysis``, ``indexer.store``.
Never the build or the report reader.
"""
from .facets import FACETS, yes_no
from .index import (
           GROUPS,
           MAX_PAGE,
           MAX_PER_PAGE,
           REPORT_SORTS,
           SORTS,
           Index,
           IndexMissing,
           NotFound,
           SearchError,
           check_passage_id,
           check_report_id,
           check_sort,
           open_index,
)
from .query import (
           FIELD_ALIASES,
           FIELDS,
           MAX_QUERY,
           check_query,
           without_filter,
           without_quotes,
)
from .reports import DEFAULT_DEADLINE, REPORT_FACETS, REPORT_FILTERS, TIMELINESS, parse_deadline, timeliness_value
from .snippets import find_spans

__all__ = ["FACETS", "FIELDS", "FIELD_ALIASES", "GROUPS", "MAX_PAGE", "MAX_PER_PAGE", "MAX_QUERY", "REPORT_SORTS",
           "DEFAULT_DEADLINE", "parse_deadline", "REPORT_FACETS", "REPORT_FILTERS", "TIMELINESS", "timeliness_value", "yes_no", "SORTS", "Index", "IndexMissing", "NotFound", "SearchError", "check_passage_id", "check_query",
           "check_report_id", "check_sort", "find_spans", "open_index", "without_filter",
           "without_quotes"]
