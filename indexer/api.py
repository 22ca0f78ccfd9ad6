"""The public interface of ``indexer``: what the CLI and the web app (and any
other program) may call.  Everything else is internal and may change.

The rules of a search request are defined once, in the library, and checked
here for every front end: the filter fields (``FIELDS``, ``FIELD_ALIASES``), the
facets (``FACETS``), the limits (``MAX_QUERY``, ``MAX_PAGE``, ``MAX_PER_PAGE``),
the sorts (``SORTS``), the id patterns; ``check_query``, ``check_sort``,
``check_report_id`` and ``check_passage_id`` raise the library's error with a
message and hint, and ``without_filter`` / ``without_quotes`` edit a query as
the query language reads it.  ``render_result`` and its helpers turn search
data into the JSON, HTML and text the front ends show.

Reading and building import the readers and Whoosh, which a server does not
need; they are imported on call, so ``import indexer.api`` stays light.
"""
from __future__ import annotations

import csv
from pathlib import Path

from . import DEFAULT_INDEX
from .errors import FazhiError, IndexMissing, IndexVersionError, NotFound
from .model import CATEGORIES, PASSAGE_ID_PATTERN, REPORT_ID_PATTERN, made_up_title, resolve_category
from .read import Limits, ReadError
from .render import hit as render_hit
from .render import mark_html, mark_text, passage_url, snippet_html, snippet_text
from .render import result as render_result
from .research.cite import gbt7714
from .research.export import COLUMNS as EXPORT_COLUMNS
from .research.export import FORMATS as EXPORT_FORMATS
from .research.export import MEDIA_TYPES as EXPORT_MEDIA_TYPES
from .research.export import chunks as export_chunks
from .research.export import export_rows
from .search import (
    DEFAULT_DEADLINE,
    FACETS,
    FIELD_ALIASES,
    FIELDS,
    GROUPS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY,
    REPORT_FACETS,
    REPORT_FILTERS,
    REPORT_SORTS,
    SORTS,
    TIMELINESS,
    Index,
    SearchError,
    check_passage_id,
    check_query,
    check_report_id,
    check_sort,
    find_spans,
    open_index,
    parse_deadline,
    search_passages,
    timeliness_value,
    without_filter,
    without_quotes,
    yes_no,
)
from .store import current_generation, read_meta
from .store.merge_policy import TieredMergePolicy

# Research tools (issue 15): concordance, trends, words, report cards.
from .research import (card_of, complete, concordance, corpus_view, did_you_mean, key_terms,  # noqa: E402
                       report_cards, side_by_side, similar_passages, trend, warm_words)

__all__ = [
    "EXPORT_COLUMNS", "EXPORT_FORMATS", "EXPORT_MEDIA_TYPES", "GROUPS", "REPORT_SORTS", "export_chunks", "export_rows", "gbt7714",
    "CATEGORIES", "DEFAULT_INDEX", "FACETS", "FIELDS", "FIELD_ALIASES", "MAX_PAGE", "MAX_PER_PAGE", "MAX_QUERY",
    "PASSAGE_ID_PATTERN", "REPORT_ID_PATTERN", "SORTS", "FazhiError", "Index", "IndexMissing",
    "IndexVersionError", "Limits", "NotFound", "ReadError", "SearchError", "TieredMergePolicy", "build_index",
    "check_index",
    "check_passage_id", "check_query", "check_report_id", "check_sort", "find_spans", "inspect_file",
    "made_up_title", "mark_html", "mark_text", "open_index", "passage_url", "render_hit", "render_result", "resolve_category",
    "DEFAULT_DEADLINE", "REPORT_FACETS", "REPORT_FILTERS", "TIMELINESS", "parse_deadline", "timeliness_value", "yes_no",
    "search_passages", "snippet_html", "snippet_text", "without_filter", "without_quotes",
    # research tools
    "card_of", "complete", "concordance", "corpus_view", "did_you_mean", "key_terms", "report_cards",
    "side_by_side", "similar_passages", "trend", "warm_words",
]


def build_index(paths=None, index_dir: str | Path = DEFAULT_INDEX, **options) -> dict:
    """Build or update the index at ``index_dir`` from ``paths`` (default: the samples)."""
    from . import build

    return build.build_index(paths, Path(index_dir), **options)


def inspect_file(path: str | Path, limits: Limits | None = None):
    """What the reader makes of one file (its folder's ``manifest.csv`` row applied):
    a :class:`~indexer.model.Report`; raises ``ReadError`` when it cannot be read,
    or is over one of the ``limits`` (default: ``Limits()``, as a build)."""
    from .report.corpus import load_manifest, read_within_limits

    path = Path(path)
    try:
        row = load_manifest(path.parent).get(path.name)
    except (OSError, ValueError, csv.Error):     # a broken manifest: read without it
        row = None
    return read_within_limits(path, row, limits or Limits())


def check_index(index_dir: str | Path = DEFAULT_INDEX) -> dict:
    """The serving generation's metadata, without loading it; raises
    :class:`IndexMissing` (or :class:`IndexVersionError`) when there is none to serve."""
    return read_meta(current_generation(Path(index_dir)))


# The cluster backend (issue 26): a ``mroonga://`` URL in place of an index folder.
from .cluster import EmbeddedOnly, is_backend_url  # noqa: E402

_open_embedded = open_index


def open_index(target=DEFAULT_INDEX):  # noqa: F811  (the embedded index's, or a cluster's)
    """The index at ``target``: an index folder, or a cluster's backend URL
    (``mroonga://…``, see ``scripts/cluster.sh``), which answers searches the same way."""
    if is_backend_url(target):
        from .cluster import open_cluster

        return open_cluster(target)
    return _open_embedded(target)


def sync_backend(url: str, index_dir=DEFAULT_INDEX) -> dict:
    """Bring the cluster at ``url`` up to date with the index at ``index_dir`` (changed reports only)."""
    from .cluster import sync_cluster

    return sync_cluster(url, index_dir)


__all__ += ["EmbeddedOnly", "is_backend_url", "sync_backend"]
