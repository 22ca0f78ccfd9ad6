"""Search: the query language, matching on the phrase postings, BM25 ranking,
facet counts and snippets (text and match spans: data, never HTML), and
:class:`Index`, which answers a search as a dict.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.analysis``, ``indexer.store``.
Never the build or the report reader.
"""
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
           open_index,
           search_passages,
)
from .query import FIELD_ALIASES, FIELDS, MAX_QUERY
from .snippets import find_spans

__all__ = ["GROUPS", "REPORT_SORTS", "FIELDS", "FIELD_ALIASES", "MAX_PAGE", "MAX_PER_PAGE", "MAX_QUERY", "SORTS", "Index", "IndexMissing",
           "NotFound", "SearchError", "find_spans", "open_index", "search_passages"]
